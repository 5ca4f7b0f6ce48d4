import hashlib

from django.conf import settings
from django.db import models


class AppendOnlyError(PermissionError):
    """Raised on any attempt to change or delete a processing log entry."""

    def __init__(self):
        super().__init__("The processing log is append-only: entries cannot be changed or deleted.")


class ProcessingLogQuerySet(models.QuerySet):
    """Bulk paths refuse too: QuerySet.update/delete would otherwise bypass save/delete."""

    def update(self, **kwargs):
        raise AppendOnlyError

    def delete(self):
        raise AppendOnlyError

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError


class ProcessingLog(models.Model):
    """DPA 2018 s62 log: who did what to which record, when and why. Append-only.

    Logged: collection, alteration, consultation, disclosure (with the recipient),
    combination and erasure. The app never updates or deletes a row (save, delete and the
    queryset's bulk paths refuse); on PostgreSQL a trigger refuses UPDATE and DELETE as
    well. Erasure entries name the record (type and id), never the erased content.
    """

    class Operation(models.TextChoices):
        COLLECTION = "collection"
        ALTERATION = "alteration"
        CONSULTATION = "consultation"
        DISCLOSURE = "disclosure"
        COMBINATION = "combination"
        ERASURE = "erasure"

    at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="UTC.")
    # PROTECT: an account with processing history is deactivated, never deleted, so the
    # log keeps pointing at it (a SET_NULL would also be an UPDATE the trigger refuses).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=100, blank=True)
    operation = models.CharField(max_length=20, choices=Operation.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    justification = models.CharField(max_length=500, blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # The hash chain (core/chain.py), set by the database as the row goes in, whoever
    # writes it: the row's place in the chain (1, 2, 3... no gaps) and SHA-256 over its
    # content and the previous row's hash. Writers pass None and "".
    seq = models.BigIntegerField(null=True, unique=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = ProcessingLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["username", "at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.operation} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError


class ProcessingLogSeal(models.Model):
    """The head of the processing log's chain as it was at ``sealed_at`` (nightly): rows
    deleted from the end of the log leave the chain itself intact, but not its seals.
    Append-only, as the log; each seal is also written to the application log, which is
    shipped off the database (so a seal deleted with the rows still shows there)."""

    sealed_at = models.DateTimeField(auto_now_add=True, help_text="UTC.")
    last_seq = models.BigIntegerField(help_text="The chain place of the last row sealed.")
    last_id = models.BigIntegerField(null=True, help_text="Its id.")
    last_hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(help_text="Rows in the chain when sealed.")

    class Meta:
        ordering = ["sealed_at", "id"]

    def __str__(self):
        return f"seal {self.sealed_at:%Y-%m-%d %H:%M} at row {self.last_id} ({self.count} rows)"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for an integration. Only its SHA-256 is stored: the key is shown once.

    A token acts as its user (same roles). Revoking keeps the row for the audit trail.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses this token.")
    prefix = models.CharField(max_length=8, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.prefix}… ({self.name}, {self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
