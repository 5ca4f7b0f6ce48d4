"""Historical import of calls from CSV or JSON Lines (``manage.py import_calls``).

Policy: every row is validated before anything is written, with the rules of intake
(channel 999/101, an address, an ISO-8601 ``received_at`` with a UTC offset and not in the
future, RCRP facts parsed strictly by the engine; a fact left out takes its neutral default
from ``triage.engine.FACT_FIELDS``, and ``concern_type`` and ``caller_type``, which have
none, are required). By default one bad row means nothing is imported; with
``skip_invalid`` the good rows are imported and the bad ones written to a rejects file.

Calls do not go through ``call_create`` one by one: dwellings are resolved in batches by
``dwellings_resolve_many`` (cached by dwelling key), each call's repeat count
(``repeat_calls_30d``, with FLAG-FARMINGTON from the third call in 30 days, as at intake)
is computed from the imported rows and the calls already stored, the engine's suggestion
comes from the live rule set, and the calls are bulk-inserted in one transaction with
their processing-log entries (collected, and linked to a dwelling, by the system, as at
intake): a failure leaves none of them behind. The dashboards' aggregates are rebuilt for
the days imported, and detection runs over the full history, so repeat callers get their
referrals. Importing one file twice imports its calls twice.

Messages (printed, and the rejects file's reasons) name the line, the field and what is
allowed, never the value: a value in the wrong column may be a phone number or an address,
and personal data stays out of logs (issue 7). The rejects file itself holds the rejected
records as they were, to be fixed and imported again.
"""

import csv
import json
import re
import sys
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from callers.addresses import parse_address
from callers.services import dwellings_resolve_many
from core.models import ProcessingLog
from core.services import Operation, linked_to_dwelling, log_rows, log_rows_write
from dashboards.services import stats_rebuild
from referrals import farmington

from . import engine
from .models import Call
from .selectors import ruleset_current
from .services import MAX_ADDRESS, MAX_NARRATIVE, received_at_error

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
REQUIRED = ("received_at", "channel", "address")
OPTIONAL = ("narrative",)
FACT_NAMES = tuple(spec.name for spec in engine.FACT_FIELDS)
# The app counts repeat calls itself (as at intake): a value in the file is ignored.
IGNORED_FACTS = ("repeat_calls_30d",)
CHANNELS = tuple(Call.Channel.values)
COLUMNS = frozenset(REQUIRED + OPTIONAL + FACT_NAMES)
# Columns written to a rejects file; ignored on reading, so a fixed rejects file re-imports.
REJECT_PREFIX = "reject_"
TRUE = {"true", "t", "yes", "y", "1"}
FALSE = {"false", "f", "no", "n", "0"}
RESOLVE_BATCH = 2_000
LONDON = ZoneInfo("Europe/London")
MAX_SHOWN = 1_000
# The processing log's justification for the collection of an imported call.
IMPORT_JUSTIFICATION = "historical import (import_calls)"
# Characters no database column takes (PostgreSQL refuses NUL; UTF-8 has no lone
# surrogates, which a JSON "\ud800" escape gives): intake's serializer refuses both.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ImportFileError(Exception):
    """The file cannot be imported at all (missing, unknown format, bad header)."""


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejects_path: Path | None = None
    detection_run: object = None
    errors_shown: int = 0
    timings: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Row:
    """A valid row, ready to become a call (repeat count and dwelling still to come)."""

    received_at: datetime
    channel: str
    address: str
    narrative: str
    facts: engine.Facts


# --- reading ------------------------------------------------------------------------------


# Fact fields are optional in an import (issue 4). The two questions a handler must answer
# have no neutral answer; a historical call recorded without them is taken as the commonest
# case, a welfare check reported by the public (documented in README).
IMPORT_DEFAULTS = {"concern_type": "welfare_check", "caller_type": "public"}


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in ("csv", "jsonl"):
            raise ImportFileError(f"unknown format {fmt!r}: use csv or jsonl")
        return fmt
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise ImportFileError(
            f"cannot tell the format of {path.name} from its extension "
            "(.csv, .jsonl or .ndjson): pass --format csv or --format jsonl"
        )
    return found


