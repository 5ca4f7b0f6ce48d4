"""The repeat-caller policy: which calls, how many, within how long.

A policy version is data (``RepeatPolicy``); this module turns the live version into a
frozen ``Policy`` and publishes new versions. Everything that counts a dwelling's calls
for Operation Farmington takes its numbers from here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import DomainError
from core.rows import field_value

from ..models import RepeatPolicy

CHANNELS = ("999", "101")


@dataclass(frozen=True)
class Policy:
    """``threshold`` calls of ``channels`` from one dwelling within ``window`` (both ends
    included: a call exactly ``window`` before another is within it)."""

    threshold: int
    window_days: int
    channels: frozenset[str]
    version: int = 0
    pk: int | None = None

    @property
    def window(self) -> timedelta:
        # Days of 24 hours, whatever the clocks do: 30 days = 720 hours.
        return timedelta(days=self.window_days)

    def counts(self, channel: str) -> bool:
        return channel in self.channels

    def reached(self, calls_in_window: int) -> bool:
        """Whether ``calls_in_window`` counted calls (the last one included) reach the
        threshold."""
        return calls_in_window >= self.threshold

    def due(self, channel: str, calls_in_window: int) -> bool:
        """Whether a call of ``channel`` with ``calls_in_window`` (itself included)
        completes a window: it carries FLAG-FARMINGTON and opens a referral."""
        return channel in self.channels and calls_in_window >= self.threshold

    @property
    def channels_text(self) -> str:
        """The channels in words: "999 and 101 calls", "999 calls only"."""
        return RepeatPolicy.Channels(channels_value(self.channels)).label

    def describe(self) -> str:
        """The policy in a few words, as FLAG-FARMINGTON's wording names it:
        "3 calls in 30 days", "4 calls in 28 days (999 calls only)"."""
        text = f"{self.threshold} calls in {self.window_days} day{'s' * (self.window_days != 1)}"
        if self.channels != frozenset(CHANNELS):
            text += f" ({self.channels_text})"
        return text

    def __str__(self):
        return self.describe()


def channels_value(channels) -> str:
    """The stored form of a set of channels ("999,101", "999" or "101")."""
    return ",".join(c for c in CHANNELS if c in channels)


def policy_of(row: RepeatPolicy) -> Policy:
    return Policy(
        threshold=row.threshold,
        window_days=row.window_days,
        channels=frozenset(row.channels.split(",")),
        version=row.version,
        pk=row.pk,
    )


# Operation Farmington as Cambridgeshire runs it; the first version of every database
# (migration referrals/0003) and what a database without a live version starts with.
FIRST = Policy(threshold=3, window_days=30, channels=frozenset(CHANNELS), version=1)

# The live version by (id, published_at): a version never changes once published, but
# another may be published at any moment, by any process.
_LIVE: dict[tuple, Policy] = {}
LIVE_SQL = (
    f"SELECT id, published_at FROM {RepeatPolicy._meta.db_table} "  # noqa: S608 - metadata
    f"WHERE status = '{RepeatPolicy.Status.PUBLISHED.value}'"
)


def live_key(pk, published_at) -> tuple:
    return pk, field_value(RepeatPolicy._meta.get_field("published_at"), published_at)


def policy_current() -> Policy:
    """The live policy: one small query, then the version is read once per process."""
    with connection.cursor() as cursor:
        cursor.execute(LIVE_SQL)
        row = cursor.fetchone()
    return policy_for(live_key(*row) if row else None)


def policy_for(live: tuple | None) -> Policy:
    """``policy_current`` once the live version's (id, published_at) has been read (the
    intake reads it with its calls, in one statement)."""
    policy = _LIVE.get(live) if live else None
    if policy is None:
        row = RepeatPolicy.objects.filter(status=RepeatPolicy.Status.PUBLISHED).first()
        if row is None:
            row = _ensure_first()
        policy = policy_of(row)
        _LIVE.clear()
        _LIVE[live_key(row.pk, row.published_at)] = policy
    return policy


def _ensure_first() -> RepeatPolicy:
    """Publish the first policy when no version is live (a database emptied by tests, or
    never migrated with data). A concurrent first use that wins is taken instead."""
    try:
        with transaction.atomic():
            now = timezone.now()
            return RepeatPolicy.objects.create(
                version=(
                    RepeatPolicy.objects.order_by("-version")
                    .values_list("version", flat=True)
                    .first()
                    or 0
                )
                + 1,
                threshold=FIRST.threshold,
                window_days=FIRST.window_days,
                channels=channels_value(FIRST.channels),
                note="The first policy: 3 calls in 30 days.",
                status=RepeatPolicy.Status.PUBLISHED,
                created_at=now,
                published_at=now,
            )
    except IntegrityError:
        return RepeatPolicy.objects.get(status=RepeatPolicy.Status.PUBLISHED)


# --- writing versions -------------------------------------------------------------------


def parse_channels(value) -> str:
    """ "999", "101", "999,101" (either order, spaces allowed) or a list of them, as stored;
    ValueError with the message to show otherwise."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
    elif isinstance(value, list | tuple | set | frozenset):
        parts = [str(p).strip() for p in value]
    else:
        raise ValueError("Choose 999, 101 or both.")
    if not parts or any(p not in CHANNELS for p in parts):
        raise ValueError("Choose 999, 101 or both (for example 999,101).")
    return channels_value(set(parts))


