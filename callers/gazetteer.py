"""Loading a council gazetteer (LLPG extract): one row per addressable dwelling, by UPRN.

Columns (a header row; case and surrounding spaces do not matter; aliases from common
LLPG/AddressBase exports in brackets):

- ``uprn`` (required): the Unique Property Reference Number, 1-12 digits.
- ``sub_building`` (``sao_text``): "Flat 2", "Ground Floor Flat".
- ``building_name`` (``pao_text``): "Rose Cottage".
- ``number`` (``pao_start_number``, ``building_number``): "10", "10A".
- ``street`` (``street_description``, ``thoroughfare``): "High Street".
- ``town`` (``town_name``, ``post_town``): "Ely".
- ``postcode`` (``postcode_locator``): "CB7 4AA".

A row must name a dwelling the way a typed address does: a number or building name, a
street, and a town or postcode; a postcode, if given, must be a valid UK postcode. Rows
are upserted by UPRN, so loading a file again (or a newer extract) updates in place.
Dwellings already known by the same key take their UPRN.
"""

import csv
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .addresses import normalise_postcode, parse_address
from .models import Dwelling, GazetteerAddress, compose_address

ALIASES = {
    "uprn": "uprn",
    "sub_building": "sub_building",
    "sao_text": "sub_building",
    "building_name": "building_name",
    "pao_text": "building_name",
    "number": "number",
    "pao_start_number": "number",
    "building_number": "number",
    "street": "street",
    "street_description": "street",
    "thoroughfare": "street",
    "town": "town",
    "town_name": "town",
    "post_town": "town",
    "postcode": "postcode",
    "postcode_locator": "postcode",
}
FIELDS = ("sub_building", "building_name", "number", "street", "town", "postcode")
LENGTHS = {f: GazetteerAddress._meta.get_field(f).max_length for f in FIELDS}
BATCH = 2_000
MAX_SHOWN = 1_000


class GazetteerFileError(Exception):
    """The file cannot be loaded at all."""


@dataclass
class GazetteerReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    dwellings_linked: int = 0
    seconds: float = 0.0


def _row(fields: dict[str, str]) -> GazetteerAddress | str:
    """The gazetteer row, or why it is not one (one line)."""
    uprn = fields.get("uprn", "").strip()
    if not (uprn.isascii() and uprn.isdigit()) or len(uprn) > 12:  # "²" is a digit to Python
        return f"uprn: {uprn!r} is not 1-12 digits"
    uprn = str(int(uprn))  # "000123" and "123" are one UPRN
    values = {f: " ".join(fields.get(f, "").split()) for f in FIELDS}
    errors = [
        f"{name}: at most {LENGTHS[name]} characters"
        for name, value in values.items()
        if len(value) > LENGTHS[name]
    ]
    errors += [
        f"{name}: contains a NUL character" for name, value in values.items() if "\x00" in value
    ]
    if values["postcode"] and not normalise_postcode(values["postcode"]):
        errors.append(f"postcode: {values['postcode']!r} is not a valid UK postcode")
    if errors:
        return "; ".join(errors)
    parsed = parse_address(compose_address(**values))
    if parsed is None or not parsed.key:
        return "does not name a dwelling (needs a number or building name, a street, a town or postcode)"
    return GazetteerAddress(
        uprn=uprn,
        sub_building=parsed.sub_building,
        building_name=values["building_name"],
        number=parsed.number,
        street=values["street"],
        town=values["town"],
        postcode=parsed.postcode,
        key=parsed.key,
        updated_at=timezone.now(),
    )


