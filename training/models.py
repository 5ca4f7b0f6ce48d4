"""Practice scenarios and the trainees' attempts at them.

A scenario holds a narrative and the RCRP facts, never its expected answer: that is the
live rule set's answer at the time of each attempt (training.selectors.expected_for), so
the library follows a newly published rule set. It holds no personal data: an address in
it is fictional. An attempt keeps what was expected at the time, so results stay true
after the rules change.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scenario(models.Model):
    title = models.CharField(max_length=200)
    narrative = models.TextField()
    # The engine's facts, every field but repeat_calls_30d (a practice call is a first call).
    facts = models.JSONField()
    shipped = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attempts"
    )
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="attempts")
    agency = models.CharField(max_length=40)
    police_attend = models.BooleanField()
    correct = models.BooleanField()
    expected_rule_id = models.CharField(max_length=40)
    expected_agency = models.CharField(max_length=40)
    expected_police_attend = models.BooleanField()
    ruleset_version = models.CharField(max_length=40)
    # The trainee's answers to the questions (the practice screen); null through the API.
    answers = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="training_attempt_user")]

    def __str__(self):
        return f"{self.user} on {self.scenario}"
