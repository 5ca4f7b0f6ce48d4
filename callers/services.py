"""Writes for dwellings: resolving a typed address to the one household it names.

Without a gazetteer, an address resolves by its ``dwelling_key``; else, within its full
postcode (one query), by a row with the same number and sub-building that ``same_dwelling``
confirms (a typo in the street), else by the only dwelling of the postcode that
``fits_in_postcode`` (its number, house name, or block and flat agree while other parts are
missing or altered); else, for a flat in a named building, by the only dwelling with that
building and flat whose street or postcode agrees (``fits_in_building``, one query on the
building index); else a new dwelling. Never when two dwellings fit. With a gazetteer loaded
(``manage.py import_gazetteer``) the address first resolves to a UPRN (by key, else within
its postcode as above; never when two UPRNs fit) and the dwelling is the one with that UPRN
(``match_method`` "uprn"); a dwelling found by key before the gazetteer was loaded takes the
UPRN, so its history stays in one place. Addresses the gazetteer does not know fall back to
the key. A dwelling that consolidation merged into another (``merged_into``) resolves to the
survivor, following chains; an unmerged one costs no query more.

A new dwelling is named by the standard form of the first spelling seen
(``callers.addresses.standard_address``), never by what was typed.

``dwellings_resolve_many`` is the one implementation: ``dwelling_resolve`` is it for one
address, and the historical import uses it in batches.
"""

import functools
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from core.inserts import insert_new
from core.rows import instance_from_row, model_columns
from core.services import Operation, log_objects

from .addresses import (
    ParsedAddress,
    fits_in_building,
    fits_in_postcode,
    match_fields,
    parse_address,
    same_dwelling,
    standard_address,
)
from .models import Dwelling, GazetteerAddress, ResponsePlan

# Fuzzy candidates examined per (postcode, number, sub_building): a postcode holds ~15 homes.
MAX_CANDIDATES = 20
# Rows read for one postcode (a postcode holds ~15 homes; more is one typed for many streets).
MAX_POSTCODE_ROWS = 200
# Rows per IN (...) list: well inside SQLite's limit on query parameters.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class _Typed:
    key: str
    parsed: ParsedAddress

    @property
    def address(self) -> str:
        """A new dwelling's name on every screen: the standard form of the first spelling."""
        return standard_address(self.parsed)[:500]

    @property
    def triple(self) -> tuple[str, str, str]:
        fields = match_fields(self.parsed)
        return fields["postcode"], fields["number"], fields["sub_building"]

    @property
    def fuzzy(self) -> bool:
        return bool(self.parsed.postcode and self.parsed.number)


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _typed(addresses: Iterable[str], parsed: Mapping[str, ParsedAddress] | None) -> list[_Typed]:
    """One item per distinct key, the first spelling seen; unidentifiable addresses dropped."""
    items: dict[str, _Typed] = {}
    for address in addresses:
        p = parsed.get(address) if parsed is not None else None
        if p is None:
            p = parse_address(address)
        key = p.key if p is not None else ""
        if key and key not in items:
            items[key] = _Typed(key, p)
    return list(items.values())


def _sharing_triples(rows, items: list[_Typed]) -> dict[tuple, list]:
    """(postcode, number, sub_building) -> the rows (dwellings or gazetteer entries) that
    share it with one of the items: the candidates ``same_dwelling`` confirms or rejects.
    Narrowed by all three fields (an index): used for a postcode typed for so many homes
    that reading all of them would be waste (``_postcode_rows``)."""
    found: dict[tuple, list] = defaultdict(list)
    for chunk in _chunks(sorted({i.triple for i in items})):
        wanted = set(chunk)
        narrowed = rows.filter(
            postcode__in={t[0] for t in chunk},
            number__in={t[1] for t in chunk},
            sub_building__in={t[2] for t in chunk},
        )
        for row in narrowed:
            triple = (row.postcode, row.number, row.sub_building)
            if triple in wanted:
                found[triple].append(row)
    return found


def _postcode_rows(rows, items: list[_Typed]) -> dict[str, list]:
    """postcode -> the rows (dwellings or gazetteer entries) of each item's full postcode
    that could fit it (``_may_fit``): one query on the (postcode, number, sub_building)
    index for an intake. A postcode typed for many streets gives more than
    MAX_POSTCODE_ROWS; then only the rows with the item's own number and flat are read."""
    found: dict[str, list] = defaultdict(list)
    for chunk in _chunks(items, CHUNK // 10):
        limit = MAX_POSTCODE_ROWS * len(chunk)
        fetched = list(
            rows.filter(functools.reduce(operator.or_, map(_may_fit, chunk)))[: limit + 1]
        )
        if len(fetched) > limit:
            crowded = [i for i in chunk if i.parsed.number]
            for (postcode, _, _), triple_rows in _sharing_triples(rows, crowded).items():
                found[postcode].extend(triple_rows)
            continue
        for row in fetched:
            found[row.postcode].append(row)
    return found


def _may_fit(item: _Typed) -> Q:
    """The rows of an item's postcode that ``same_dwelling`` or ``fits_in_postcode`` could
    take: the same flat with the same number or none (a house name instead), any number when
    none was typed; and a house whose number is the typed flat's (or the other way round:
    "1, Tennyson Court" for Flat 1 of Tennyson Court)."""
    postcode, number, sub = item.triple
    same_flat = Q(postcode=postcode, sub_building=sub)
    if number:
        same_flat &= Q(number__in=[number, ""])
        if not sub:
            return same_flat | Q(postcode=postcode, sub_building=f"flat {number}", number="")
        return same_flat
    if sub.startswith("flat "):
        return same_flat | Q(postcode=postcode, sub_building="", number=sub[5:])
    return same_flat


def _identity(row) -> str:
    """The household a candidate row stands for: a dwelling's survivor, a gazetteer UPRN."""
    if isinstance(row, GazetteerAddress):
        return row.uprn
    return str(row.merged_into_id or row.pk)


def _near_matches(rows, items: list[_Typed]) -> dict[str, object]:
    """key -> the row each item names when its key is unknown, within its full postcode: a
    row ``same_dwelling`` confirms (a slip in the street or town), else the only household
    of the postcode that ``fits_in_postcode`` (its number, house name, or block and flat
    agree while other parts are missing or altered). Never when two households fit."""
    items = [i for i in items if i.parsed.postcode]
    by_postcode = _postcode_rows(rows, items)
    parsed_rows: dict[int, ParsedAddress] = {}

    def parts(row) -> ParsedAddress:
        if id(row) not in parsed_rows:
            parsed_rows[id(row)] = parse_address(row.address) or ParsedAddress()
        return parsed_rows[id(row)]

    found: dict[str, object] = {}
    for item in items:
        candidates = by_postcode.get(item.parsed.postcode, ())
        if item.fuzzy:
            same = [r for r in candidates if (r.postcode, r.number, r.sub_building) == item.triple]
            confirmed = [r for r in same[:MAX_CANDIDATES] if same_dwelling(item.parsed, parts(r))]
            if confirmed:
                found[item.key] = confirmed[0]
                continue
        fitting = [r for r in candidates if fits_in_postcode(item.parsed, parts(r))]
        if len({_identity(r) for r in fitting}) == 1:
            found[item.key] = fitting[0]
    return found


def _building_matches(items: list[_Typed]) -> dict[str, Dwelling]:
    """key -> the one dwelling each flat in a named building names when the street number
    is missing on one side ("Flat 4, Abbey Mansions, Park Street" for "Flat 4, Abbey
    Mansions, 21 Park Street"): by building and flat (an index), confirmed by the street
    and town or the postcode (``fits_in_building``). Never when two dwellings fit."""
    items = [i for i in items if i.parsed.building_name and i.parsed.sub_building]
    candidates: dict[tuple[str, str], list[Dwelling]] = defaultdict(list)
    for chunk in _chunks(sorted({_building_of(i.parsed) for i in items})):
        narrowed = Dwelling.objects.filter(
            building_name__in={b for b, _ in chunk}, sub_building__in={f for _, f in chunk}
        ).order_by("id")
        for row in narrowed[: MAX_POSTCODE_ROWS * len(chunk)]:
            candidates[(row.building_name, row.sub_building)].append(row)
    found: dict[str, Dwelling] = {}
    for item in items:
        fitting = [
            row
            for row in candidates.get(_building_of(item.parsed), ())
            if fits_in_building(item.parsed, parse_address(row.address) or ParsedAddress())
        ]
        if len({_identity(r) for r in fitting}) == 1:
            found[item.key] = fitting[0]
    return found


def _building_of(parsed: ParsedAddress) -> tuple[str, str]:
    return parsed.building_name[:100], parsed.sub_building[:100]


def gazetteer_loaded() -> bool:
    return GazetteerAddress.objects.exists()


def _gazetteer_uprns(items: list[_Typed]) -> dict[str, str]:
    """key -> UPRN for the addresses the gazetteer names unambiguously: by key, else within
    the full postcode (``_near_matches``)."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for keys in _chunks(i.key for i in items):
        for key, uprn in GazetteerAddress.objects.filter(key__in=keys).values_list("key", "uprn"):
            by_key[key].add(uprn)
    uprns = {key: next(iter(found)) for key, found in by_key.items() if len(found) == 1}
    rest = [i for i in items if i.key not in by_key]
    uprns.update(
        (key, row.uprn) for key, row in _near_matches(GazetteerAddress.objects, rest).items()
    )
    return uprns


def _key_dwellings(items: list[_Typed], absent: frozenset = frozenset()) -> dict[str, Dwelling]:
    """key -> the dwelling each address names by key, or by a near match within its full
    postcode, or by its building and flat. Keys in ``absent`` were just looked up and not
    found: only near matches are sought for them."""
    found: dict[str, Dwelling] = {}
    for keys in _chunks(i.key for i in items if i.key not in absent):
        found.update((d.key, d) for d in Dwelling.objects.filter(key__in=keys))
    rest = [i for i in items if i.key not in found]
    found.update(_near_matches(Dwelling.objects.order_by("id"), rest))
    rest = [i for i in rest if i.key not in found]
    found.update(_building_matches(rest))
    return found


def _survivor(dwelling: Dwelling) -> Dwelling:
    """The dwelling a merged one now is (``merged_into``, followed to its end); the row
    itself, without a query, when it was never merged."""
    seen = {dwelling.pk}
    while dwelling.merged_into_id is not None and dwelling.merged_into_id not in seen:
        seen.add(dwelling.merged_into_id)
        dwelling = Dwelling.objects.get(pk=dwelling.merged_into_id)
    return dwelling


def _lookup(
    items: list[_Typed], absent: frozenset = frozenset()
) -> tuple[dict[str, Dwelling], dict[str, str]]:
    """(key -> existing dwelling, key -> gazetteer UPRN) for the items. Reads only."""
    uprns = _gazetteer_uprns(items) if items and gazetteer_loaded() else {}
    found: dict[str, Dwelling] = {}
    if uprns:
        by_uprn: dict[str, Dwelling] = {}
        for chunk in _chunks(set(uprns.values())):
            by_uprn.update((d.uprn, d) for d in Dwelling.objects.filter(uprn__in=chunk))
        found = {key: by_uprn[uprn] for key, uprn in uprns.items() if uprn in by_uprn}
    rest = [i for i in items if i.key not in found]
    for key, dwelling in _key_dwellings(rest, absent).items():
        # A dwelling already tied to another UPRN is another household.
        if key in uprns and dwelling.uprn is not None and dwelling.uprn != uprns[key]:
            continue
        found[key] = dwelling
    # A dwelling merged by consolidation resolves to the one it was merged into.
    return {key: _survivor(dwelling) for key, dwelling in found.items()}, uprns


def dwelling_find(address: str) -> Dwelling | None:
    """The existing dwelling an address names, or None. Reads only: used while typing."""
    items = _typed([address], None)
    if not items:
        return None
    found, _ = _lookup(items)
    return found.get(items[0].key)


def _link_uprn(dwelling: Dwelling, uprn: str) -> Dwelling:
    """Give a dwelling found by key its gazetteer UPRN (or the row that took it meanwhile)."""
    try:
        with transaction.atomic():
            Dwelling.objects.filter(pk=dwelling.pk, uprn__isnull=True).update(
                uprn=uprn, match_method=Dwelling.MatchMethod.UPRN
            )
    except IntegrityError:
        return Dwelling.objects.get(uprn=uprn)
    dwelling.refresh_from_db()
    return dwelling if dwelling.uprn == uprn else Dwelling.objects.get(uprn=uprn)


@transaction.atomic(savepoint=False)  # part of the caller's transaction; errors propagate
def dwellings_resolve_many(
    addresses: Iterable[str],
    *,
    parsed: Mapping[str, ParsedAddress] | None = None,
    absent_keys: frozenset = frozenset(),
) -> dict[str, Dwelling]:
    """Every dwelling the addresses name, created on first sight: {dwelling_key: Dwelling}.

    Addresses naming no dwelling are left out. Two new spellings of one dwelling in the
    batch give one dwelling, as they would one after another. Safe against concurrent
    writers: rows are inserted with ON CONFLICT DO NOTHING and read back. ``parsed`` maps
    an address to its ``parse_address`` result when the caller already has it;
    ``absent_keys`` are dwelling keys it has just looked up and not found.
    """
    return _resolve_many(addresses, parsed=parsed, absent_keys=absent_keys)[0]


def _resolve_many(
    addresses: Iterable[str],
    *,
    parsed: Mapping[str, ParsedAddress] | None,
    absent_keys: frozenset,
) -> tuple[dict[str, Dwelling], set[int]]:
    """``dwellings_resolve_many``, and the ids of the dwellings this transaction created."""
    items = _typed(addresses, parsed)
    found, uprns = _lookup(items, absent_keys)
    for key, dwelling in found.items():
        if key in uprns and dwelling.uprn is None:
            found[key] = _link_uprn(dwelling, uprns[key])

    new: dict[str, Dwelling] = {}  # by the key the new row will have
    target: dict[str, str] = {}  # item key -> new row's key
    pending: dict[tuple, list[tuple[str, ParsedAddress]]] = defaultdict(list)
    for item in (i for i in items if i.key not in found):
        uprn = uprns.get(item.key)
        row_key = f"uprn:{uprn}" if uprn else item.key
        if not uprn and item.fuzzy:
            for other_key, other in pending[item.triple]:
                if same_dwelling(item.parsed, other):
                    row_key = other_key
                    break
        target[item.key] = row_key
        if row_key not in new:
            new[row_key] = Dwelling(
                **match_fields(item.parsed)
                | {
                    "key": row_key,
                    "address": item.address,
                    "building_name": item.parsed.building_name[:100],
                    "uprn": uprn,
                    "match_method": Dwelling.MatchMethod.UPRN if uprn else Dwelling.MatchMethod.KEY,
                }
            )
            if not uprn and item.fuzzy:
                pending[item.triple].append((row_key, item.parsed))
    created: set[int] = set()
    if new:
        rows: dict[str, Dwelling] = {}
        for chunk in _chunks(new.values()):
            rows.update((d.key, d) for d in insert_new(chunk, key="key"))
        created = {d.pk for d in rows.values()}
        # Typed by a handler, imported or named in a manual referral: the system made the
        # record (the entries carry the request's id).
        log_objects(
            user=None,
            events=[
                (Operation.COLLECTION, d, "dwelling created from an address") for d in rows.values()
            ],
        )
        # Refused by a unique constraint: another writer has created the dwelling since.
        for keys in _chunks(key for key in new if key not in rows):
            rows.update((d.key, d) for d in Dwelling.objects.filter(key__in=keys))
        for row_key, wanted in new.items():
            if row_key not in rows:
                # Lost a race on the UPRN to a row under another key: that row is the one.
                rows[row_key] = Dwelling.objects.get(uprn=wanted.uprn)
        for key, row_key in target.items():
            found[key] = _survivor(rows[row_key])
    return found, created


def _locked_for_intake(column: str, value) -> Dwelling | None:
    """The dwelling whose ``column`` ("key" or "id") is ``value``, row-locked, with whether
    it has a response plan (set as ``callers.selectors.plan_prefetch`` would set its plans,
    so the handler's summary asks only when there is one) and whether a gazetteer is
    loaded, read in the same query. Written out: it runs at every intake, and the ORM
    builds these subqueries at several times the cost of the query itself."""
    sql = _intake_lock_sql(column)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    dwelling = instance_from_row(Dwelling, row)
    has_plan, gazetteer = row[-2:]
    if not has_plan:  # else the summary fetches the latest version
        dwelling.plans_newest_first = []
    dwelling.gazetteer_loaded = bool(gazetteer)  # SQLite: 0 or 1
    return dwelling


@functools.cache
def _intake_lock_sql(column: str) -> str:
    qn = connection.ops.quote_name
    if column not in ("key", "id"):
        raise ValueError(column)
    # NO KEY UPDATE: intakes at one dwelling still queue behind each other, but a transaction
    # that only refers to the dwelling does not wait for the intake. A detection batch checks
    # its new referral's dwelling key at commit while an intake there waits for that very
    # referral: with FOR UPDATE each would wait for the other (a deadlock; the call lost).
    features = connection.features
    lock = " FOR UPDATE" if features.has_select_for_update else ""
    if features.has_select_for_no_key_update:
        lock = " FOR NO KEY UPDATE"
    return (
        f"SELECT {model_columns(Dwelling, 'd')}, "  # noqa: S608 - metadata; values parameters
        f"EXISTS (SELECT 1 FROM {qn(ResponsePlan._meta.db_table)} p "
        f"WHERE p.{qn('dwelling_id')} = d.{qn('id')}) AS has_plan, "
        f"EXISTS (SELECT 1 FROM {qn(GazetteerAddress._meta.db_table)}) AS gazetteer_loaded "
        f"FROM {qn(Dwelling._meta.db_table)} d WHERE d.{qn(column)} = %s{lock}"
    )


@transaction.atomic(savepoint=False)
def dwelling_resolve(
    *, address: str, lock: bool = False, _retried: bool = False
) -> Dwelling | None:
    """The dwelling an address names, created on first sight; None if no dwelling can be
    identified (a bare street name). ``lock`` takes a row lock so that concurrent intakes at
    one dwelling count their calls one after another, and reads what the handler's summary
    needs to know (``_locked_for_intake``)."""
    items = _typed([address], None)
    if not items:
        return None
    locked = None
    if lock:
        # The usual intake: a known dwelling and no gazetteer. One query finds and locks it.
        locked = _locked_for_intake("key", items[0].key)
        if locked is not None and not locked.gazetteer_loaded and locked.merged_into_id is None:
            return locked
    absent = frozenset({items[0].key}) if lock and locked is None else frozenset()
    found, created = _resolve_many([address], parsed={address: items[0].parsed}, absent_keys=absent)
    dwelling = found[items[0].key]
    if not lock:
        return dwelling
    if locked is not None and locked.pk == dwelling.pk:
        return locked  # the row found by key is the one: it is locked already
    if dwelling.pk in created:
        # No other transaction sees the row until this one commits (a concurrent insert of
        # it waits for that, then reads and locks it), and it has no plan yet.
        dwelling.plans_newest_first = []
        return dwelling
    # Found another way (a near match, its UPRN), or another writer created it meanwhile.
    if (locked := _locked_for_intake("id", dwelling.pk)) is not None or _retried:
        return locked
    # Deleted between finding and locking it (retention takes a dwelling left with no call
    # or referral): resolve the address again, which now finds or creates another.
    return dwelling_resolve(address=address, lock=True, _retried=True)
