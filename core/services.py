"""Writes owned by core: the processing log (DPA 2018 s62) and API tokens."""

import logging
import secrets

from django.db import transaction
from django.utils import timezone

from . import chain
from .errors import DomainError
from .inserts import insert_rows
from .middleware import current_request_id
from .models import ApiToken, ProcessingLog, ProcessingLogSeal, hash_token
from .roles import role_label

Operation = ProcessingLog.Operation
audit_log = logging.getLogger("core.audit")


def log_identity(user) -> dict:
    """Who a processing-log row names: the user's id, name and role, or the system for
    None (a nightly task, an import). By id: assigning the instance costs the ORM's
    relation checks on every entry."""
    if getattr(user, "is_authenticated", False):
        return {"user_id": user.pk, "username": user.get_username(), "role": role_label(user)}
    return {"user_id": None, "username": "system", "role": "system"}


def processing_log(
    *,
    user,
    operation: str,
    object_type: str,
    object_id="",
    justification: str = "",
    recipient: str = "",
    request=None,
) -> ProcessingLog:
    """Record one DPA 2018 s62 processing event (collection, consultation, disclosure...).

    ``user`` None (or anonymous) records the system (a nightly task). The request id comes
    from ``request`` or, when a service is called below a view, from the current request.
    Never pass personal data in ``justification`` for an erasure: the log holds no content.
    """
    request_id = getattr(request, "request_id", "") if request is not None else ""
    entry = _entry(
        log_identity(user),
        operation=operation,
        object_type=object_type,
        object_id=object_id,
        justification=justification,
        recipient=recipient,
        request_id=request_id or current_request_id(),
    )
    entry.save(force_insert=True)
    return entry


# Built once: a Choices class's ``values`` is a new list at every use.
_OPERATIONS = frozenset(Operation.values)


def _entry(who: dict, **event) -> ProcessingLog:
    return ProcessingLog(**_entry_values(who, **event))


def _entry_values(
    who: dict, *, operation, object_type, object_id, justification="", recipient="", request_id
) -> dict:
    if operation not in _OPERATIONS:
        raise ValueError(f"Unknown processing operation {operation!r}")
    return {
        **who,
        "operation": operation,
        "object_type": object_type,
        "object_id": str(object_id),
        "justification": justification[:500],
        "recipient": recipient[:200],
        "request_id": request_id,
        # Set by the database as the row goes in (core/chain.py).
        "seq": None,
        "hash": "",
    }


def log_object(*, user, operation: str, obj, justification: str = "", recipient: str = ""):
    """processing_log for a model instance: its type is the model name, its id the pk."""
    return processing_log(
        user=user,
        operation=operation,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        justification=justification,
        recipient=recipient,
    )


# More events than this (a nightly batch) are written in batches of this many rows.
LOG_BATCH = 500


def log_objects(*, user, events) -> None:
    """Several events about model instances in one insert: ``events`` is
    (operation, obj, justification) triples, as ``log_object`` takes them one by one.
    Every intake writes some, so they go in as rows, without building model instances."""
    log_rows_write(
        log_rows(
            user=user,
            events=[
                (operation, obj._meta.model_name, obj.pk, justification)
                for operation, obj, justification in events
            ],
        )
    )


def log_rows(*, user, events) -> list[dict]:
    """The processing-log rows ({attname: value}) of ``events``, given as
    (operation, object_type, object_id, justification), by ``user`` on this request: for
    ``log_rows_write``, or a writer of its own (import_calls copies millions)."""
    who, request_id, at = log_identity(user), current_request_id(), timezone.now()
    return [
        {
            **_entry_values(
                who,
                operation=operation,
                object_type=object_type,
                object_id=object_id,
                justification=justification,
                request_id=request_id,
            ),
            "at": at,
        }
        for operation, object_type, object_id, justification in events
    ]


def log_rows_write(rows: list[dict]) -> None:
    """Insert ``log_rows``: one statement, or batches of LOG_BATCH in one transaction."""
    if len(rows) <= LOG_BATCH:  # one statement: no transaction of its own needed
        insert_rows(ProcessingLog, rows)
        return
    with transaction.atomic(savepoint=False):  # all of the batches, or none
        for start in range(0, len(rows), LOG_BATCH):
            insert_rows(ProcessingLog, rows[start : start + LOG_BATCH])


