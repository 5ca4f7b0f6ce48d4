"""The nightly pass against a loaded gazetteer (issue 28, point 4), with a stub matcher."""

import itertools

import pytest
from django.core.management import call_command

from callers.addresses import match_fields, parse_address
from callers.models import Dwelling, GazetteerAddress
from consolidation.consolidate import consolidate
from consolidation.models import ConsolidationRun, DwellingMerge, PossibleSameDwelling
from consolidation.services import ConsolidationError, dwelling_uprn_give
from core.models import ProcessingLog

from .helpers import dwelling, stub_matcher

pytestmark = pytest.mark.django_db

HOUSE = "10 High Street, Ely CB7 4AA"
UPRN = "100090001"
# Gazetteer rows get ids of their own range: the stub matcher never pairs an id with itself.
_row_ids = itertools.count(10_000)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.CONSOLIDATION_MERGE_WEIGHT = 20.0
    settings.CONSOLIDATION_MERGE_GAP = 5.0
    settings.CONSOLIDATION_SUGGEST_WEIGHT = 5.0


def gazetteer(address: str, uprn: str = UPRN) -> GazetteerAddress:
    parsed = parse_address(address)
    return GazetteerAddress.objects.create(
        pk=next(_row_ids), uprn=uprn, building_name=parsed.building_name, **match_fields(parsed)
    )


def holding(address: str, uprn: str = UPRN) -> Dwelling:
    """An older dwelling that intake linked to ``uprn``."""
    held = dwelling(address)
    Dwelling.objects.filter(pk=held.pk).update(uprn=uprn, match_method=Dwelling.MatchMethod.UPRN)
    held.refresh_from_db()
    return held


def test_a_new_dwelling_matching_a_gazetteer_row_above_the_threshold_is_given_its_uprn():
    row = gazetteer(HOUSE)
    new = dwelling("10 High St, Ely CB7 4AA")
    matcher = stub_matcher({(new.address, row.address): 25.0})
    outcome = consolidate(matcher=matcher)
    new.refresh_from_db()
    assert (new.uprn, new.match_method) == (UPRN, Dwelling.MatchMethod.UPRN)
    assert outcome.given == 1
    assert matcher.asked[-1] == ([new.pk], [row.pk])
    entry = ProcessingLog.objects.get(object_type="dwelling", object_id=str(new.pk))
    assert entry.operation == ProcessingLog.Operation.COMBINATION
    assert f"given UPRN {UPRN}" in entry.justification
    assert "score 25.0" in entry.justification
    assert f"run {outcome.run.pk}" in entry.justification


def test_below_the_merge_threshold_a_gazetteer_candidate_changes_nothing():
    row = gazetteer(HOUSE)
    new = dwelling("10 High St, Ely CB7 4AA")
    outcome = consolidate(matcher=stub_matcher({(new.address, row.address): 19.0}))
    new.refresh_from_db()
    assert new.uprn is None
    assert outcome.given == 0
    assert not PossibleSameDwelling.objects.exists()


def test_a_gazetteer_candidate_with_a_close_second_is_not_given_its_uprn():
    row = gazetteer(HOUSE)
    new = dwelling("10 High St, Ely CB7 4AA")
    consolidate(matcher=stub_matcher({(new.address, row.address): 30.0}, gap=1.0))
    new.refresh_from_db()
    assert new.uprn is None


def test_a_new_dwelling_matching_the_uprn_an_older_dwelling_holds_merges_into_it():
    row = gazetteer(HOUSE)
    held = holding(HOUSE)
    new = dwelling("10 High St, Ely CB7 4AA")
    # The dwellings' own pair scores nothing: only the gazetteer joins them.
    outcome = consolidate(matcher=stub_matcher({(new.address, row.address): 25.0}))
    new.refresh_from_db()
    assert new.merged_into_id == held.pk
    assert new.uprn is None
    merge = DwellingMerge.objects.get()
    assert (merge.survivor_id, merge.merged_id, merge.run) == (held.pk, new.pk, outcome.run)
    assert outcome.merged == 1 and outcome.given == 0


