from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RepeatPolicy(models.Model):
    """A version of the Operation Farmington trigger: ``threshold`` calls within
    ``window_days`` days (counted in hours: 30 days = 720 hours, both ends included) from
    one dwelling, counting the calls of ``channels``. Like the rule set, a version is never
    edited once published: a change is a new version. Exactly one is live; each automatic
    referral records the version that opened it. ``referrals.farmington`` applies it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Live"
        RETIRED = "retired", "Retired"

    class Channels(models.TextChoices):
        BOTH = "999,101", "999 and 101 calls"
        EMERGENCY = "999", "999 calls only"
        NON_EMERGENCY = "101", "101 calls only"

    THRESHOLD_RANGE = (2, 20)
    WINDOW_DAYS_RANGE = (1, 365)

    version = models.PositiveIntegerField(unique=True)
    threshold = models.PositiveSmallIntegerField()
    window_days = models.PositiveSmallIntegerField()
    channels = models.CharField(max_length=7, choices=Channels.choices, default=Channels.BOTH)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="published"), name="one_live_repeat_policy"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=2, threshold__lte=20), name="repeat_threshold_range"
            ),
            models.CheckConstraint(
                condition=Q(window_days__gte=1, window_days__lte=365), name="repeat_window_range"
            ),
            models.CheckConstraint(
                condition=Q(channels__in=["999,101", "999", "101"]), name="repeat_channels_known"
            ),
        ]

    def __str__(self):
        return f"Repeat-caller policy v{self.version} ({self.get_status_display()})"


class DetectionRun(models.Model):
    """One run of repeat-caller detection (nightly task or command), shown to supervisors.
    Its table keeps the name it had when detection lived in callers."""

    class Status(models.TextChoices):
        RUNNING = "running"
        FINISHED = "finished"
        FAILED = "failed"
        SKIPPED = "skipped", "Skipped (another run was going)"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateTimeField(help_text="Calls received up to this moment were scanned.")
    full_history = models.BooleanField(default=False)
    NIGHTLY = "nightly"  # the beat's run; others: command, import, manual
    trigger = models.CharField(max_length=20, default=NIGHTLY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    calls_scanned = models.PositiveIntegerField(default=0)
    dwellings_found = models.PositiveIntegerField(default=0)
    referrals_opened = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "callers_detectionrun"
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Detection {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Referral.Status.CLOSED)


class Referral(models.Model):
    """An Operation Farmington referral of one dwelling to the multi-agency team.

    A dwelling has at most one open (not closed) referral: a partial unique constraint
    guarantees it whatever runs concurrently. Once closed, the dwelling may be referred again.
    """

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic (repeat calls)"
        MANUAL = "manual", "Manual (officer or partner agency)"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_REVIEW = "in_review", "In review"
        ACTION = "action", "Action"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        SUPPORT_IN_PLACE = "support_in_place", "Support in place with partner agencies"
        DEMAND_REDUCED = "demand_reduced", "Calls reduced; no further action needed"
        MOVED_AWAY = "moved_away", "Household moved away"
        SUPPORT_DECLINED = "support_declined", "Support offered and declined"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate for the scheme"
        OTHER = "other", "Other (explain in the note)"

    dwelling = models.ForeignKey(
        "callers.Dwelling", on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    referred_by = models.CharField(
        max_length=200, blank=True, help_text="Manual referrals: the officer or partner agency."
    )
    referral_reason = models.TextField(blank=True)
    triggered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the call completing the repeat-call window came."
    )
    trigger_calls = models.ManyToManyField("triage.Call", blank=True, related_name="+")
    # The repeat-caller policy version that opened an automatic referral (None: manual, or
    # opened before policies were versioned, under the first policy: 3 calls in 30 days).
    policy = models.ForeignKey(
        RepeatPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_activity_at = models.DateTimeField(default=timezone.now)
    flagged_inactive_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Put up for review after 90 days without activity; cleared by any activity.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dwelling"],
                condition=~Q(status="closed"),
                name="one_open_referral_per_dwelling",
            )
        ]
        indexes = [
            models.Index(fields=["status", "review_due"]),
            models.Index(fields=["status", "last_activity_at"]),
        ]

    def __str__(self):
        return f"Referral {self.pk} ({self.get_status_display()})"

    @property
    def source_label(self) -> str:
        """How the referral came, in words: an automatic one names the policy that opened
        it ("Automatic: 3 calls in 30 days")."""
        if self.source == self.Source.AUTOMATIC and self.referral_reason:
            return f"Automatic ({self.referral_reason})"
        return self.get_source_display()

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def next_statuses(self) -> list[tuple[str, str]]:
        """The statuses this referral may move to, as (value, label) pairs."""
        allowed = TRANSITIONS.get(self.status, frozenset())
        return [(value, label) for value, label in self.Status.choices if value in allowed]


_S = Referral.Status
# new → in review → action → monitoring → closed. Review can send a referral back to action
# or to review; any open referral may be closed with an outcome. Closed is final: a later
# concern about the dwelling opens a new referral.
TRANSITIONS: dict[str, frozenset[str]] = {
    _S.NEW: frozenset({_S.IN_REVIEW, _S.CLOSED}),
    _S.IN_REVIEW: frozenset({_S.ACTION, _S.MONITORING, _S.CLOSED}),
    _S.ACTION: frozenset({_S.IN_REVIEW, _S.MONITORING, _S.CLOSED}),
    _S.MONITORING: frozenset({_S.IN_REVIEW, _S.ACTION, _S.CLOSED}),
    _S.CLOSED: frozenset(),
}


class ReferralNote(models.Model):
    """A note on a referral. There are no private notes: every team member sees every note,
    so knowledge is not lost when one person is away."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note {self.pk} on referral {self.referral_id}"


class ReferralAction(models.Model):
    """Something the team did for the household, dated, with who did it."""

    class Kind(models.TextChoices):
        MH_TEAM_INFO = "mh_team_info", "Information from the control-room mental-health team"
        VULNERABILITY_SCREENING = (
            "vulnerability_screening",
            "Vulnerability screening (liaison and diversion)",
        )
        MULTI_AGENCY_MEETING = "multi_agency_meeting", "Multi-agency meeting (joint care plan)"
        WARNING_LETTER = "warning_letter", "Warning letter"
        CPW = "cpw", "Community Protection Warning (CPW)"
        CPN = "cpn", "Community Protection Notice (CPN)"
        SIGNPOSTING = "signposting", "Signposting to support"

    # Legal measures that may follow only a multi-agency meeting.
    NEEDS_MEETING = frozenset({Kind.CPW, Kind.CPN})

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    taken_on = models.DateField(help_text="The day the action was taken.")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)
    care_plan = models.TextField(
        blank=True, help_text="Multi-agency meetings: the joint care plan."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="multi_agency_meeting") | ~Q(care_plan=""),
                name="meeting_has_care_plan",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.taken_on}"


class ReferralReview(models.Model):
    """The weekly review meeting's decision on one referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    decision = models.TextField()
    status_after = models.CharField(max_length=12, choices=Referral.Status.choices)
    next_review = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "created_at", "id"]

    def __str__(self):
        return f"Review of referral {self.referral_id} on {self.held_on}"


class ReferralEvent(models.Model):
    """A change of ownership, status or review date: the referral's own history."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        ASSIGNED = "assigned", "Assigned"
        STATUS = "status", "Status changed"
        REVIEW_DUE = "review_due", "Review date set"
        FLAGGED_INACTIVE = "flagged_inactive", "Put up for review (no activity for 90 days)"
        PLAN_PUBLISHED = "plan_published", "Response plan published"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.detail}"