def linked_to_dwelling(dwelling_id) -> str:
    """The justification of a call's combination with its dwelling (intake, import)."""
    return f"linked to dwelling {dwelling_id}"


def log_shown(*, user, objects, object_type: str, justification: str) -> None:
    """A list, search or queue page read: one consultation per record shown, or, when it
    showed none, one entry without an id (a probe for a record leaves a trace too)."""
    if objects:
        log_objects(
            user=user, events=[(Operation.CONSULTATION, obj, justification) for obj in objects]
        )
    else:
        processing_log(
            user=user,
            operation=Operation.CONSULTATION,
            object_type=object_type,
            justification=justification,
        )


def log_collection(*, user, obj, justification: str = ""):
    """A record was created from what someone told us (a call, a dwelling, a referral)."""
    return log_object(
        user=user, operation=Operation.COLLECTION, obj=obj, justification=justification
    )


def log_alteration(*, user, obj, justification: str = ""):
    """A record's content changed (a decision, a status change, a note)."""
    return log_object(
        user=user, operation=Operation.ALTERATION, obj=obj, justification=justification
    )


def log_consultation(*, user, obj, justification: str):
    """Someone looked at a record; outside a live call ``justification`` is the answer to
    "why are you opening this?"."""
    return log_object(
        user=user, operation=Operation.CONSULTATION, obj=obj, justification=justification
    )


def log_disclosure(
    *, user, object_type: str, object_id="", recipient: str, justification: str = "", request=None
):
    """Data left the system (an export, a referral sent to a partner): name the recipient."""
    if not recipient.strip():
        raise DomainError("Name the recipient of the disclosure.", field="recipient")
    return processing_log(
        user=user,
        operation=Operation.DISCLOSURE,
        object_type=object_type,
        object_id=object_id,
        recipient=recipient,
        justification=justification,
        request=request,
    )


def log_erasures(*, user, rows, justification: str) -> int:
    """Log the erasure of many rows at once: ``rows`` is (object_type, object_id) pairs.

    The entries hold only the type and id, never what was erased.
    """
    who, request_id = log_identity(user), current_request_id()
    entries = [
        _entry(
            who,
            operation=Operation.ERASURE,
            object_type=object_type,
            object_id=object_id,
            justification=justification,
            request_id=request_id,
        )
        for object_type, object_id in rows
    ]
    ProcessingLog.objects.bulk_create(entries, batch_size=500)
    return len(entries)


# API tokens ---------------------------------------------------------------------------

TOKEN_BYTES = 32


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns (token, key). Only the key's hash is stored,
    so the key can be shown once and never again."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Say what the token is for.", field="name")
    if len(name) > 100:
        raise DomainError("At most 100 characters.", field="name")
    if not user.is_active:
        raise DomainError("The account is inactive.", field="user")
    key = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_token(key))
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once (kept, marked revoked). Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def password_change(*, user, new_password: str, keep_session_key: str | None = None) -> int:
    """Set ``user``'s own password (checked by the caller's form against the current one
    and AUTH_PASSWORD_VALIDATORS) and end every other session of theirs (ASVS 6.2.2,
    7.4.3): a thief holding an old session loses it. The session ``keep_session_key``
    survives (the caller then re-signs it with update_session_auth_hash). Returns how
    many sessions ended. Django would already refuse the old sessions at their next
    request (their password hash no longer matches); deleting them says so plainly."""
    from django.contrib.sessions.models import Session

    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def processing_log_head() -> dict:
    """The head of the processing log's chain: last seq, id and hash (zeros if empty)."""
    head = (
        ProcessingLog.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values("seq", "id", "hash")
        .first()
    )
    return head or {"seq": 0, "id": None, "hash": chain.GENESIS}


@transaction.atomic
def processing_log_seal() -> ProcessingLogSeal:
    """Seal the head of the processing log's chain (nightly): its last row's place, id and
    hash, and the count, in ProcessingLogSeal and in the application log (shipped off the
    database), so that rows deleted from the end of the log show at verification."""
    head = processing_log_head()
    seal = ProcessingLogSeal(
        last_seq=head["seq"], last_id=head["id"], last_hash=head["hash"], count=head["seq"]
    )
    seal.save(force_insert=True)
    audit_log.info(
        "processing log sealed: last_id=%s seq=%s count=%s hash=%s",
        seal.last_id,
        seal.last_seq,
        seal.count,
        seal.last_hash,
    )
    return seal