def _csv_records(handle) -> Iterator[tuple[int, dict | None, object, str]]:
    """(line, fields or None, original record, error) for each CSV record.

    Strict: a quote left open, even near the end of the file, is an error rather than a
    field that silently swallows every line after it. A record with a field past the csv
    module's size limit is a bad row when it can be read to its end (see ``_reread``)."""
    record_lines: list[str] = []  # the physical lines of the record being read

    def lines():
        for text in handle:
            record_lines.append(text)
            yield text

    source = lines()
    reader = csv.reader(source, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("the file is empty (no header row)") from None
    except csv.Error as exc:
        raise ImportFileError(
            f"line 1: the header cannot be read as CSV ({_csv_problem(exc)})"
        ) from None
    names = [name.strip().lower() for name in header]
    unknown = [n for n in names if n not in COLUMNS and not n.startswith(REJECT_PREFIX)]
    if unknown and set(unknown) - set(IGNORED_FACTS):
        bad = set(unknown) - set(IGNORED_FACTS)
        allowed = f"allowed: {', '.join(REQUIRED + OPTIONAL)} and the RCRP fact names"
        if _look_like_names(bad):
            raise ImportFileError(
                f"unknown column(s) in the header: {', '.join(sorted(bad))}; {allowed}"
            )
        # Not shown: a file without its header row has a call's data in line 1.
        raise ImportFileError(
            f"the header has {len(bad)} unknown column(s) that do not look like column names "
            f"(not shown; is the header row missing?); {allowed}"
        )
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise ImportFileError(f"the header lacks required column(s): {', '.join(missing)}")
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        shown = ", ".join(sorted(duplicated)) if _look_like_names(duplicated) else "not shown"
        raise ImportFileError(f"duplicated column(s): {shown}")
    kept = [
        (i, name)
        for i, name in enumerate(names)
        if not name.startswith(REJECT_PREFIX) and name not in IGNORED_FACTS
    ]
    yield 1, None, header, ""  # the header, for a rejects file
    skipped = 0  # lines read past the reader, by _reread
    line = reader.line_num + 1
    while True:
        start = line
        record_lines.clear()
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if not _too_long(exc):
                # Most likely a quote left open, which has swallowed the lines after it
                # to the end of the file: where the next record starts is unknown, so
                # nothing after it can be trusted.
                raise ImportFileError(
                    f"line {start}: cannot be read as CSV ({exc}); check its quotes"
                ) from None
            record, more = _reread(record_lines, source, start)
            skipped += more
            line = reader.line_num + skipped + 1
            limit = csv.field_size_limit()
            errors = [
                f"{names[i] if i < len(names) else 'a field'}: longer than the CSV field "
                f"limit ({limit:,} characters)"
                for i, value in enumerate(record)
                if len(value) > limit
            ]
            if len(record) != len(names):
                errors.append(f"has {len(record)} fields; the header has {len(names)}")
            yield start, None, record, "; ".join(errors)
            continue
        line = reader.line_num + skipped + 1
        if not record or record == [""]:
            continue
        if len(record) != len(names):
            yield start, None, record, f"has {len(record)} fields; the header has {len(names)}"
            continue
        yield start, {name: record[i] for i, name in kept}, record, ""


# A record with a field past the csv module's limit is read again with this limit: past
# it, or without an end before the end of the file, the record is taken for a quote left
# open and the file cannot be read on.
MAX_FIELD = 16 * 2**20


def _too_long(exc: csv.Error) -> bool:
    return str(exc).startswith("field larger than field limit")


def _csv_problem(exc: csv.Error) -> str:
    if _too_long(exc):
        return f"a field is longer than the limit of {csv.field_size_limit():,} characters"
    return str(exc)


def _reread(lines: list[str], source: Iterator[str], start: int) -> tuple[list[str], int]:
    """The record of line ``start`` that the csv module refused for a field past its
    limit, and how many lines after ``lines`` (those the reader had taken) it spans.

    The reader drops the rest of the line where it stopped and starts afresh on the next
    one, which may be the middle of a quoted field; so the record is read again, whole,
    with a higher limit and as strictly, taking its further lines from ``source``. Raises
    ImportFileError when its end cannot be found (a quote left open)."""
    taken = list(lines)
    more = 0

    def again():
        nonlocal more
        yield from taken
        for text in source:
            more += 1
            yield text

    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, MAX_FIELD))
    try:
        return next(csv.reader(again(), strict=True)), more
    except (csv.Error, StopIteration) as exc:
        raise ImportFileError(
            f"line {start}: cannot be read as CSV (a field is longer than the limit of "
            f"{limit:,} characters and the end of its record cannot be found: "
            f"{str(exc) or 'end of file'}); check its quotes"
        ) from None
    finally:
        csv.field_size_limit(limit)


