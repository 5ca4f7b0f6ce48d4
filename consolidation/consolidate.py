"""The nightly consolidation of dwellings (issue 28, point 4): a second, probabilistic
pass over the dwellings intake created, where its strength is safe.

The dwellings created since the last run's watermark are matched by uk-address-matcher
(``consolidation.matcher``) against every live dwelling (not merged) and against each
other. For each candidate pair, best score first:

- ``callers.addresses.merge_conflict`` finds a reason the two cannot be one household
  (different numbers, flats, floors, buildings, street types, towns, postcodes): dropped,
  whatever the score;
- a pair staff rejected, or a merge split since: dropped (never again);
- score at or above ``CONSOLIDATION_MERGE_WEIGHT`` with the next candidate at least
  ``CONSOLIDATION_MERGE_GAP`` behind, and no third live dwelling that fits one of the two
  and not the other (``_Others``: "12 Willow, St Ives" when 12 Willow Road and 12 Willow
  Close both exist), and the place named alike (one postcode, or a town on both sides):
  the newer dwelling merges into the older
  (``services.dwelling_merge``), unless the newer is a survivor of this run's merges (no
  chains) or either was merged away tonight (a dwelling never merges into two survivors
  in a run: its other pairs are dropped); a high score with a close second candidate is
  queued instead;
- from ``CONSOLIDATION_SUGGEST_WEIGHT``: a "Possible same dwelling" pair for triage staff;
- below: nothing.

Then the Farmington detection runs for the survivors, so their calls count together
tonight. It never runs inside an intake. One run at a time: on PostgreSQL an advisory
lock (a second run records itself as skipped); elsewhere a run younger than two hours
still marked running. A dry run (``dry_run=True``) decides the same and changes nothing.

Where a gazetteer is loaded (``callers.GazetteerAddress``), the new dwellings without a
UPRN that tonight's merges leave alone are also matched against it, in one more matcher
call (``decide_gazetteer``). A candidate UPRN at or above the merge weight, with the same
gap, and no ``merge_conflict`` between the dwelling's address and the row's: where no
dwelling holds the UPRN, the dwelling is given it (``services.dwelling_uprn_give``), as
intake would have; where an older live dwelling holds it, the newer merges into that one,
under the guards above. Below: nothing (no staff list for gazetteer candidates).
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from callers.addresses import ParsedAddress, merge_conflict, parse_address
from callers.models import Dwelling, GazetteerAddress
from core.locks import SessionTryLock, run_skipped, run_started

from . import matcher as ukam
from .models import ConsolidationRun
from .selectors import decided_pairs, last_watermark, live_dwellings
from .services import (
    ConsolidationError,
    conflict,
    detect_for,
    dwelling_merge,
    dwelling_uprn_give,
    gazetteer_conflict,
    older_first,
    possible_same_queue,
)

logger = logging.getLogger(__name__)

# "consolid" as a 63-bit number: the advisory lock every run takes.
ADVISORY_LOCK_ID = 0x636F6E736F6C6964
STALE_AFTER = timedelta(hours=2)

Matcher = Callable[..., list[ukam.Pair]]


@dataclass(frozen=True)
class Decision:
    """What the pass does with one pair: "merge" or "queue" (the older dwelling first)."""

    action: str
    older: Dwelling
    newer: Dwelling
    score: float
    gap: float | None


@dataclass(frozen=True)
class UprnDecision:
    """A dwelling to be given the UPRN of the gazetteer row the matcher found for it."""

    dwelling: Dwelling
    row: GazetteerAddress
    score: float
    gap: float | None


@dataclass
class Outcome:
    run: ConsolidationRun | None
    considered: int = 0
    decisions: list[Decision] = field(default_factory=list)
    uprns: list[UprnDecision] = field(default_factory=list)
    vetoed: int = 0
    merged: int = 0
    queued: int = 0
    given: int = 0
    skipped: bool = False


def _thresholds() -> tuple[float, float, float]:
    return (
        settings.CONSOLIDATION_MERGE_WEIGHT,
        settings.CONSOLIDATION_MERGE_GAP,
        settings.CONSOLIDATION_SUGGEST_WEIGHT,
    )


def _address(d: Dwelling) -> ukam.Address:
    return ukam.Address(id=d.pk, text=d.address, postcode=d.postcode)


class _Others:
    """The other live dwellings that an address could also be: "12 Willow, St Ives" fits
    12 Willow Road and 12 Willow Close alike. Looked up by flat, house number or name and
    the street's first word (a net, not a search: a slip in that word escapes it)."""

    def __init__(self, dwellings: dict[int, Dwelling]):
        self.parsed: dict[int, ParsedAddress | None] = {}
        self.index: dict[tuple, list[int]] = defaultdict(list)
        for pk, d in dwellings.items():
            parsed = self.parsed[pk] = parse_address(d.address)
            if parsed is not None:
                for key in self._keys(parsed):
                    self.index[key].append(pk)

    @staticmethod
    def _keys(p: ParsedAddress) -> list[tuple]:
        first = p.street.split(" ", 1)[0]
        return [(p.sub_building, ident, first) for ident in (p.number, p.building_name) if ident]

    def place_confirmed(self, a: int, b: int) -> bool:
        """Both name the place alike: one postcode, or both a town (towns that disagree are
        vetoed). A postcode on one side and only a town on the other leaves the place to
        the matcher ("Flat 29, Victoria House, Nelson Drive, PE7 3WP" and "Flat 29,
        Victoria House, Hawthorn, March"): staff decide those."""
        pa, pb = self.parsed.get(a), self.parsed.get(b)
        if pa is None or pb is None:
            return False
        return bool((pa.postcode and pa.postcode == pb.postcode) or (pa.town and pb.town))

    def ambiguous(self, a: int, b: int) -> bool:
        """Whether a third dwelling fits one of the two and not the other: then which one
        the address means is not for a machine to decide."""
        pa, pb = self.parsed.get(a), self.parsed.get(b)
        if pa is None or pb is None:
            return True
        for this, that in ((pa, pb), (pb, pa)):
            for key in self._keys(this):
                for other in self.index.get(key, ()):
                    po = self.parsed[other]
                    if other in (a, b) or po is None:
                        continue
                    if not merge_conflict(this, po) and merge_conflict(that, po):
                        return True
        return False