def _validated(threshold, window_days, channels) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    low, high = RepeatPolicy.THRESHOLD_RANGE
    if (
        not isinstance(threshold, int)
        or isinstance(threshold, bool)
        or not low <= threshold <= high
    ):
        errors["threshold"] = [f"Enter a number of calls from {low} to {high}."]
    low, high = RepeatPolicy.WINDOW_DAYS_RANGE
    if (
        not isinstance(window_days, int)
        or isinstance(window_days, bool)
        or not low <= window_days <= high
    ):
        errors["window_days"] = [f"Enter a number of days from {low} to {high}."]
    try:
        channels = parse_channels(channels)
    except ValueError as exc:
        errors["channels"] = [str(exc)]
    return errors, {"threshold": threshold, "window_days": window_days, "channels": channels}


def _lock_versions() -> None:
    """One writer of versions at a time (numbering a draft, publishing one), until the
    transaction ends. Intakes only read the table and never wait for it. SQLite
    serialises writing transactions by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RepeatPolicy._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


@transaction.atomic
def policy_draft_create(
    *, threshold: int, window_days: int, channels="999,101", note: str = "", user=None
) -> RepeatPolicy:
    """A new draft version, to replay over past calls before publishing. DomainError with
    field messages on bad values; nothing is written then."""
    errors, values = _validated(threshold, window_days, channels)
    if not isinstance(note, str) or len(note) > 2000:
        errors["note"] = ["Write the note in at most 2,000 characters."]
    elif "\x00" in note:
        errors["note"] = ["Remove the NUL character from the note."]
    if errors:
        raise DomainError(errors=errors)
    _lock_versions()
    last = RepeatPolicy.objects.order_by("-version").first()
    if last is None:  # a database without the first version (emptied): it comes first
        last = _ensure_first()
    return RepeatPolicy.objects.create(
        version=(last.version if last else 0) + 1,
        note=note.strip(),
        created_by=user,
        **values,
    )


@transaction.atomic
def policy_publish(*, policy: RepeatPolicy, user=None, now: datetime | None = None) -> RepeatPolicy:
    """Make a draft the live policy, at once: intakes, imports and detection runs from now
    on count with it. The previous version is retired; referrals opened under it stay."""
    _lock_versions()
    policy = RepeatPolicy.objects.get(pk=policy.pk)
    if policy.status != RepeatPolicy.Status.DRAFT:
        raise DomainError(f"Version {policy.version} is not a draft: it cannot be published.")
    now = now or timezone.now()
    RepeatPolicy.objects.filter(status=RepeatPolicy.Status.PUBLISHED).update(
        status=RepeatPolicy.Status.RETIRED
    )
    policy.status = RepeatPolicy.Status.PUBLISHED
    policy.published_at = now
    policy.published_by = user
    policy.save(update_fields=["status", "published_at", "published_by"])
    _LIVE.clear()
    return policy


def policy_set(
    *, threshold: int, window_days: int, channels="999,101", note: str = "", user=None
) -> RepeatPolicy:
    """A new version, published at once (``manage.py repeat_policy --threshold ...``)."""
    with transaction.atomic():
        draft = policy_draft_create(
            threshold=threshold, window_days=window_days, channels=channels, note=note, user=user
        )
        return policy_publish(policy=draft, user=user)