# Column and field names are shown only when they look like names: a file without its
# header row, or a JSON key in the wrong place, may hold an address or a phone number.
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,39}", re.IGNORECASE)


def _look_like_names(names) -> bool:
    return all(isinstance(n, str) and _NAME.fullmatch(n) for n in names)


def _jsonl_records(handle) -> Iterator[tuple[int, dict | None, object, str]]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        raw = text.rstrip("\r\n")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, None, raw, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        except ValueError as exc:  # a number past Python's limit on integer digits
            yield number, None, raw, f"not valid JSON ({str(exc).split(':')[0]})"
            continue
        except RecursionError:
            yield number, None, raw, "not valid JSON (nested too deeply)"
            continue
        if not isinstance(data, dict):
            yield number, None, raw, "must be a JSON object"
            continue
        facts = data.get("facts")
        fields = {
            k: v
            for k, v in data.items()
            if k != "facts" and not k.startswith(REJECT_PREFIX) and k not in IGNORED_FACTS
        }
        if facts is not None:
            if not isinstance(facts, dict):
                yield number, None, raw, "facts: must be an object"
                continue
            fields.update((k, v) for k, v in facts.items() if k not in IGNORED_FACTS)
        yield number, fields, data, ""


def records(path: Path, fmt: str):
    """(line, fields, original, error) for every record of the file; line 1 of a CSV is
    its header (fields None)."""
    try:
        with path.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None) as handle:
            yield from (_csv_records if fmt == "csv" else _jsonl_records)(handle)
    except FileNotFoundError:
        raise ImportFileError(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 text (byte {exc.start})") from None


# --- validating -----------------------------------------------------------------------------


def _csv_value(spec: engine.FactSpec, text: str):
    """A CSV cell as the JSON value the engine expects ("" is left out: the default)."""
    text = text.strip()
    if spec.kind == "enum":
        return text
    low = text.lower()
    if low in ("null", "none") and spec.nullable:
        return None
    if spec.kind == "bool":
        if low in TRUE:
            return True
        if low in FALSE:
            return False
        return text  # the engine says what it must be
    if spec.kind == "flags":
        if low in ("[]", "none"):
            return []
        return [part.strip() for part in text.replace("|", ";").split(";") if part.strip()]
    try:
        return int(text) if spec.kind == "int" else float(text)
    except ValueError:
        return text


class Validator:
    """Checks one row with intake's rules; caches fact sets (a file repeats them)."""

    def __init__(self, *, fmt: str, now: datetime):
        self.csv = fmt == "csv"
        self.now = now
        self._facts: dict = {}

    def facts(self, fields: dict) -> engine.Facts | str:
        raw = {name: fields[name] for name in FACT_NAMES if name in fields}
        if self.csv:
            cache_key = tuple(raw.get(name, "").strip() for name in FACT_NAMES)
        else:
            cache_key = json.dumps(raw, sort_keys=True, default=str)
        cached = self._facts.get(cache_key)
        if cached is not None:
            return cached
        data, missing = {}, []
        for spec in engine.FACT_FIELDS:
            if spec.name == "repeat_calls_30d":
                data[spec.name] = 1
                continue
            value = raw.get(spec.name, _ABSENT)
            if self.csv and value is not _ABSENT:
                value = _ABSENT if not value.strip() else _csv_value(spec, value)
            if value is _ABSENT and spec.name in IMPORT_DEFAULTS:
                value = IMPORT_DEFAULTS[spec.name]
            if value is _ABSENT:
                if spec.default is None and not spec.nullable:
                    missing.append(spec.name)
                    continue
                value = list(spec.default) if spec.kind == "flags" else spec.default
            data[spec.name] = value
        if missing:
            result = "; ".join(f"{name}: required (it has no default)" for name in missing)
        else:
            try:
                result = engine.parse_facts(data)
            except engine.FactsError as exc:
                result = "; ".join(
                    f"{k}: {' '.join(_without_value(k, m) for m in v)}"
                    for k, v in exc.errors.items()
                )
        if len(self._facts) < 100_000:
            self._facts[cache_key] = result
        return result

    def row(self, fields: dict) -> Row | str:
        """The valid row, or the reasons it is not, as one line."""
        errors = []
        unknown = sorted(k for k in fields if k not in COLUMNS)
        if unknown:
            if _look_like_names(unknown):
                errors.append(f"unknown field(s): {', '.join(unknown)}")
            else:
                errors.append(f"{len(unknown)} unknown field(s) (names not shown)")
        received_at = self._received_at(fields.get("received_at"), errors)
        channel = fields.get("channel")
        if isinstance(channel, int) and not isinstance(channel, bool):
            channel = str(channel)
        if isinstance(channel, str):
            channel = channel.strip()
        if channel not in CHANNELS:
            errors.append(f"channel: must be one of {', '.join(CHANNELS)}")
        address = fields.get("address")
        if not isinstance(address, str) or not address.strip():
            errors.append("address: required")
        elif len(address) > MAX_ADDRESS:
            errors.append(f"address: at most {MAX_ADDRESS} characters (got {len(address)})")
        elif _UNSTORABLE.search(address):
            errors.append("address: contains a NUL character or an unpaired surrogate")
        narrative = fields.get("narrative") or ""
        if not isinstance(narrative, str):
            errors.append("narrative: must be text")
        elif len(narrative) > MAX_NARRATIVE:
            errors.append(f"narrative: at most {MAX_NARRATIVE} characters (got {len(narrative)})")
        elif _UNSTORABLE.search(narrative):
            errors.append("narrative: contains a NUL character or an unpaired surrogate")
        facts = self.facts(fields)
        if isinstance(facts, str):
            errors.append(facts)
        if errors:
            return "; ".join(errors)
        return Row(received_at, channel, address.strip(), narrative, facts)

    def _received_at(self, value, errors) -> datetime | None:
        if not isinstance(value, str) or not value.strip():
            errors.append("received_at: required (ISO-8601 with a UTC offset)")
            return None
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.append("received_at: not an ISO-8601 date-time (e.g. 2025-01-31T14:05:00Z)")
            return None
        if timezone.is_naive(moment):
            errors.append("received_at: has no UTC offset (add one, e.g. +00:00 or Z)")
            return None
        problem = received_at_error(moment, self.now)  # intake's rules
        if problem:
            errors.append(f"received_at: {problem}")
            return None
        return moment


_ABSENT = object()


def _without_value(name: str, message: str) -> str:
    """The engine's message about a fact, without the value it quotes: the message goes
    to the terminal and to logs, and a value in the wrong column may be a phone number or
    an address (issue 7). The reason and what is allowed are kept."""
    spec = engine.FACTS_BY_NAME.get(name)
    if spec is None or not spec.choices:
        return message
    if spec.kind == "enum" and "is not one of" in message:
        return f"must be one of: {', '.join(spec.choices)}."
    if spec.kind == "flags" and message.startswith("Unknown value"):
        return f"unknown value(s); allowed: {', '.join(spec.choices)}."
    return message


# --- the import -----------------------------------------------------------------------------


class _Rejects:
    """The rejects file: the original record plus its line and reason."""

    def __init__(self, path: Path, fmt: str):
        # Written beside its place and moved there once the whole file has been read: an
        # import that stops leaves neither a partial rejects file nor a clobbered one.
        self.path, self.fmt = path, fmt
        self.partial = path.with_name(f"{path.name}.partial")
        self.handle = self.partial.open("w", encoding="utf-8", newline="" if fmt == "csv" else None)
        self.writer = csv.writer(self.handle) if fmt == "csv" else None

    def header(self, header: list[str]):
        self.writer.writerow([*header, "reject_line", "reject_reason"])

    def write(self, line: int, original, reason: str):
        if self.fmt == "csv":
            self.writer.writerow([*original, line, reason])
        else:
            if isinstance(original, dict):
                record = {**original, "reject_line": line, "reject_reason": reason}
            else:
                record = {"reject_line": line, "reject_reason": reason, "reject_original": original}
            text = json.dumps(record, ensure_ascii=False)
            if _UNSTORABLE.search(text):  # an unpaired surrogate: keep its escape
                text = json.dumps(record)
            self.handle.write(text + "\n")

    def close(self, *, keep: bool):
        self.handle.close()
        if keep:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)


class _Progress:
    def __init__(self, log, every: int, verb: str):
        self.log, self.every, self.verb = log, every, verb
        self.started = time.perf_counter()

    def tick(self, count: int):
        if self.every and count % self.every == 0:
            rate = count / max(time.perf_counter() - self.started, 1e-9)
            self.log(f"{self.verb} {count:,} rows ({rate:,.0f} rows/s)")


def import_calls(
    path: Path | str,
    *,
    fmt: str | None = None,
    skip_invalid: bool = False,
    rejects_path: Path | str | None = None,
    batch_size: int = 5_000,
    progress_every: int = 100_000,
    detect: bool = True,
    now: datetime | None = None,
    log: Callable[[str], None] | None = None,
) -> ImportReport:
    """Validate every row, then import the calls (see the module docstring).

    ``log`` receives progress and one line per bad row. Raises ``ImportFileError`` for a
    file that cannot be read at all; returns the report otherwise (``imported`` is 0 when
    bad rows stopped the import).
    """
    path = Path(path)
    log = log or (lambda message: print(message, file=sys.stderr))
    fmt = detect_format(path, fmt)
    now = now or timezone.now()
    report = ImportReport()
    started = time.perf_counter()
    if skip_invalid and rejects_path is None:
        rejects_path = path.with_name(f"{path.name}.rejects{path.suffix or '.' + fmt}")
    rejects = _Rejects(Path(rejects_path), fmt) if rejects_path else None
    try:
        valid = _validate(path, fmt, now, report, rejects, log, progress_every)
    except BaseException:
        if rejects is not None:
            rejects.close(keep=False)
        raise
    if rejects is not None:
        rejects.close(keep=True)
    report.rejects_path = rejects.path if rejects and report.rejected else None
    report.timings["validate"] = time.perf_counter() - started
    if report.rejected and not skip_invalid or not valid.count:
        report.seconds = time.perf_counter() - started
        return report

    t = time.perf_counter()
    dwelling_ids = _resolve_dwellings(valid, log)
    report.timings["dwellings"] = time.perf_counter() - t
    t = time.perf_counter()
    # The policy in force when the import runs applies to every call it considers.
    policy = farmington.policy_current()
    repeats = _repeat_counts(valid, dwelling_ids, policy)
    report.timings["repeat_counts"] = time.perf_counter() - t
    t = time.perf_counter()
    report.imported = _insert(
        path, fmt, now, valid, dwelling_ids, repeats, policy, batch_size, log, progress_every
    )
    report.timings["insert"] = time.perf_counter() - t
    t = time.perf_counter()
    _rebuild_dashboards(valid)
    report.timings["dashboards"] = time.perf_counter() - t
    if detect:
        t = time.perf_counter()
        report.detection_run = farmington.detect_repeat_callers(
            full_history=True, trigger="import", policy=policy
        )
        report.timings["detection"] = time.perf_counter() - t
    report.seconds = time.perf_counter() - started
    return report


def _evaluated(facts, suggestion, ruleset, as_json: bool) -> dict:
    """The columns that follow from the facts; JSON as text for COPY."""
    facts_value, suggestion_value = engine.facts_to_dict(facts), suggestion.to_dict()
    if as_json:
        facts_value, suggestion_value = json.dumps(facts_value), json.dumps(suggestion_value)
    return {
        "facts": facts_value,
        "concern_type": facts.concern_type,
        "repeat_calls_30d": facts.repeat_calls_30d,
        "ruleset_id": ruleset.pk,
        "rule_id": suggestion.rule_id,
        "suggested_agency": suggestion.agency,
        "suggested_police_attend": suggestion.police_attend,
        "suggestion": suggestion_value,
    }


def _rebuild_dashboards(valid: "_Valid"):
    """The dashboards' aggregates are kept by intake; imported calls bypass it, so the
    London days they fall on are recomputed (set-based)."""

    first, last = (
        datetime.fromtimestamp(t, tz=UTC).astimezone(LONDON).date()
        for t in (min(valid.times), max(valid.times))
    )
    stats_rebuild(start=first, end=last)


@dataclass
class _Valid:
    """The valid rows, compactly: line, dwelling key (index) and time of each."""

    lines: array = field(default_factory=lambda: array("q"))
    keys: array = field(default_factory=lambda: array("q"))  # -1: no dwelling named
    times: array = field(default_factory=lambda: array("d"))
    channels: list = field(default_factory=list)
    key_index: dict = field(default_factory=dict)  # key -> index
    first: list = field(default_factory=list)  # index -> (address, parsed)

    @property
    def count(self) -> int:
        return len(self.lines)


def _validate(path, fmt, now, report, rejects, log, progress_every) -> _Valid:
    validator = Validator(fmt=fmt, now=now)
    valid = _Valid()
    parsed_cache: dict[str, object] = {}
    progress = _Progress(log, progress_every, "validated")
    for line, fields, original, error in records(path, fmt):
        if fields is None and not error:
            if rejects is not None:
                rejects.header(original)
            continue
        report.rows += 1
        row = error or validator.row(fields)
        if isinstance(row, str):
            report.rejected += 1
            if report.rejected <= MAX_SHOWN:
                log(f"line {line}: {row}")
            if rejects is not None:
                rejects.write(line, original, row)
        else:
            parsed = parsed_cache.get(row.address)
            if parsed is None:
                parsed = parse_address(row.address)
                if len(parsed_cache) > 200_000:
                    parsed_cache.clear()
                parsed_cache[row.address] = parsed
            key = parsed.key if parsed is not None else ""
            index = -1
            if key:
                index = valid.key_index.get(key)
                if index is None:
                    index = valid.key_index[key] = len(valid.first)
                    valid.first.append((row.address, parsed))
            valid.lines.append(line)
            valid.keys.append(index)
            valid.times.append(row.received_at.timestamp())
            valid.channels.append(row.channel)
        progress.tick(report.rows)
    if report.rejected > MAX_SHOWN:
        log(f"... and {report.rejected - MAX_SHOWN:,} more bad rows not shown")
    report.errors_shown = min(report.rejected, MAX_SHOWN)
    return valid


def _resolve_dwellings(valid: _Valid, log) -> array:
    """Dwelling id per key index, resolving RESOLVE_BATCH distinct addresses a query."""
    ids = array("q", [0]) * len(valid.first)
    started = time.perf_counter()
    for start in range(0, len(valid.first), RESOLVE_BATCH):
        batch = valid.first[start : start + RESOLVE_BATCH]
        found = dwellings_resolve_many(
            [address for address, _ in batch], parsed={a: p for a, p in batch}
        )
        for offset, (_, parsed) in enumerate(batch):
            ids[start + offset] = found[parsed.key].pk
        done = start + len(batch)
        if done % 50_000 < RESOLVE_BATCH or done == len(valid.first):
            rate = done / max(time.perf_counter() - started, 1e-9)
            log(f"resolved {done:,} dwellings ({rate:,.0f}/s)")
    return ids


def _repeat_counts(valid: _Valid, dwelling_ids: array, policy: farmington.Policy) -> array:
    """Each row's calls from its dwelling in the policy's window up to it, itself included
    (as intake counts them), over the imported rows and the calls already stored."""
    dwelling_of = [dwelling_ids[k] if k >= 0 else 0 for k in valid.keys]
    return farmington.import_counts(dwelling_of, valid.times, valid.channels, policy)