def decide(pairs: list[ukam.Pair], dwellings: dict[int, Dwelling]) -> tuple[list[Decision], int]:
    """The decisions for the matcher's pairs, best score first (ties by ids, so a run
    decides the same way every time), and how many pairs the veto dropped."""
    merge_at, gap_at, suggest_at = _thresholds()
    best: dict[tuple[int, int], ukam.Pair] = {}
    for p in pairs:
        if p.new_id == p.known_id or p.score < suggest_at:
            continue
        key = (min(p.new_id, p.known_id), max(p.new_id, p.known_id))
        if key not in best or p.score > best[key].score:
            best[key] = p
    never = decided_pairs()
    others = _Others(dwellings) if any(p.score >= merge_at for p in best.values()) else None
    survivors: set[int] = set()
    merged_away: set[int] = set()
    decisions, vetoed = [], 0
    for key, p in sorted(best.items(), key=lambda kv: (-kv[1].score, kv[0])):
        if key in never or key[0] not in dwellings or key[1] not in dwellings:
            continue
        older, newer = older_first(dwellings[key[0]], dwellings[key[1]])
        if conflict(older, newer):
            vetoed += 1
            continue
        if older.pk in merged_away or newer.pk in merged_away:
            continue  # merged into a third dwelling tonight: its pairs wait for staff
        clear = p.gap is None or p.gap >= gap_at
        # No chains within a run: a survivor of tonight is not merged away tonight.
        if (
            p.score >= merge_at
            and clear
            and newer.pk not in survivors
            and others.place_confirmed(older.pk, newer.pk)
            and not others.ambiguous(older.pk, newer.pk)
        ):
            survivors.add(older.pk)
            merged_away.add(newer.pk)
            decisions.append(Decision("merge", older, newer, p.score, p.gap))
        else:
            decisions.append(Decision("queue", older, newer, p.score, p.gap))
    return decisions, vetoed


