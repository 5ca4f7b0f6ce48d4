"""The processing log's hash chain: each row carries a SHA-256 over its content and the
previous row's hash, so that a row altered, deleted or inserted afterwards shows.

The database computes it as each row goes in, whoever writes it (a request, a task, the
import's COPY), so no writer can forget it:

- PostgreSQL: a BEFORE INSERT trigger takes a transaction-level advisory lock (concurrent
  writers queue for the chain's head until the holder commits), reads the head (the row
  with the highest ``seq``) and sets the new row's ``seq`` and ``hash``.
- SQLite: an AFTER INSERT trigger sets them, calling ``chain_hash`` (registered on every
  connection as the SQL function ``processing_log_hash``). SQLite's writers are already
  serialised (BEGIN IMMEDIATE, config/settings.py).

``seq`` is the place in the chain (1, 2, 3... with no gap); ids come from a sequence
before the lock, so two concurrent writers may chain in the other order than their ids.
The verifier (``verify_chain``) walks ``seq``. The same payload is built by the trigger's
SQL and by ``payload`` here: a test on each database holds them together.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
# Any constant: the key of the advisory lock that serialises the chain's writers.
ADVISORY_LOCK_KEY = 7_262_001
FIELDS = (
    "seq",
    "id",
    "at",
    "user_id",
    "username",
    "role",
    "operation",
    "object_type",
    "object_id",
    "justification",
    "recipient",
    "request_id",
)


def _at_text(value) -> str:
    """A timestamp as the chain hashes it: UTC, microseconds, ISO 8601 without offset."""
    if isinstance(value, str):  # SQLite's text form, "2026-12-07 23:10:28.123456", UTC
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def payload(values: dict) -> str:
    """Each field as ``<length>:<text>;`` (None as empty), so that no two different rows
    give the same text, whatever their fields hold."""
    parts = []
    for name in FIELDS:
        value = values[name]
        if value is None:
            text = ""
        elif name == "at":
            text = _at_text(value)
        else:
            text = str(value)
        parts.append(f"{len(text)}:{text};")
    return "".join(parts)


def chain_hash(previous: str, values: dict) -> str:
    return hashlib.sha256(((previous or GENESIS) + payload(values)).encode()).hexdigest()


def _sqlite_hash(previous, *values):
    return chain_hash(previous, dict(zip(FIELDS, values, strict=True)))


def register_sqlite_function(sender, connection, **kwargs):
    """connection_created receiver: the SQL function SQLite's chain trigger calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "processing_log_hash", 1 + len(FIELDS), _sqlite_hash, deterministic=True
        )


# -- the triggers (installed by migration core 0005) ---------------------------------------

_PG_PAYLOAD = " || ".join(
    f"length({expr}) || ':' || {expr} || ';'"
    for expr in (
        "NEW.seq::text",
        "NEW.id::text",
        "to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')",
        "COALESCE(NEW.user_id::text, '')",
        "NEW.username",
        "NEW.role",
        "NEW.operation",
        "NEW.object_type",
        "NEW.object_id",
        "NEW.justification",
        "NEW.recipient",
        "NEW.request_id",
    )
)

