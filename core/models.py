from django.conf import settings
from django.db import models


class ProcessingLog(models.Model):
    """DPA 2018 s62 log: who did what to which record, when and why. Append-only.

    The app never updates or deletes a row (save/delete refuse); on PostgreSQL a trigger
    refuses UPDATE and DELETE as well. Erasure entries never hold the erased content.
    """

    class Operation(models.TextChoices):
        COLLECTION = "collection"
        ALTERATION = "alteration"
        CONSULTATION = "consultation"
        DISCLOSURE = "disclosure"
        COMBINATION = "combination"
        ERASURE = "erasure"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=40, blank=True)
    operation = models.CharField(max_length=20, choices=Operation.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    justification = models.CharField(max_length=500, blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.operation} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The processing log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The processing log is append-only.")