def decide_gazetteer(
    pairs: list[ukam.Pair],
    dwellings: dict[int, Dwelling],
    rows: dict[int, GazetteerAddress],
    decisions: list[Decision],
) -> tuple[list[Decision], list[UprnDecision], int]:
    """The merges and UPRNs for the matcher's pairs of (new dwelling, gazetteer row), best
    score first, after tonight's dwelling ``decisions``: (merges, UPRNs given, vetoed).

    A UPRN held by a merged dwelling stands for the dwelling it lives on. A UPRN given
    tonight is held from then on: a second new spelling of it merges into the first
    where that one is older. Where the holder is newer, nothing (never the older merged
    into a newer one to keep a UPRN)."""
    merge_at, gap_at, _ = _thresholds()
    best: dict[int, ukam.Pair] = {}
    for p in pairs:
        clear = p.score >= merge_at and (p.gap is None or p.gap >= gap_at)
        ours = p.new_id in dwellings and p.known_id in rows
        if clear and ours and (p.new_id not in best or p.score > best[p.new_id].score):
            best[p.new_id] = p
    if not best:
        return [], [], 0
    survivors = {d.older.pk for d in decisions if d.action == "merge"}
    merged_away = {d.newer.pk for d in decisions if d.action == "merge"}
    wanted = {rows[p.known_id].uprn for p in best.values()}
    holders: dict[str, Dwelling] = {}
    for d in Dwelling.objects.filter(uprn__in=wanted):
        holders[d.uprn] = dwellings.get(d.merged_into_id or d.pk)  # merges never chain
    never = decided_pairs()
    others = None
    merges, given, vetoed = [], [], 0
    for p in sorted(best.values(), key=lambda p: (-p.score, p.new_id)):
        new, row = dwellings[p.new_id], rows[p.known_id]
        if new.pk in merged_away or new.uprn is not None:
            continue
        if gazetteer_conflict(new, row):
            vetoed += 1
            continue
        if row.uprn not in holders:
            holders[row.uprn] = new
            given.append(UprnDecision(new, row, p.score, p.gap))
            continue
        holder = holders[row.uprn]
        if holder is None or holder.pk == new.pk or older_first(holder, new)[0] != holder:
            continue  # the holder is not live tonight, or is the newer of the two
        if conflict(holder, new):
            vetoed += 1
            continue
        key = (min(holder.pk, new.pk), max(holder.pk, new.pk))
        if key in never or new.pk in survivors or holder.pk in merged_away:
            continue
        others = others or _Others(dwellings)
        if others.place_confirmed(holder.pk, new.pk) and not others.ambiguous(holder.pk, new.pk):
            survivors.add(holder.pk)
            merged_away.add(new.pk)
            merges.append(Decision("merge", holder, new, p.score, p.gap))
    return merges, given, vetoed