# Built from constants only (no input reaches these statements). The function's own
# search_path puts temporary tables last: a session's temporary "core_processinglog"
# cannot stand in for the log's head.
POSTGRESQL_TRIGGER = f"""
CREATE OR REPLACE FUNCTION core_processinglog_chain() RETURNS trigger AS $$
DECLARE
    head_seq bigint;
    head_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_KEY});
    SELECT seq, hash INTO head_seq, head_hash FROM core_processinglog
        WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    NEW.seq := COALESCE(head_seq, 0) + 1;
    NEW.hash := encode(sha256(convert_to(
        COALESCE(head_hash, '{GENESIS}') || {_PG_PAYLOAD}, 'UTF8')), 'hex');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp;
DROP TRIGGER IF EXISTS core_processinglog_chain ON core_processinglog;
CREATE TRIGGER core_processinglog_chain BEFORE INSERT ON core_processinglog
    FOR EACH ROW EXECUTE FUNCTION core_processinglog_chain();
"""  # noqa: S608
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS core_processinglog_chain ON core_processinglog;
DROP FUNCTION IF EXISTS core_processinglog_chain();
"""

_HEAD = "(SELECT {col} FROM core_processinglog WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1)"
SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER IF NOT EXISTS core_processinglog_chain AFTER INSERT ON core_processinglog
BEGIN
    UPDATE core_processinglog SET
        seq = COALESCE({_HEAD.format(col="seq")}, 0) + 1,
        hash = processing_log_hash(
            COALESCE({_HEAD.format(col="hash")}, ''),
            COALESCE({_HEAD.format(col="seq")}, 0) + 1,
            NEW.id, NEW.at, NEW.user_id, NEW.username, NEW.role, NEW.operation,
            NEW.object_type, NEW.object_id, NEW.justification, NEW.recipient, NEW.request_id)
    WHERE id = NEW.id;
END
""",  # noqa: S608
    # No UPDATE on SQLite either: the one allowed is the chain's own, on a new row. DELETE
    # is not refused there (Django's flush empties tables with it); the chain shows it.
    """
CREATE TRIGGER IF NOT EXISTS core_processinglog_no_update BEFORE UPDATE ON core_processinglog
WHEN OLD.hash != ''
BEGIN
    SELECT RAISE(ABORT, 'core_processinglog is append-only: UPDATE refused');
END
""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_processinglog_chain",
    "DROP TRIGGER IF EXISTS core_processinglog_no_update",
]

# The seals are append-only as the log is.
SEAL_POSTGRESQL_TRIGGER = """
DROP TRIGGER IF EXISTS core_processinglogseal_append_only ON core_processinglogseal;
CREATE TRIGGER core_processinglogseal_append_only
    BEFORE UPDATE OR DELETE ON core_processinglogseal
    FOR EACH ROW EXECUTE FUNCTION core_processinglog_refuse_change();
"""
SEAL_SQLITE_TRIGGERS = [
    """
CREATE TRIGGER IF NOT EXISTS core_processinglogseal_append_only
BEFORE UPDATE ON core_processinglogseal
BEGIN
    SELECT RAISE(ABORT, 'core_processinglogseal is append-only');
END
""",
]


# -- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    rows: int = 0
    last_id: int | None = None
    last_hash: str = ""


def _when(value) -> str:
    """A seal's time as people read it: 7 Dec 2026 04:00:01 UTC."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return f"{value.day} {value:%b %Y %H:%M:%S} UTC"
    return str(value)


def verify_chain(rows, seals) -> Verdict:
    """Walk ``rows`` (dicts with FIELDS and ``hash``, in ``seq`` order, rows without a
    ``seq`` last) and check each against the one before; then check every seal (dicts with
    sealed_at, last_seq, last_id, last_hash, count) against the rows. The first break is
    named: a row altered, a row inserted, rows deleted, rows missing at the end."""
    expected_seq, previous, before_previous = 1, GENESIS, None
    # Place 0 is the empty chain: a seal taken before any row records it.
    by_seq: dict[int, tuple[int | None, str]] = {0: (None, GENESIS)}
    last_id, count = None, 0
    for row in rows:
        if row["seq"] is None:
            return Verdict(False, f"Row id {row['id']} is outside the chain: it was inserted.")
        if row["seq"] != expected_seq:
            missing = row["seq"] - expected_seq
            return Verdict(
                False,
                f"{missing} row(s) deleted before row id {row['id']} "
                f"(chain places {expected_seq} to {row['seq'] - 1} are missing).",
            )
        if chain_hash(previous, row) != row["hash"]:
            if before_previous is not None and chain_hash(before_previous, row) == row["hash"]:
                return Verdict(
                    False,
                    f"Row id {last_id} was inserted into the chain (row id {row['id']} "
                    "follows the row before it).",
                )
            return Verdict(False, f"Row id {row['id']} was altered: its hash does not match.")
        before_previous, previous = previous, row["hash"]
        by_seq[row["seq"]] = (row["id"], row["hash"])
        last_id, count, expected_seq = row["id"], count + 1, expected_seq + 1
    for seal in seals:
        sealed = by_seq.get(seal["last_seq"])
        when = _when(seal["sealed_at"])
        if sealed is None:
            return Verdict(
                False,
                f"Rows missing at the end: the seal of {when} records {seal['count']} rows "
                f"ending at row id {seal['last_id']}; the log has {count}.",
            )
        if sealed != (seal["last_id"], seal["last_hash"]):
            return Verdict(
                False,
                f"Row id {sealed[0]} does not match the seal of {when} (it records row id "
                f"{seal['last_id']}): the chain was rewritten.",
            )
    return Verdict(True, "Intact.", rows=count, last_id=last_id, last_hash=previous)