@pytest.mark.parametrize(
    "typed",
    ["Flat 2, 10 High Street, Ely CB7 4AA", "12 High Street, Ely CB7 4AA"],
    ids=["a flat against its whole house", "a different number"],
)
@pytest.mark.parametrize("held", [False, True], ids=["unheld UPRN", "held UPRN"])
def test_a_gazetteer_row_the_deterministic_rules_forbid_is_vetoed_even_at_the_top_score(
    typed, held
):
    row = gazetteer(HOUSE)
    if held:
        holding(HOUSE)
    new = dwelling(typed)
    outcome = consolidate(matcher=stub_matcher({(new.address, row.address): 1000.0}))
    new.refresh_from_db()
    assert (new.uprn, new.merged_into_id) == (None, None)
    assert not DwellingMerge.objects.exists()
    assert outcome.vetoed == 1


def test_without_a_gazetteer_the_pass_makes_no_gazetteer_matching_call():
    old, new = dwelling(HOUSE), dwelling("10 High St, Ely CB7 4AA")
    matcher = stub_matcher({(old.address, new.address): 10.0})
    consolidate(matcher=matcher)
    assert matcher.asked == [([old.pk, new.pk], [])]


def test_a_dwelling_merged_in_the_run_is_not_also_given_a_uprn():
    old = dwelling("Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB")
    new = dwelling("Hill Farm, Southfield, Exampletown EX1 2AB")
    row = gazetteer("Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB")
    matcher = stub_matcher({(old.address, new.address): 25.0, (new.address, row.address): 25.0})
    consolidate(matcher=matcher)
    new.refresh_from_db()
    assert new.merged_into_id == old.pk
    assert new.uprn is None
    assert matcher.asked[-1] == ([old.pk], [row.pk])


def test_a_dry_run_against_the_gazetteer_changes_nothing():
    row = gazetteer(HOUSE)
    other = gazetteer("3 Mill Road, Ely CB7 4AB", uprn="100090002")
    held = holding("3 Mill Road, Ely CB7 4AB", uprn="100090002")
    given = dwelling("10 High St, Ely CB7 4AA")
    merged = dwelling("3 Mill Rd, Ely CB7 4AB")
    logged = ProcessingLog.objects.count()
    outcome = consolidate(
        matcher=stub_matcher(
            {(given.address, row.address): 25.0, (merged.address, other.address): 25.0}
        ),
        dry_run=True,
    )
    assert [(u.dwelling.pk, u.row.uprn) for u in outcome.uprns] == [(given.pk, UPRN)]
    assert [(d.older.pk, d.newer.pk) for d in outcome.decisions] == [(held.pk, merged.pk)]
    assert Dwelling.objects.filter(uprn=UPRN).count() == 0
    assert Dwelling.objects.filter(merged_into__isnull=False).count() == 0
    assert not DwellingMerge.objects.exists()
    assert not ConsolidationRun.objects.exists()
    assert ProcessingLog.objects.count() == logged


def test_the_command_dry_run_prints_the_uprn_it_would_give(monkeypatch, capsys):
    row = gazetteer(HOUSE)
    new = dwelling("10 High St, Ely CB7 4AA")
    monkeypatch.setattr(
        "consolidation.matcher.match", stub_matcher({(new.address, row.address): 25.0})
    )
    call_command("consolidate_dwellings", "--dry-run")
    out = capsys.readouterr().out
    assert f"Would give {new.address} (dwelling {new.pk}) the UPRN {UPRN}" in out
    assert "1 given a UPRN" in out
    assert Dwelling.objects.get(pk=new.pk).uprn is None


def test_the_service_refuses_a_uprn_another_dwelling_holds_and_writes_nothing():
    gazetteer(HOUSE)
    holding(HOUSE)
    new = dwelling("10 High St, Ely CB7 4AA")
    logged = ProcessingLog.objects.count()
    with pytest.raises(ConsolidationError, match="Another dwelling holds UPRN"):
        dwelling_uprn_give(dwelling=new, uprn=UPRN, score=25.0)
    new.refresh_from_db()
    assert new.uprn is None
    assert ProcessingLog.objects.count() == logged