def consolidate(
    *, dry_run: bool = False, trigger: str = "command", matcher: Matcher | None = None
) -> Outcome:
    """One pass (see the module docstring). Returns what it decided and did; a failure is
    recorded on the run and raised."""
    matcher = matcher or ukam.match
    now = timezone.now()
    since = last_watermark()
    if dry_run:
        return _pass(since=since, until=now, run=None, matcher=matcher)
    lock = SessionTryLock(ADVISORY_LOCK_ID)
    if not lock.acquire():
        return Outcome(run=_skipped(since, now, trigger), skipped=True)
    try:
        run = _start(since=since, until=now, trigger=trigger)
        if run is None:
            return Outcome(run=_skipped(since, now, trigger), skipped=True)
        try:
            outcome = _pass(since=since, until=now, run=run, matcher=matcher)
        except Exception as exc:
            _finish(run, ConsolidationRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
            raise
        _finish(run, ConsolidationRun.Status.FINISHED)
        return outcome
    finally:
        lock.release()


def _pass(*, since, until, run, matcher: Matcher) -> Outcome:
    live = live_dwellings().filter(created_at__lte=until)
    new_rows = live.filter(created_at__gt=since) if since is not None else live
    new = list(new_rows.order_by("pk"))
    new_ids = {d.pk for d in new}
    known = [d for d in live.order_by("pk") if d.pk not in new_ids] if new else []
    outcome = Outcome(run=run, considered=len(new))
    if run is not None:
        run.dwellings_considered = len(new)
    if not new:
        return outcome
    dwellings = {d.pk: d for d in (*new, *known)}
    suggest_at = settings.CONSOLIDATION_SUGGEST_WEIGHT

    def settled(p: ukam.Pair) -> bool:
        return p.score >= suggest_at and not conflict(dwellings[p.new_id], dwellings[p.known_id])

    pairs = matcher([_address(d) for d in new], [_address(d) for d in known], settled=settled)
    outcome.decisions, outcome.vetoed = decide(pairs, dwellings)
    if GazetteerAddress.objects.exists():
        merges, outcome.uprns, vetoed = _gazetteer(new, dwellings, outcome.decisions, matcher)
        outcome.decisions += merges
        outcome.vetoed += vetoed
    if run is None:
        outcome.merged = sum(d.action == "merge" for d in outcome.decisions)
        outcome.queued = sum(d.action == "queue" for d in outcome.decisions)
        outcome.given = len(outcome.uprns)
        return outcome
    survivors = []
    for d in outcome.decisions:
        if d.action == "merge":
            try:
                merge = dwelling_merge(
                    survivor=d.older, merged=d.newer, score=d.score, by=None, run=run
                )
            except ConsolidationError as exc:  # changed since it was read: leave it be
                logger.info("consolidation: pair %s/%s not merged: %s", d.older.pk, d.newer.pk, exc)
                continue
            survivors.append(merge.survivor_id)
            outcome.merged += 1
        elif possible_same_queue(a=d.older, b=d.newer, score=d.score, run=run):
            outcome.queued += 1
        run.merged, run.queued = outcome.merged, outcome.queued
    for u in outcome.uprns:
        try:
            dwelling_uprn_give(dwelling=u.dwelling, uprn=u.row.uprn, score=u.score, run=run)
        except ConsolidationError as exc:
            logger.info(
                "consolidation: UPRN %s not given to %s: %s", u.row.uprn, u.dwelling.pk, exc
            )
            continue
        outcome.given += 1
    detect_for(dwelling_ids=survivors)
    return outcome


def _gazetteer(new: list[Dwelling], dwellings, decisions, matcher: Matcher):
    """One matcher call: the new dwellings without a UPRN, not merged away tonight,
    against every gazetteer row; then ``decide_gazetteer``."""
    merged_away = {d.newer.pk for d in decisions if d.action == "merge"}
    todo = [d for d in new if d.uprn is None and d.pk not in merged_away]
    if not todo:
        return [], [], 0
    rows = {g.pk: g for g in GazetteerAddress.objects.order_by("pk")}
    known = [ukam.Address(id=g.pk, text=g.address, postcode=g.postcode) for g in rows.values()]
    pairs = matcher([_address(d) for d in todo], known, among_new=False)
    return decide_gazetteer(pairs, dwellings, rows, decisions)


def _start(*, since, until, trigger) -> ConsolidationRun | None:
    return run_started(
        ConsolidationRun,
        now=until,
        stale_after=STALE_AFTER,
        since=since,
        until=until,
        trigger=trigger,
    )


def _skipped(since, now: datetime, trigger: str) -> ConsolidationRun:
    logger.info("consolidation skipped: another run is in progress")
    return run_skipped(ConsolidationRun, now=now, since=since, until=now, trigger=trigger)


def _finish(run: ConsolidationRun, status: str, error: str = "") -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.error = error[:5000]
    run.save(
        update_fields=["status", "finished_at", "error", "dwellings_considered", "merged", "queued"]
    )