def _read(path: Path, log, report: GazetteerReport, progress_every: int):
    """Valid rows by UPRN; bad rows logged by line."""
    rows: dict[str, GazetteerAddress] = {}
    started = time.perf_counter()
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)  # a quote left open is an error
            try:
                header = next(reader, None)
            except csv.Error as exc:
                raise GazetteerFileError(f"line 1: the header cannot be read ({exc})") from None
            if header is None:
                raise GazetteerFileError("the file is empty (no header row)")
            names = [ALIASES.get(h.strip().lower(), "") for h in header]
            unknown = [h for h, n in zip(header, names, strict=True) if not n]
            if unknown:
                raise GazetteerFileError(
                    f"unknown column(s): {', '.join(unknown)}; expected uprn, {', '.join(FIELDS)}"
                )
            if "uprn" not in names:
                raise GazetteerFileError("the header lacks the uprn column")
            line = reader.line_num + 1
            try:
                for record in reader:
                    start, line = line, reader.line_num + 1
                    if not record or record == [""]:
                        continue
                    report.rows += 1
                    if len(record) != len(names):
                        result = f"has {len(record)} fields; the header has {len(names)}"
                    else:
                        result = _row(dict(zip(names, record, strict=True)))
                    if not isinstance(result, str) and result.uprn in rows:
                        result = f"uprn {result.uprn} appears twice"
                    if isinstance(result, str):
                        report.rejected += 1
                        if report.rejected <= MAX_SHOWN:
                            log(f"line {start}: {result}")
                    else:
                        rows[result.uprn] = result
                    if progress_every and report.rows % progress_every == 0:
                        rate = report.rows / (time.perf_counter() - started)
                        log(f"validated {report.rows:,} rows ({rate:,.0f} rows/s)")
            except csv.Error as exc:
                # Most likely a quote left open, which has swallowed the lines after it:
                # nothing after it can be trusted.
                raise GazetteerFileError(
                    f"line {line}: cannot be read as CSV ({exc}); check its quotes"
                ) from None
    except FileNotFoundError:
        raise GazetteerFileError(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise GazetteerFileError(f"the file is not UTF-8 text (byte {exc.start})") from None
    if report.rejected > MAX_SHOWN:
        log(f"... and {report.rejected - MAX_SHOWN:,} more bad rows not shown")
    return rows


def _link_dwellings(rows: dict[str, GazetteerAddress]) -> int:
    """Dwellings known by a gazetteer key (and no UPRN yet) take that UPRN."""
    by_key: dict[str, set[str]] = {}
    for row in rows.values():
        by_key.setdefault(row.key, set()).add(row.uprn)
    unique = {key: next(iter(uprns)) for key, uprns in by_key.items() if len(uprns) == 1}
    keys = list(unique)
    linked = 0
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        dwellings = list(Dwelling.objects.filter(key__in=chunk, uprn__isnull=True))
        wanted = [unique[d.key] for d in dwellings]
        taken = set(Dwelling.objects.filter(uprn__in=wanted).values_list("uprn", flat=True))
        changed = []
        for dwelling in dwellings:
            uprn = unique[dwelling.key]
            if uprn not in taken:
                taken.add(uprn)
                dwelling.uprn, dwelling.match_method = uprn, Dwelling.MatchMethod.UPRN
                changed.append(dwelling)
        Dwelling.objects.bulk_update(changed, ["uprn", "match_method"])
        linked += len(changed)
    return linked


def import_gazetteer(
    path: Path | str,
    *,
    skip_invalid: bool = False,
    progress_every: int = 100_000,
    log: Callable[[str], None] | None = None,
) -> GazetteerReport:
    """Validate every row, then upsert them by UPRN in one transaction (nothing is loaded
    when a row is bad, unless ``skip_invalid``) and link known dwellings to their UPRN."""
    log = log or (lambda message: print(message, file=sys.stderr))
    started = time.perf_counter()
    report = GazetteerReport()
    rows = _read(Path(path), log, report, progress_every)
    if report.rejected and not skip_invalid:
        report.seconds = time.perf_counter() - started
        return report
    uprns = list(rows)
    with transaction.atomic():
        for start in range(0, len(uprns), BATCH):
            chunk = uprns[start : start + BATCH]
            existing = set(
                GazetteerAddress.objects.filter(uprn__in=chunk).values_list("uprn", flat=True)
            )
            GazetteerAddress.objects.bulk_create(
                [rows[u] for u in chunk],
                update_conflicts=True,
                unique_fields=["uprn"],
                update_fields=[*FIELDS, "key", "updated_at"],
            )
            report.updated += len(existing)
            report.created += len(chunk) - len(existing)
            done = start + len(chunk)
            if progress_every and (done % progress_every < BATCH or done == len(uprns)):
                rate = done / (time.perf_counter() - started)
                log(f"loaded {done:,} addresses ({rate:,.0f} rows/s)")
        report.dwellings_linked = _link_dwellings(rows)
    report.seconds = time.perf_counter() - started
    return report
