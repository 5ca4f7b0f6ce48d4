"""Writes for the consolidation of dwellings: merging two dwellings found to be one
household, splitting a merge again, and triage staff's decisions on possible pairs.

Never a false merge: every merge, automatic or confirmed, is refused where
``callers.addresses.merge_conflict`` finds a reason the two addresses cannot be one
household (different numbers, flats, floors, buildings, street types, towns, postcodes).
The older dwelling survives. Every service is keyword-only, atomic, and raises
``ConsolidationError``.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from callers.addresses import merge_conflict, parse_address
from callers.models import Dwelling, GazetteerAddress, ResponsePlan
from core.errors import DomainError
from core.services import Operation, linked_to_dwelling, log_rows, log_rows_write
from referrals.farmington import find_windows, policy_current
from referrals.farmington.detection import open_referrals
from referrals.models import Referral
from referrals.services import referrals_move
from triage.models import Call

from .models import DwellingMerge, PossibleSameDwelling

logger = logging.getLogger(__name__)

MAX_REASON = 1_000


class ConsolidationError(DomainError):
    """A merge, split or decision that cannot be made, with the reason in words."""


def older_first(a: Dwelling, b: Dwelling) -> tuple[Dwelling, Dwelling]:
    """(the older, the newer): the older dwelling survives a merge (created first; the
    lower id when created at the same moment)."""
    return (a, b) if (a.created_at, a.pk) <= (b.created_at, b.pk) else (b, a)


def conflict(a: Dwelling, b: Dwelling) -> str:
    """Why two dwellings cannot be one household ("" when nothing forbids it): the
    deterministic veto of every merge and every suggestion, on their standard addresses."""
    parsed_a, parsed_b = parse_address(a.address), parse_address(b.address)
    if parsed_a is None or parsed_b is None:
        return "an address that names no dwelling"
    return merge_conflict(parsed_a, parsed_b)


def gazetteer_conflict(dwelling: Dwelling, row: GazetteerAddress) -> str:
    """Why a dwelling cannot be the gazetteer's UPRN ("" when nothing forbids it): the
    same veto as a merge, on the dwelling's standard address and the row's."""
    parsed_d, parsed_g = parse_address(dwelling.address), parse_address(row.address)
    if parsed_d is None or parsed_g is None:
        return "an address that names no dwelling"
    return merge_conflict(parsed_d, parsed_g)


def _root(dwelling: Dwelling) -> Dwelling:
    """The dwelling a merged one now lives on (merges never chain, but older data may)."""
    seen = set()
    while dwelling.merged_into_id is not None and dwelling.pk not in seen:
        seen.add(dwelling.pk)
        dwelling = Dwelling.objects.get(pk=dwelling.merged_into_id)
    return dwelling


def _locked(*dwellings: Dwelling) -> dict[int, Dwelling]:
    """The dwellings re-read under row locks, taken in id order (no deadlock between two
    merges of the same pair the other way round)."""
    ids = sorted({d.pk for d in dwellings})
    return {d.pk: d for d in Dwelling.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _who(by, run) -> str:
    if by is not None:
        return f"confirmed by {by.get_username()}"
    return f"nightly consolidation run {run.pk}" if run is not None else "nightly consolidation"


def score_text(score: float | None) -> str:
    return "no score" if score is None else f"score {score:.1f}"


@transaction.atomic
def dwelling_merge(
    *, survivor: Dwelling, merged: Dwelling, score: float | None, by, run=None
) -> DwellingMerge:
    """Merge ``merged`` into ``survivor``: one household's calls counted together.

    The newer dwelling merges into the older (given the other way round, they are
    swapped); a survivor that was itself merged is followed to the dwelling it lives on.
    Its calls, referrals (never two open: see ``referrals.services.referrals_move``) and
    response plans move to the survivor (plan versions follow the survivor's, whose
    numbers never change); ``merged.merged_into`` is set, so every later spelling of it
    resolves to the survivor; its spellings stay listed, on its calls. Each move is
    logged as a combination naming the score and who merged. Refused: a dwelling with
    itself, a dwelling merged already, and any pair ``merge_conflict`` forbids. ``by`` is
    the triage staff member who confirmed it, None for the nightly ``run``. The
    Farmington detection runs for the survivor after commit (the nightly pass runs it
    once for all its merges instead).
    """
    now = timezone.now()
    if survivor.pk == merged.pk:
        raise ConsolidationError("A dwelling cannot be merged with itself.")
    locked = _locked(survivor, merged)
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if merged.merged_into_id is not None:
        raise ConsolidationError(
            f"Dwelling {merged.pk} has been merged already (into dwelling "
            f"{merged.merged_into_id}): split that merge first."
        )
    if survivor.merged_into_id is not None:
        survivor = _root(survivor)
        survivor = _locked(survivor)[survivor.pk]
    if survivor.pk == merged.pk:
        raise ConsolidationError("These are one dwelling already.")
    survivor, merged = older_first(survivor, merged)
    if merged.merged_into_id is not None:  # swapped: the survivor given was the newer
        raise ConsolidationError(f"Dwelling {merged.pk} has been merged already.")
    if reason := conflict(survivor, merged):
        raise ConsolidationError(
            f"These cannot be one household ({reason}): {survivor.address} and {merged.address}."
        )
    why = f"merged into dwelling {survivor.pk}: {_who(by, run)}, {score_text(score)}"

    call_ids = list(
        Call.objects.filter(dwelling=merged).order_by("pk").values_list("pk", flat=True)
    )
    Call.objects.filter(pk__in=call_ids).update(dwelling=survivor)
    referral_ids = list(
        Referral.objects.filter(dwelling=merged).order_by("pk").values_list("pk", flat=True)
    )
    closed_id = referrals_move(
        referral_ids=referral_ids, to_dwelling=survivor, user=by, reason=why, now=now
    )
    plans = _plans_follow(merged=merged, survivor=survivor)
    # Dwellings merged into this one earlier now point at the survivor: never a chain.
    children = list(
        Dwelling.objects.filter(merged_into=merged).order_by("pk").values_list("pk", flat=True)
    )
    Dwelling.objects.filter(pk__in=children).update(merged_into=survivor)
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into"])
    try:
        with transaction.atomic():
            merge = DwellingMerge.objects.create(
                survivor=survivor,
                merged=merged,
                score=score,
                run=run,
                merged_by=by,
                merged_at=now,
                moved={
                    "calls": call_ids,
                    "referrals": referral_ids,
                    "plans": plans,
                    "closed_referral": closed_id,
                    "children": children,
                },
            )
    except IntegrityError:
        raise ConsolidationError(f"Dwelling {merged.pk} has been merged already.") from None
    _pair_decided(survivor, merged, status=PossibleSameDwelling.Status.CONFIRMED, by=by, now=now)
    events = [(Operation.COMBINATION, "dwelling", merged.pk, why)]
    events += [
        (Operation.COMBINATION, "call", pk, f"{linked_to_dwelling(survivor.pk)} ({why})")
        for pk in call_ids
    ]
    log_rows_write(log_rows(user=by, events=events))
    if run is None:
        transaction.on_commit(lambda: _detect_after_commit(survivor.pk))
    return merge


@transaction.atomic
def dwelling_uprn_give(*, dwelling: Dwelling, uprn: str, score: float | None, run=None) -> Dwelling:
    """Give a dwelling the gazetteer's UPRN the nightly ``run`` matched it to, as intake
    gives one when the gazetteer names an address (``match_method`` "uprn"); its key
    stays, so its spellings resolve as before. Refused: a dwelling merged away or with a
    UPRN already, a UPRN the gazetteer does not hold or another dwelling holds (that is a
    merge), and any row ``merge_conflict`` forbids. Logged as a combination naming the
    UPRN and the score."""
    dwelling = _locked(dwelling)[dwelling.pk]
    row = GazetteerAddress.objects.filter(uprn=uprn).first()
    if row is None:
        raise ConsolidationError(f"The gazetteer holds no UPRN {uprn}.")
    if dwelling.merged_into_id is not None:
        raise ConsolidationError(
            f"Dwelling {dwelling.pk} has been merged into dwelling {dwelling.merged_into_id}."
        )
    if dwelling.uprn is not None:
        raise ConsolidationError(f"Dwelling {dwelling.pk} has UPRN {dwelling.uprn} already.")
    if reason := gazetteer_conflict(dwelling, row):
        raise ConsolidationError(
            f"These cannot be one household ({reason}): {dwelling.address} and {row.address}."
        )
    if Dwelling.objects.filter(uprn=uprn).exists():
        raise ConsolidationError(f"Another dwelling holds UPRN {uprn}: merge them instead.")
    dwelling.uprn, dwelling.match_method = uprn, Dwelling.MatchMethod.UPRN
    try:
        with transaction.atomic():
            dwelling.save(update_fields=["uprn", "match_method"])
    except IntegrityError:  # another dwelling took it meanwhile
        raise ConsolidationError(
            f"Another dwelling holds UPRN {uprn}: merge them instead."
        ) from None
    why = f"given UPRN {uprn} ({row.address}): {_who(None, run)}, {score_text(score)}"
    log_rows_write(
        log_rows(user=None, events=[(Operation.COMBINATION, "dwelling", dwelling.pk, why)])
    )
    return dwelling


def _detect_after_commit(dwelling_id: int) -> None:
    # The merge stands whatever happens here; the nightly detection re-derives it.
    try:
        detect_for(dwelling_ids=[dwelling_id])
    except Exception:  # noqa: BLE001
        logger.exception("detection after the merge into dwelling %s failed", dwelling_id)


def _plans_follow(*, merged: Dwelling, survivor: Dwelling) -> list[list[int]]:
    """The merged dwelling's plans move, numbered after the survivor's latest (whose
    versions, cited by handlers and referral events, never change): the merged dwelling's
    latest plan, where it has one, becomes the household's current plan, for the team to
    review. Returns [id, version before, version after] for a split."""
    latest = ResponsePlan.objects.filter(dwelling=survivor).aggregate(v=Max("version"))["v"] or 0
    moved = []
    for offset, (pk, version) in enumerate(
        ResponsePlan.objects.filter(dwelling=merged)
        .order_by("version")
        .values_list("pk", "version"),
        start=1,
    ):
        ResponsePlan.objects.filter(pk=pk).update(dwelling=survivor, version=latest + offset)
        moved.append([pk, version, latest + offset])
    return moved


@transaction.atomic
def dwelling_split(*, merge: DwellingMerge, by, reason: str) -> DwellingMerge:
    """Undo one merge: the two dwellings are two households again.

    Moved back: exactly the rows the merge moved (calls, referrals, plans with their old
    versions), and the calls taken since whose typed address has the merged dwelling's
    key (its own spelling, resolved to the survivor while merged); other later calls stay
    with the survivor. A referral closed as the same household stays closed (closed is
    final: detection opens a new one if the calls warrant it). ``merged_into`` is
    cleared, the pair is recorded as rejected (never merged or suggested again), and the
    split is logged as a combination undone.
    """
    now = timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ConsolidationError("Say why the merge is being split.", field="reason")
    if len(reason) > MAX_REASON:
        raise ConsolidationError(f"At most {MAX_REASON} characters.", field="reason")
    merge = DwellingMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_split:
        raise ConsolidationError("This merge has been split already.")
    locked = _locked(merge.survivor, merge.merged)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    if survivor.merged_into_id is not None:
        raise ConsolidationError(
            f"The dwelling kept by this merge has since been merged into dwelling "
            f"{survivor.merged_into_id}: split that merge first."
        )
    moved = merge.moved
    why = f"split from dwelling {survivor.pk} (merge {merge.pk}) by {by.get_username()}: {reason}"

    call_ids = set(
        Call.objects.filter(dwelling=survivor, pk__in=moved.get("calls", [])).values_list(
            "pk", flat=True
        )
    )
    for pk, address in Call.objects.filter(
        dwelling=survivor, created_at__gte=merge.merged_at
    ).values_list("pk", "address"):
        parsed = parse_address(address)
        if parsed is not None and parsed.key and parsed.key == merged.key:
            call_ids.add(pk)
    call_ids = sorted(call_ids)
    Call.objects.filter(pk__in=call_ids).update(dwelling=merged)
    referral_ids = list(
        Referral.objects.filter(dwelling=survivor, pk__in=moved.get("referrals", [])).values_list(
            "pk", flat=True
        )
    )
    referrals_move(referral_ids=referral_ids, to_dwelling=merged, user=by, reason=why, now=now)
    for pk, before, after in moved.get("plans", []):
        ResponsePlan.objects.filter(pk=pk, dwelling=survivor, version=after).update(
            dwelling=merged, version=before
        )
    merged.merged_into = None
    merged.save(update_fields=["merged_into"])
    Dwelling.objects.filter(pk__in=moved.get("children", []), merged_into=survivor).update(
        merged_into=merged
    )
    merge.split_at, merge.split_by, merge.split_reason = now, by, reason
    merge.save(update_fields=["split_at", "split_by", "split_reason"])
    _pair_decided(
        survivor, merged, status=PossibleSameDwelling.Status.REJECTED, by=by, now=now, reason=why
    )
    events = [(Operation.COMBINATION, "dwelling", merged.pk, f"combination undone: {why}")]
    events += [
        (Operation.COMBINATION, "call", pk, f"{linked_to_dwelling(merged.pk)} (combination undone)")
        for pk in call_ids
    ]
    log_rows_write(log_rows(user=by, events=events))
    return merge


def _pair(a: Dwelling, b: Dwelling) -> tuple[int, int]:
    return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)


def _pair_decided(a, b, *, status, by, now, reason: str = "") -> None:
    first, second = _pair(a, b)
    updated = PossibleSameDwelling.objects.filter(first_id=first, second_id=second).update(
        status=status, decided_by=by, decided_at=now, reason=reason[:MAX_REASON]
    )
    if not updated and status == PossibleSameDwelling.Status.REJECTED:
        PossibleSameDwelling.objects.create(
            first_id=first,
            second_id=second,
            status=status,
            decided_by=by,
            decided_at=now,
            reason=reason[:MAX_REASON],
        )


@transaction.atomic
def possible_same_queue(*, a: Dwelling, b: Dwelling, score: float | None, run=None) -> bool:
    """Put a pair on the "Possible same dwelling" list; False when it is there already,
    or was decided (a rejected pair is never suggested again) or is vetoed."""
    if a.pk == b.pk or conflict(a, b):
        return False
    first, second = _pair(a, b)
    _, created = PossibleSameDwelling.objects.get_or_create(
        first_id=first, second_id=second, defaults={"score": score, "run": run}
    )
    return created


def _open_pair(pair: PossibleSameDwelling) -> PossibleSameDwelling:
    pair = PossibleSameDwelling.objects.select_for_update().get(pk=pair.pk)
    if pair.status != PossibleSameDwelling.Status.OPEN:
        raise ConsolidationError(
            f"This pair has been decided already ({pair.get_status_display()})."
        )
    return pair


@transaction.atomic
def possible_same_confirm(*, pair: PossibleSameDwelling, by) -> DwellingMerge:
    """Triage staff confirm the two dwellings are one household: they merge (the older
    survives), refused as any merge is where the addresses cannot be one."""
    pair = _open_pair(pair)
    return dwelling_merge(
        survivor=pair.first, merged=pair.second, score=pair.score, by=by, run=None
    )


@transaction.atomic
def possible_same_reject(*, pair: PossibleSameDwelling, by, reason: str) -> PossibleSameDwelling:
    """Triage staff say the two are different households: never suggested again."""
    reason = (reason or "").strip()
    if not reason:
        raise ConsolidationError("Say why these are two households.", field="reason")
    if len(reason) > MAX_REASON:
        raise ConsolidationError(f"At most {MAX_REASON} characters.", field="reason")
    pair = _open_pair(pair)
    pair.status = PossibleSameDwelling.Status.REJECTED
    pair.decided_by, pair.decided_at, pair.reason = by, timezone.now(), reason
    pair.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return pair


def detect_for(*, dwelling_ids) -> int:
    """Operation Farmington for the dwellings a merge changed: their calls are counted
    together, and a referral opens where they now complete the live policy's window (the
    detection's own code: nightly scope, referrals' own opening). Returns how many opened."""
    wanted = set(dwelling_ids)
    if not wanted:
        return 0
    policy = policy_current()
    windows, _ = find_windows(as_of=timezone.now(), policy=policy)
    return open_referrals([w for w in windows if w.dwelling_id in wanted], policy=policy)
