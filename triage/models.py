from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .engine import rule_titles


class RuleSet(models.Model):
    """A version of the RCRP rule set (a document the engine parses).

    Published versions are never edited: a change is a new version. Every call points
    at the version that produced its suggestion.
    """

    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        RETIRED = "retired"

    version = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    document = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one rule set is live at a time.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="published"), name="one_published_ruleset"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.version} ({self.status})"


class Call(models.Model):
    """One 999/101 call: what the handler heard, what the engine suggested, what was decided."""

    class Channel(models.TextChoices):
        EMERGENCY = "999", "999"
        NON_EMERGENCY = "101", "101"

    # A client-generated token makes intake idempotent: a double submit returns the first call.
    client_token = models.UUIDField(null=True, blank=True, unique=True)
    channel = models.CharField(max_length=3, choices=Channel.choices)
    received_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=500)
    # No index of its own: call_dwelling_time_cover starts with the dwelling and serves every
    # look-up by dwelling, so a second index would only cost each insert.
    dwelling = models.ForeignKey(
        "callers.Dwelling",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
        db_index=False,
    )
    narrative = models.TextField(blank=True)

    # The RCRP facts as validated by the engine (every field of the spec), plus the strand
    # as a column because dashboards group by it.
    facts = models.JSONField()
    concern_type = models.CharField(max_length=20)
    repeat_calls_30d = models.PositiveIntegerField(default=1)

    # The suggestion, as the engine returned it, and the rule set version behind it.
    ruleset = models.ForeignKey(RuleSet, null=True, on_delete=models.PROTECT, related_name="+")
    rule_id = models.CharField(max_length=40)
    suggested_agency = models.CharField(max_length=30)
    suggested_police_attend = models.BooleanField()
    suggestion = models.JSONField()

    # The current decision (its history is in Decision).
    decided_at = models.DateTimeField(null=True, blank=True)
    final_agency = models.CharField(max_length=30, blank=True)
    final_police_attend = models.BooleanField(null=True, blank=True)
    overridden = models.BooleanField(default=False)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # Covering indexes for the repeat window (intake) and detection (set-based);
            # the first also carries what the impact report counts each referral's calls by
            # (channel, police attendance), so that count reads no call row (issue 24).
            models.Index(
                fields=["dwelling", "received_at", "id"],
                include=["channel", "final_police_attend"],
                name="call_dwelling_time_cover",
            ),
            models.Index(fields=["received_at", "dwelling", "id"], name="call_time_dwelling_id"),
            models.Index(fields=["channel", "received_at"]),
            # Decided calls by time, for the dashboard's overrides list: without it the
            # list walked every undecided call (intake without a decision yet) first.
            # An intake's insert does not touch it (decided_at is set by a decision).
            models.Index(
                fields=["received_at"],
                condition=models.Q(decided_at__isnull=False),
                name="call_decided_time",
            ),
        ]

    def __str__(self):
        return f"{self.channel} call {self.pk} at {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def flags(self) -> list[str]:
        return list(self.suggestion.get("flags", []))

    @property
    def rule_title(self) -> str:
        """The suggesting rule in plain words, from the rule set version that suggested it
        (its id where that version gave the rule no title). Lists select_related the
        rule set."""
        title = None
        if self.ruleset_id is not None:
            title = rule_titles(self.ruleset.document).get(self.rule_id)
        return title or self.rule_id

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class Decision(models.Model):
    """A handler's decision on a call: acceptance or override, THRIVE and grade.

    A re-assessment adds a row; the call's current decision is the latest one.
    """

    class OverrideReason(models.TextChoices):
        NEW_INFORMATION = "new_information", "New information from the caller"
        RISK_HIGHER = "risk_higher", "Risk judged higher than the answers show"
        RISK_LOWER = "risk_lower", "Risk judged lower than the answers show"
        PARTNER_UNAVAILABLE = "partner_unavailable", "Partner agency unavailable"
        PARTNER_DECLINED = "partner_declined", "Partner agency declined"
        RESPONSE_PLAN = "response_plan", "Following the dwelling's response plan"
        SUPERVISOR_INSTRUCTION = "supervisor_instruction", "Supervisor instruction"
        OTHER = "other", "Other (explain in the note)"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="decisions")
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted = models.BooleanField(help_text="The suggestion was accepted as it stood.")
    final_agency = models.CharField(max_length=30)
    final_police_attend = models.BooleanField()
    override_reason = models.CharField(max_length=30, choices=OverrideReason.choices, blank=True)
    override_note = models.TextField(blank=True)
    thrive = models.JSONField(default=dict)
    grade = models.PositiveSmallIntegerField()
    caller_told = models.BooleanField(default=False)
    caller_told_text = models.TextField(blank=True)
    check_confirmations = models.JSONField(default=dict)
    downgraded = models.BooleanField(
        default=False,
        help_text="Police attendance was suggested but not sent, or the grade was lowered.",
    )

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"Decision on call {self.call_id}: {self.final_agency}"
