"""The nightly consolidation of dwellings: its runs, the merges it (or a person) made,
and the pairs it asks triage staff to decide."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class ConsolidationRun(models.Model):
    """One pass of ``consolidate_dwellings`` (the nightly task or the command). The next
    run considers the dwellings created after this run's ``until`` (its watermark). A dry
    run is never stored."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (another run was going)"

    NIGHTLY = "nightly"  # the beat's run; "command" from manage.py
    trigger = models.CharField(max_length=20, default=NIGHTLY)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateTimeField(
        null=True, blank=True, help_text="Dwellings created after this (None: every one)."
    )
    until = models.DateTimeField(help_text="...and up to this moment: the next run's since.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    dwellings_considered = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Consolidation {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class DwellingMerge(models.Model):
    """One dwelling merged into another (the survivor, the older), with exactly the rows
    it moved, so that a split can put them back."""

    survivor = models.ForeignKey(
        "callers.Dwelling", on_delete=models.PROTECT, related_name="merges_received"
    )
    merged = models.ForeignKey(
        "callers.Dwelling", on_delete=models.PROTECT, related_name="merges_made"
    )
    score = models.FloatField(
        null=True, blank=True, help_text="The matcher's match weight (None: no score)."
    )
    run = models.ForeignKey(
        ConsolidationRun, null=True, blank=True, on_delete=models.PROTECT, related_name="merges"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The triage staff member who confirmed it (None: the nightly run).",
    )
    merged_at = models.DateTimeField(default=timezone.now)
    # {"calls": [ids], "referrals": [ids], "plans": [[id, version before, version after]],
    #  "closed_referral": id or None}
    moved = models.JSONField(default=dict)
    split_at = models.DateTimeField(null=True, blank=True)
    split_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    split_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            # A dwelling is merged into one survivor at a time, whoever runs concurrently.
            models.UniqueConstraint(
                fields=["merged"], condition=Q(split_at__isnull=True), name="one_live_merge"
            ),
            models.CheckConstraint(
                condition=~Q(survivor=F("merged")), name="merge_not_with_itself"
            ),
        ]

    def __str__(self):
        return f"Dwelling {self.merged_id} merged into {self.survivor_id}"

    @property
    def is_split(self) -> bool:
        return self.split_at is not None

    @property
    def likelihood(self) -> str:
        return likelihood(self.score)

    @property
    def by_label(self) -> str:
        if self.merged_by_id is not None:
            return f"Confirmed by {self.merged_by.get_username()}"
        return "Nightly consolidation"


class PossibleSameDwelling(models.Model):
    """Two dwellings the matcher thinks may be one household, for triage staff to confirm
    (a merge) or reject (never suggested again). ``first`` has the lower id."""

    class Status(models.TextChoices):
        OPEN = "open", "To decide"
        CONFIRMED = "confirmed", "Confirmed: merged"
        REJECTED = "rejected", "Rejected: two households"

    first = models.ForeignKey("callers.Dwelling", on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey("callers.Dwelling", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    run = models.ForeignKey(
        ConsolidationRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="possible_same_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="possible_same_order"),
        ]
        indexes = [models.Index(fields=["status", "score"])]

    def __str__(self):
        return f"Possible same dwelling: {self.first_id} and {self.second_id}"

    @property
    def likelihood(self) -> str:
        return likelihood(self.score)


def likelihood(score: float | None) -> str:
    """The matcher's score in words, for the team's lists (the thresholds are settings)."""
    if score is None:
        return "No score"
    if score >= settings.CONSOLIDATION_MERGE_WEIGHT:
        return "Very likely the same"
    middle = (settings.CONSOLIDATION_MERGE_WEIGHT + settings.CONSOLIDATION_SUGGEST_WEIGHT) / 2
    if score >= middle:
        return "Likely the same"
    return "Possibly the same"
