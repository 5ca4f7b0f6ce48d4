"""A handler's question to the control room's mental-health practitioners, and the answer.

Consult content is health data: it lives and dies with its call (deleted with it, blanked
when the call is anonymised; core.retention)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from triage.models import Call

QUESTION_MAX = 1000
ADVICE_MAX = 2000
NOTE_MAX = 2000
SERVICE_MAX = 200


class Consult(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        CLAIMED = "claimed", "Being answered"
        ANSWERED = "answered", "Answered"

    class Known(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "Not known"

    OPEN = (Status.WAITING, Status.CLAIMED)

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="consults")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    question = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consults_claimed",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    known_to_services = models.CharField(max_length=10, choices=Known.choices, blank=True)
    service = models.CharField(max_length=SERVICE_MAX, blank=True)
    advice = models.TextField(blank=True)
    recommended_agency = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001
    risk_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        indexes = [models.Index(fields=["status", "asked_at"], name="consult_status_asked")]
        constraints = [
            # One open question per call: the handler waits for the answer or it is answered.
            models.UniqueConstraint(
                fields=["call"],
                condition=Q(status__in=["waiting", "claimed"]),
                name="consult_one_open_per_call",
            )
        ]

    def __str__(self):
        return f"Consult {self.pk} on call {self.call_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def seconds_to_answer(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.asked_at).total_seconds()
