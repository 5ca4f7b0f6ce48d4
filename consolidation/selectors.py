"""Reads for the consolidation of dwellings: the pass's inputs and the team's lists."""

from datetime import datetime

from django.db.models import Count, QuerySet

from callers.models import Dwelling
from triage.models import Call

from .models import ConsolidationRun, DwellingMerge, PossibleSameDwelling

# Spellings shown per dwelling on the lists (the most used first).
SPELLINGS_SHOWN = 5


def last_watermark() -> datetime | None:
    """The ``until`` of the last finished run: the next run considers dwellings created
    after it (None: no run yet, every dwelling is new)."""
    return (
        ConsolidationRun.objects.filter(status=ConsolidationRun.Status.FINISHED)
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )


def live_dwellings() -> QuerySet[Dwelling]:
    """Dwellings not merged into another: the only ones a merge may join."""
    return Dwelling.objects.filter(merged_into__isnull=True)


def decided_pairs() -> set[tuple[int, int]]:
    """Pairs (lower id, higher id) never to be merged or suggested again by the pass:
    those staff decided (rejected, or confirmed) and the merges split since."""
    pairs = set(
        PossibleSameDwelling.objects.exclude(status=PossibleSameDwelling.Status.OPEN).values_list(
            "first_id", "second_id"
        )
    )
    for a, b in DwellingMerge.objects.filter(split_at__isnull=False).values_list(
        "survivor_id", "merged_id"
    ):
        pairs.add((min(a, b), max(a, b)))
    return pairs


def possible_same_open() -> QuerySet[PossibleSameDwelling]:
    """The open pairs, most likely first, with both dwellings."""
    return (
        PossibleSameDwelling.objects.filter(status=PossibleSameDwelling.Status.OPEN)
        .select_related("first", "second")
        .order_by("-score", "id")
    )


def merges_recent() -> QuerySet[DwellingMerge]:
    """Merges, newest first, with both dwellings and who merged or split them."""
    return DwellingMerge.objects.select_related(
        "survivor", "merged", "merged_by", "split_by", "run"
    ).order_by("-merged_at", "-id")


def dwelling_facts(dwelling_ids) -> dict[int, dict]:
    """Per dwelling: its number of calls and its spellings (the addresses typed on its
    calls, most used first). Two queries for the whole page."""
    ids = list(dwelling_ids)
    facts = {pk: {"calls": 0, "spellings": []} for pk in ids}
    rows = (
        Call.objects.filter(dwelling_id__in=ids)
        .values("dwelling_id", "address")
        .annotate(n=Count("id"))
        .order_by("dwelling_id", "-n", "address")
    )
    for row in rows:
        item = facts[row["dwelling_id"]]
        item["calls"] += row["n"]
        if len(item["spellings"]) < SPELLINGS_SHOWN:
            item["spellings"].append(row["address"])
    return facts