# An imported call's processing-log entries are intake's (``triage.services._call_create``:
# collected, and linked to its dwelling), by the system, as ``core.services.log_objects``
# records the dwellings an import creates. They are written here as rows, by COPY on
# PostgreSQL, since a million calls give two million entries.


class _CallWriter:
    """Writes calls in batches, each with its processing-log entries (see ``_log``),
    in the import's transaction.

    COPY on PostgreSQL (bulk_create's UNNEST spends its time quoting the JSON in Python),
    with ids taken from the table's sequence beforehand, since COPY returns none;
    bulk_create elsewhere. Both write every column of the model: those the import sets,
    the others their field default."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.rows: list[dict] = []
        fields = [f for f in Call._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.log_attnames = [
            f.attname for f in ProcessingLog._meta.concrete_fields if not f.primary_key
        ]
        self.copy = connection.vendor == "postgresql"

    def add(self, values: dict):
        self.rows.append(values)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        if self.copy:
            ids = self._new_ids(len(self.rows))
            defaults, attnames = self.defaults, self.attnames
            _copy(
                Call,
                [Call._meta.pk.attname, *attnames],
                (
                    [pk, *(values.get(a, defaults[a]) for a in attnames)]
                    for pk, values in zip(ids, self.rows, strict=True)
                ),
            )
        else:
            ids = [c.pk for c in Call.objects.bulk_create([Call(**v) for v in self.rows])]
        self._log(ids)
        self.rows = []

    @staticmethod
    def _new_ids(count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [Call._meta.db_table, Call._meta.pk.column, count],
            )
            return sorted(pk for (pk,) in cursor.fetchall())

    def _log(self, ids: list[int]):
        events = []
        for pk, values in zip(ids, self.rows, strict=True):
            events.append((Operation.COLLECTION, "call", pk, IMPORT_JUSTIFICATION))
            if values["dwelling_id"] is not None:
                link = linked_to_dwelling(values["dwelling_id"])
                events.append((Operation.COMBINATION, "call", pk, link))
        rows = log_rows(user=None, events=events)  # by the system, as its new dwellings
        if self.copy:
            attnames = self.log_attnames
            _copy(ProcessingLog, attnames, ([row[a] for a in attnames] for row in rows))
        else:
            log_rows_write(rows)


def _copy(model, attnames: list[str], rows: Iterator[list]):
    """COPY the rows (values in the order of ``attnames``) into the model's table."""
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(a).column) for a in attnames)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _insert(path, fmt, now, valid, dwelling_ids, repeats, policy, batch_size, log, progress_every):
    ruleset, rules = ruleset_current()
    validator = Validator(fmt=fmt, now=now)
    suggestions: dict[tuple[engine.Facts, int, bool], dict] = {}
    progress = _Progress(log, progress_every, "imported")
    writer = _CallWriter(batch_size)
    position = 0
    with transaction.atomic():
        for line, fields, _, error in records(path, fmt):
            if fields is None or error or position >= valid.count:
                continue
            if line != valid.lines[position]:
                continue  # a rejected row
            row = validator.row(fields)
            if isinstance(row, str):
                raise ImportFileError(f"line {line} changed while the file was being imported")
            due = valid.keys[position] >= 0 and policy.due(row.channel, repeats[position])
            cache_key = (row.facts, repeats[position], due)
            evaluated = suggestions.get(cache_key)
            if evaluated is None:
                facts = replace(row.facts, repeat_calls_30d=max(1, repeats[position]))
                suggestion = engine.evaluate(facts, rules, repeat_due=due)
                evaluated = _evaluated(facts, suggestion, ruleset, writer.copy)
                if len(suggestions) < 100_000:
                    suggestions[cache_key] = evaluated
            key_index = valid.keys[position]
            writer.add(
                {
                    **evaluated,
                    "channel": row.channel,
                    "received_at": row.received_at,
                    "created_at": now,
                    "address": row.address,
                    "dwelling_id": dwelling_ids[key_index] if key_index >= 0 else None,
                    "narrative": row.narrative,
                }
            )
            position += 1
            progress.tick(position)
        writer.flush()
        if position != valid.count:
            raise ImportFileError("the file changed while it was being imported")
    return position
