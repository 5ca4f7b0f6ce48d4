"""The nightly pass (consolidation.consolidate) with a stub matcher, and its command."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from callers.models import Dwelling
from consolidation.consolidate import consolidate
from consolidation.matcher import Pair
from consolidation.models import ConsolidationRun, DwellingMerge, PossibleSameDwelling
from consolidation.services import possible_same_queue, possible_same_reject
from consolidation.tasks import consolidate_dwellings
from core.models import ProcessingLog
from referrals.models import Referral
from triage.models import Call

from .helpers import calls, dwelling, stub_matcher

pytestmark = pytest.mark.django_db

A = "Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB"
B = "Hill Farm, Southfield, Exampletown EX1 2AB"


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.CONSOLIDATION_MERGE_WEIGHT = 20.0
    settings.CONSOLIDATION_MERGE_GAP = 5.0
    settings.CONSOLIDATION_SUGGEST_WEIGHT = 5.0


def standard(address):
    return dwelling(address).address


def run(scores, gap=None, **kwargs):
    return consolidate(matcher=stub_matcher(scores, gap=gap), **kwargs)


def test_above_the_merge_threshold_the_newer_dwelling_merges_into_the_older():
    old, new = dwelling(A), dwelling(B)
    outcome = run({(old.address, new.address): 25.0})
    new.refresh_from_db()
    assert new.merged_into_id == old.pk
    assert outcome.merged == 1
    assert DwellingMerge.objects.get().run == outcome.run


def test_between_the_thresholds_the_pair_is_queued_for_triage_staff():
    old, new = dwelling(A), dwelling(B)
    outcome = run({(old.address, new.address): 12.0})
    item = PossibleSameDwelling.objects.get()
    assert (item.first_id, item.second_id, item.score) == (old.pk, new.pk, 12.0)
    assert outcome.queued == 1 and outcome.merged == 0
    assert Dwelling.objects.get(pk=new.pk).merged_into_id is None


def test_below_the_lower_threshold_nothing_happens():
    old, new = dwelling(A), dwelling(B)
    outcome = run({(old.address, new.address): 4.9})
    assert not PossibleSameDwelling.objects.exists()
    assert not DwellingMerge.objects.exists()
    assert outcome.decisions == []


def test_a_high_score_with_a_close_second_candidate_is_queued_not_merged():
    old, new = dwelling(A), dwelling(B)
    run({(old.address, new.address): 30.0}, gap=1.0)
    assert not DwellingMerge.objects.exists()
    assert PossibleSameDwelling.objects.get().status == PossibleSameDwelling.Status.OPEN


@pytest.mark.parametrize(
    "older, newer",
    [
        # different house numbers
        ("10 High Street, Ely CB7 4AA", "12 High Street, Ely CB7 4AA"),
        # a flat and its whole house
        ("10 High Street, Ely CB7 4AA", "Flat 2, 10 High Street, Ely CB7 4AA"),
        # different flats
        ("Flat 2, 10 High Street, Ely CB7 4AA", "Flat 3, 10 High Street, Ely CB7 4AA"),
        # different floors
        ("Ground Floor Flat, 4 Park Road, Ely", "First Floor Flat, 4 Park Road, Ely"),
        ("Basement Flat, 4 Park Road, Ely", "Top Floor Flat, 4 Park Road, Ely"),
        # different buildings
        ("Flat 1, Abbey Mansions, Park Street, Ely", "Flat 1, Priory Court, Park Street, Ely"),
        # different street types
        ("31 Acorn Road, Peterborough", "31 Acorn Close, Peterborough"),
        # different towns
        ("10 High Street, Ely", "10 High Street, March"),
        # different postcodes
        ("10 High Street, Ely CB7 4AA", "10 High Street, Ely CB7 4AB"),
    ],
)
def test_no_pair_the_deterministic_rules_forbid_merges_or_is_queued_even_at_the_top_score(
    older, newer
):
    a, b = dwelling(older), dwelling(newer)
    outcome = run({(a.address, b.address): 1000.0})
    assert not DwellingMerge.objects.exists()
    assert not PossibleSameDwelling.objects.exists()
    assert outcome.vetoed == 1
    assert Dwelling.objects.filter(merged_into__isnull=False).count() == 0


def test_a_dwelling_never_merges_into_two_survivors_in_one_run():
    first = dwelling("Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB")
    second = dwelling("Hill Farm House, Field Lane, Southfield, Exampletown EX1 2AB")
    newest = dwelling(B)
    outcome = run({(newest.address, first.address): 30.0, (newest.address, second.address): 28.0})
    assert DwellingMerge.objects.get().survivor_id == first.pk
    assert Dwelling.objects.get(pk=newest.pk).merged_into_id == first.pk
    assert outcome.merged == 1


def test_the_best_score_is_decided_first_whatever_order_the_matcher_gives():
    first = dwelling("Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB")
    second = dwelling("Hill Farm House, Field Lane, Southfield, Exampletown EX1 2AB")
    newest = dwelling(B)
    run({(newest.address, second.address): 31.0, (newest.address, first.address): 22.0})
    assert DwellingMerge.objects.get().survivor_id == second.pk


def test_a_rejected_pair_is_never_queued_or_merged_again(triage_staff):
    old, new = dwelling(A), dwelling(B)
    possible_same_queue(a=old, b=new, score=12.0)
    possible_same_reject(
        pair=PossibleSameDwelling.objects.get(), by=triage_staff, reason="Two farms."
    )
    outcome = run({(old.address, new.address): 40.0})
    assert not DwellingMerge.objects.exists()
    assert outcome.decisions == []


def test_the_next_run_considers_only_the_dwellings_created_since_the_last_run():
    dwelling(A)
    matcher = stub_matcher({})
    consolidate(matcher=matcher)
    watermark = timezone.now() - timedelta(minutes=1)
    ConsolidationRun.objects.update(until=watermark)
    later = dwelling(B, created_at=watermark + timedelta(seconds=1))
    consolidate(matcher=matcher)
    assert matcher.asked[-1][0] == [later.pk]


def test_merged_dwellings_are_not_matched_again():
    old, new = dwelling(A), dwelling(B)
    run({(old.address, new.address): 25.0})
    matcher = stub_matcher({})
    # As if the first run had never finished: every live dwelling is new again.
    ConsolidationRun.objects.update(status=ConsolidationRun.Status.FAILED)
    consolidate(matcher=matcher)
    considered = {i for new_ids, known in matcher.asked for i in (*new_ids, *known)}
    assert new.pk not in considered


def test_after_its_merges_the_pass_runs_detection_and_counts_the_calls_together():
    old, new = dwelling(A), dwelling(B)
    now = timezone.now()
    calls(old, now - timedelta(days=5))
    calls(new, now - timedelta(days=3), now - timedelta(days=1))
    run({(old.address, new.address): 25.0})
    referral = Referral.objects.get()
    assert referral.dwelling_id == old.pk
    assert referral.trigger_calls.count() == 3


def test_the_run_is_recorded_with_its_counts_and_watermark():
    old, new = dwelling(A), dwelling(B)
    outcome = run({(old.address, new.address): 25.0})
    recorded = ConsolidationRun.objects.get()
    assert recorded.pk == outcome.run.pk
    assert recorded.status == ConsolidationRun.Status.FINISHED
    assert (recorded.dwellings_considered, recorded.merged, recorded.queued) == (2, 1, 0)
    assert recorded.since is None and recorded.until is not None


def test_a_failing_matcher_marks_the_run_failed_and_raises():
    dwelling(A)

    def broken(new, known, **kwargs):
        raise RuntimeError("model missing")

    with pytest.raises(RuntimeError):
        consolidate(matcher=broken)
    assert ConsolidationRun.objects.get().status == ConsolidationRun.Status.FAILED


def test_a_dry_run_changes_nothing_and_records_no_run():
    old, new = dwelling(A), dwelling(B)
    third = dwelling("Hill Farm House, Field Lane, Southfield, Exampletown EX1 2AB")
    calls(new, timezone.now())
    logged = ProcessingLog.objects.count()
    outcome = run(
        {(old.address, new.address): 25.0, (third.address, old.address): 10.0}, dry_run=True
    )
    assert [d.action for d in outcome.decisions] == ["merge", "queue"]
    assert not DwellingMerge.objects.exists()
    assert not PossibleSameDwelling.objects.exists()
    assert not ConsolidationRun.objects.exists()
    assert Call.objects.get().dwelling_id == new.pk
    assert ProcessingLog.objects.count() == logged


# --- the command and the task ---------------------------------------------------------------


@pytest.fixture
def stubbed(monkeypatch):
    def use(scores):
        monkeypatch.setattr("consolidation.matcher.match", stub_matcher(scores))

    return use


def test_the_command_dry_run_prints_the_pairs_and_scores_and_changes_nothing(stubbed, capsys):
    old, new = dwelling(A), dwelling(B)
    stubbed({(old.address, new.address): 25.0})
    call_command("consolidate_dwellings", "--dry-run")
    out = capsys.readouterr().out
    assert f"Would merge: {new.address} (dwelling {new.pk}) into {old.address}" in out
    assert "score 25.0" in out
    assert "1 merged" in out
    assert not DwellingMerge.objects.exists()


def test_the_command_merges_and_prints_counts(stubbed, capsys):
    old, new = dwelling(A), dwelling(B)
    stubbed({(old.address, new.address): 25.0})
    call_command("consolidate_dwellings")
    out = capsys.readouterr().out
    assert "2 dwellings considered, 1 merged, 0 queued" in out
    assert DwellingMerge.objects.count() == 1


def test_the_command_fails_with_a_one_line_reason(monkeypatch):
    dwelling(A)

    def broken(new, known, **kwargs):
        raise RuntimeError("model missing")

    monkeypatch.setattr("consolidation.matcher.match", broken)
    with pytest.raises(CommandError, match="Consolidation failed: RuntimeError: model missing"):
        call_command("consolidate_dwellings")


def test_the_nightly_task_runs_the_pass_and_a_second_run_merges_nothing_twice(stubbed):
    old, new = dwelling(A), dwelling(B)
    stubbed({(old.address, new.address): 25.0})
    first = consolidate_dwellings.apply().get()
    second = consolidate_dwellings.apply().get()
    assert (first["merged"], second["merged"]) == (1, 0)
    assert DwellingMerge.objects.count() == 1
    assert ConsolidationRun.objects.get(pk=first["run"]).trigger == "nightly"


def test_the_beat_runs_consolidation_before_detection(settings):
    beat = settings.CELERY_BEAT_SCHEDULE
    mine = beat["consolidate-dwellings-nightly"]
    assert mine["task"] == "consolidation.tasks.consolidate_dwellings"
    detection = beat["detect-repeat-callers-nightly"]["schedule"]
    assert (min(mine["schedule"].hour), min(mine["schedule"].minute)) < (
        min(detection.hour),
        min(detection.minute),
    )


def test_two_new_spellings_of_one_household_both_merge_into_it():
    old = dwelling(A)
    one, two = dwelling(B), dwelling("Hill Farm, Southfield, EX1 2AB")
    outcome = run({(one.address, old.address): 25.0, (two.address, old.address): 24.0})
    assert outcome.merged == 2
    assert set(Dwelling.objects.filter(merged_into=old).values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }


def test_a_new_dwelling_whose_only_candidate_is_vetoed_is_compared_with_the_other_new_ones():
    old, new = dwelling("10 High Street, Ely CB7 4AA"), dwelling("12 High Street, Ely CB7 4AA")
    farm, farm_again = dwelling(A), dwelling(B)
    asked = {}

    def matcher(new_addresses, known, *, settled):
        vetoed = Pair(new.pk, old.pk, 30.0, None)
        asked["vetoed"] = settled(vetoed)
        asked["low"] = settled(Pair(farm_again.pk, farm.pk, 1.0, None))
        asked["sure"] = settled(Pair(farm_again.pk, farm.pk, 30.0, None))
        return [vetoed]

    consolidate(matcher=matcher)
    assert asked == {"vetoed": False, "low": False, "sure": True}


def test_an_address_that_also_fits_a_third_dwelling_is_queued_not_merged():
    road = dwelling("12 Willow Road, St Ives PE27 1HB")
    dwelling("12 Willow Close, St Ives PE27 1HD")
    vague = dwelling("12 Willow, St Ives")
    outcome = run({(vague.address, road.address): 30.0})
    assert not DwellingMerge.objects.exists()
    assert [d.action for d in outcome.decisions] == ["queue"]


def test_without_a_third_dwelling_that_fits_the_same_address_merges():
    road = dwelling("12 Willow Road, St Ives PE27 1HB")
    dwelling("14 Willow Close, St Ives PE27 1HD")
    vague = dwelling("12 Willow, St Ives")
    outcome = run({(vague.address, road.address): 30.0})
    assert outcome.merged == 1


def test_a_postcode_on_one_side_and_only_a_town_on_the_other_waits_for_staff():
    older = dwelling("Flat 29, Victoria House, Hawthorn Road, March")
    newer = dwelling("Flat 29, Victoria House, Hawthorn Road, PE15 3WP")
    outcome = run({(older.address, newer.address): 40.0})
    assert not DwellingMerge.objects.exists()
    assert [d.action for d in outcome.decisions] == ["queue"]
