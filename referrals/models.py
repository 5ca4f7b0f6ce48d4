from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Referral(models.Model):
    """An Operation Farmington referral of one dwelling to the multi-agency team.

    A dwelling has at most one open (not closed) referral: a partial unique constraint
    guarantees it whatever runs concurrently.
    """

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic (3 calls in 30 days)"
        MANUAL = "manual", "Manual (officer or partner agency)"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_REVIEW = "in_review", "In review"
        ACTION = "action", "Action"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    dwelling = models.ForeignKey(
        "callers.Dwelling", on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    outcome = models.TextField(blank=True)
    referred_by = models.CharField(max_length=200, blank=True)
    referral_reason = models.TextField(blank=True)
    triggered_at = models.DateTimeField(
        null=True, blank=True, help_text="The call that completed the first 3-in-30-days window."
    )
    trigger_calls = models.ManyToManyField("triage.Call", blank=True, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_activity_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dwelling"],
                condition=~Q(status="closed"),
                name="one_open_referral_per_dwelling",
            )
        ]
        indexes = [models.Index(fields=["status", "review_due"])]

    def __str__(self):
        return f"Referral {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED
