"""Purpose-bound access: "why are you opening this?" (DPA 2018 s62 consultation logging).

Opening a referral's or a dwelling's full history outside a live call needs a short
justification. The answer is written to the processing log with every read, and is
remembered for that user and that record for ``JUSTIFICATION_TTL`` (a fixed window, not
sliding) within the same login, so a user working a case is not asked on every click.

Grants live in the cache, keyed by user and record and bound to the user's current login
(``last_login``): logging in again asks again. Reads are always logged, asked or not.
"""

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from core.errors import DomainError
from core.services import processing_log

JUSTIFICATION_TTL = timedelta(minutes=30)
MIN_LENGTH = 3
MAX_LENGTH = 500
HEADER = "X-Justification"
PARAM = "justification"
# Offered as suggestions (a datalist): the user may type anything else.
COMMON_PURPOSES = (
    "Weekly review meeting",
    "Preparing a multi-agency meeting",
    "Following up an action",
    "Request from a partner agency",
    "Writing or reviewing the response plan",
    "Supervision or quality check",
)


def clean_justification(raw) -> str:
    """The justification as stored, or DomainError when it is missing, too short or holds
    characters no text column takes (a NUL, other control characters)."""
    text = " ".join(str(raw or "").split())
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise DomainError(
            "Use words only: the reason contains a control character.", field="justification"
        )
    if len(text) < MIN_LENGTH:
        raise DomainError(
            "Say why you are opening this record (a few words).", field="justification"
        )
    return text[:MAX_LENGTH]


def _key(user, object_type: str, object_id) -> str:
    return f"consultation:{user.pk}:{object_type}:{object_id}"


def _login_stamp(user) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def justification_remember(*, user, objects, justification: str, now=None) -> None:
    """Remember ``justification`` for each (object_type, object_id) in ``objects``."""
    now = now or timezone.now()
    value = {"justification": justification, "login": _login_stamp(user), "at": now.timestamp()}
    timeout = int(JUSTIFICATION_TTL.total_seconds())
    cache.set_many({_key(user, t, i): value for t, i in objects}, timeout=timeout)


def justification_recent(*, user, object_type: str, object_id, now=None) -> str:
    """The justification this user gave for this record in this login, if still valid.

    The age is checked here, not left to the cache's expiry, so the window holds whatever
    the cache backend does."""
    value = cache.get(_key(user, object_type, object_id))
    if not value or value.get("login") != _login_stamp(user):
        return ""
    age = (now or timezone.now()).timestamp() - value.get("at", 0)
    if not 0 <= age < JUSTIFICATION_TTL.total_seconds():
        return ""
    return value.get("justification", "")


def justification_for(*, user, given, object_type: str, object_id, related=()) -> str:
    """Why ``user`` may read this record: ``given`` now (checked, then remembered for it
    and the ``related`` records), else the answer they gave it recently; "" when neither.
    ``given`` None means not given; DomainError when it is given but too short."""
    if given is None:
        return justification_recent(user=user, object_type=object_type, object_id=object_id)
    justification = clean_justification(given)
    justification_remember(
        user=user, objects=[(object_type, object_id), *related], justification=justification
    )
    return justification


def consultation_log(*, request, object_type: str, object_id="", justification: str) -> None:
    processing_log(
        user=request.user,
        operation="consultation",
        object_type=object_type,
        object_id=object_id,
        justification=justification,
        request=request,
    )
