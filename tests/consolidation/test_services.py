"""Merging and splitting dwellings (consolidation.services), tested directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callers.models import Dwelling, ResponsePlan
from consolidation.models import DwellingMerge, PossibleSameDwelling
from consolidation.services import (
    ConsolidationError,
    dwelling_merge,
    dwelling_split,
    possible_same_confirm,
    possible_same_queue,
    possible_same_reject,
)
from core.models import ProcessingLog
from referrals import services as referral_services
from referrals.models import Referral
from tests.factories import take_call
from tests.referrals.factories import ReferralFactory
from triage.models import Call

from .helpers import calls, dwelling

pytestmark = pytest.mark.django_db

OLD = "Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB"
NEW = "Hill Farm, Southfield, Exampletown EX1 2AB"


@pytest.fixture
def pair():
    return dwelling(OLD), dwelling(NEW)


def days_ago(*days):
    now = timezone.now()
    return [now - timedelta(days=d) for d in days]


def plan(d, author, version, *, days_old=0):
    return ResponsePlan.objects.create(
        dwelling=d,
        version=version,
        what_to_do=f"Plan {version} of {d.pk}",
        author=author,
        review_by=timezone.localdate() + timedelta(days=30),
        created_at=timezone.now() - timedelta(days=days_old),
    )


# --- merging -------------------------------------------------------------------------------


def test_a_merge_moves_every_call_referral_and_plan_to_the_older_dwelling(pair, triage_staff):
    old, new = pair
    old_calls = calls(old, *days_ago(40))
    new_calls = calls(new, *days_ago(20, 10))
    referral = ReferralFactory(dwelling=new, status=Referral.Status.CLOSED, outcome="other")
    new_plan = plan(new, triage_staff, 1)

    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)

    assert set(Call.objects.filter(dwelling=old).values_list("pk", flat=True)) == {
        c.pk for c in old_calls + new_calls
    }
    assert not Call.objects.filter(dwelling=new).exists()
    referral.refresh_from_db()
    assert referral.dwelling_id == old.pk
    new_plan.refresh_from_db()
    assert new_plan.dwelling_id == old.pk
    new.refresh_from_db()
    assert new.merged_into_id == old.pk
    assert merge.moved["calls"] == [c.pk for c in new_calls]
    assert merge.moved["referrals"] == [referral.pk]


def test_given_the_other_way_round_the_newer_dwelling_still_merges_into_the_older(pair):
    old, new = pair
    merge = dwelling_merge(survivor=new, merged=old, score=25.0, by=None)
    assert (merge.survivor_id, merge.merged_id) == (old.pk, new.pk)


def test_the_merged_dwellings_plans_are_numbered_after_the_survivors(pair, triage_staff):
    old, new = pair
    plan(old, triage_staff, 1)
    plan(old, triage_staff, 2)
    moved = plan(new, triage_staff, 1)

    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)

    moved.refresh_from_db()
    assert (moved.dwelling_id, moved.version) == (old.pk, 3)
    assert sorted(old.plans.values_list("version", flat=True)) == [1, 2, 3]
    assert merge.moved["plans"] == [[moved.pk, 1, 3]]


def test_when_both_have_an_open_referral_the_newer_referral_closes_and_the_older_carries_on(
    pair,
):
    old, new = pair
    older = ReferralFactory(dwelling=new, created_at=timezone.now() - timedelta(days=9))
    newer = ReferralFactory(dwelling=old, created_at=timezone.now() - timedelta(days=2))

    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)

    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.is_open and older.dwelling_id == old.pk
    assert newer.status == Referral.Status.CLOSED
    assert f"referral {older.pk}" in newer.outcome_note
    assert Referral.objects.open().filter(dwelling=old).count() == 1
    assert merge.moved["closed_referral"] == newer.pk


def test_a_merge_is_logged_as_a_combination_naming_the_score_and_the_run(pair):
    old, new = pair
    moved = calls(new, *days_ago(3))
    dwelling_merge(survivor=old, merged=new, score=23.4, by=None)

    entry = ProcessingLog.objects.get(object_type="dwelling", object_id=str(new.pk))
    assert entry.operation == ProcessingLog.Operation.COMBINATION
    assert "score 23.4" in entry.justification
    assert "nightly consolidation" in entry.justification
    call_entry = ProcessingLog.objects.get(object_type="call", object_id=str(moved[0].pk))
    assert call_entry.operation == ProcessingLog.Operation.COMBINATION
    assert f"dwelling {old.pk}" in call_entry.justification


def test_a_staff_merge_names_who_confirmed_it_in_the_log(pair, triage_staff):
    old, new = pair
    dwelling_merge(survivor=old, merged=new, score=12.0, by=triage_staff)
    entry = ProcessingLog.objects.get(object_type="dwelling", object_id=str(new.pk))
    assert entry.username == triage_staff.username
    assert f"confirmed by {triage_staff.username}" in entry.justification


def test_a_dwelling_cannot_be_merged_with_itself(pair):
    old, _ = pair
    with pytest.raises(ConsolidationError, match="itself"):
        dwelling_merge(survivor=old, merged=old, score=30.0, by=None)


def test_a_dwelling_cannot_be_merged_twice(pair):
    old, new = pair
    third = dwelling("Hill Farm House, Field Lane, Southfield, Exampletown EX1 2AB")
    dwelling_merge(survivor=old, merged=new, score=30.0, by=None)
    with pytest.raises(ConsolidationError, match="merged already"):
        dwelling_merge(survivor=third, merged=new, score=30.0, by=None)
    assert DwellingMerge.objects.count() == 1


def test_merging_into_a_merged_dwelling_follows_it_to_its_survivor(pair):
    old, new = pair
    third = dwelling("Hill Farm House, Field Lane, Southfield, Exampletown EX1 2AB")
    dwelling_merge(survivor=old, merged=new, score=30.0, by=None)
    merge = dwelling_merge(survivor=new, merged=third, score=30.0, by=None)
    assert merge.survivor_id == old.pk


def test_merging_two_dwellings_that_are_one_already_is_refused(pair):
    old, new = pair
    dwelling_merge(survivor=old, merged=new, score=30.0, by=None)
    with pytest.raises(ConsolidationError):
        dwelling_merge(survivor=new, merged=old, score=30.0, by=None)


@pytest.mark.parametrize(
    "a, b",
    [
        ("10 High Street, Ely CB7 4AA", "12 High Street, Ely CB7 4AA"),
        ("Flat 2, 10 High Street, Ely CB7 4AA", "10 High Street, Ely CB7 4AA"),
        ("Flat 2, 10 High Street, Ely CB7 4AA", "Flat 3, 10 High Street, Ely CB7 4AA"),
        ("Ground Floor Flat, 4 Park Road, Ely", "First Floor Flat, 4 Park Road, Ely"),
    ],
)
def test_a_merge_the_deterministic_rules_forbid_is_refused_whoever_asks(a, b, triage_staff):
    first, second = dwelling(a), dwelling(b)
    with pytest.raises(ConsolidationError, match="cannot be one household"):
        dwelling_merge(survivor=first, merged=second, score=99.0, by=triage_staff)
    second.refresh_from_db()
    assert second.merged_into_id is None


# --- splitting ------------------------------------------------------------------------------


def test_a_split_restores_exactly_what_the_merge_moved(pair, triage_staff):
    old, new = pair
    old_calls = calls(old, *days_ago(40))
    new_calls = calls(new, *days_ago(20, 10))
    referral = ReferralFactory(dwelling=new)
    plan(old, triage_staff, 1)
    moved_plan = plan(new, triage_staff, 1)
    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)

    dwelling_split(merge=merge, by=triage_staff, reason="Two farms: the lane has two.")

    assert set(Call.objects.filter(dwelling=new).values_list("pk", flat=True)) == {
        c.pk for c in new_calls
    }
    assert set(Call.objects.filter(dwelling=old).values_list("pk", flat=True)) == {
        c.pk for c in old_calls
    }
    referral.refresh_from_db()
    moved_plan.refresh_from_db()
    new.refresh_from_db()
    assert referral.dwelling_id == new.pk and referral.is_open
    assert (moved_plan.dwelling_id, moved_plan.version) == (new.pk, 1)
    assert new.merged_into_id is None
    merge.refresh_from_db()
    assert merge.is_split and merge.split_by == triage_staff


def test_after_a_split_a_later_call_in_the_merged_dwellings_own_spelling_goes_back_with_it(
    pair, triage_staff
):
    old, new = pair
    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)
    ours = calls(old, *days_ago(1), address=NEW)
    theirs = calls(old, *days_ago(1), address=OLD)
    # Only its key can say which spelling a later call used.
    Dwelling.objects.filter(pk=new.pk).update(key=Dwelling.objects.get(pk=new.pk).key.split("#")[0])

    dwelling_split(merge=merge, by=triage_staff, reason="Two households.")

    assert Call.objects.get(pk=ours[0].pk).dwelling_id == new.pk
    assert Call.objects.get(pk=theirs[0].pk).dwelling_id == old.pk


def test_a_split_records_the_pair_as_rejected_and_logs_the_combination_undone(pair, triage_staff):
    old, new = pair
    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)
    dwelling_split(merge=merge, by=triage_staff, reason="Two households.")

    decided = PossibleSameDwelling.objects.get()
    assert decided.status == PossibleSameDwelling.Status.REJECTED
    entry = ProcessingLog.objects.filter(object_type="dwelling", object_id=str(new.pk)).first()
    assert entry.operation == ProcessingLog.Operation.COMBINATION
    assert entry.justification.startswith("combination undone")
    assert not possible_same_queue(a=old, b=new, score=30.0)


def test_a_split_needs_a_reason_and_happens_once(pair, triage_staff):
    old, new = pair
    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)
    with pytest.raises(ConsolidationError, match="why"):
        dwelling_split(merge=merge, by=triage_staff, reason="  ")
    dwelling_split(merge=merge, by=triage_staff, reason="Two households.")
    with pytest.raises(ConsolidationError, match="split already"):
        dwelling_split(merge=merge, by=triage_staff, reason="Again.")


def test_a_referral_closed_as_the_same_household_stays_closed_after_a_split(pair, triage_staff):
    old, new = pair
    ReferralFactory(dwelling=new, created_at=timezone.now() - timedelta(days=9))
    newer = ReferralFactory(dwelling=old)
    merge = dwelling_merge(survivor=old, merged=new, score=25.0, by=None)
    dwelling_split(merge=merge, by=triage_staff, reason="Two households.")
    newer.refresh_from_db()
    assert newer.status == Referral.Status.CLOSED
    assert Referral.objects.open().filter(dwelling=new).count() == 1


# --- possible pairs --------------------------------------------------------------------------


def test_confirming_a_possible_pair_merges_the_newer_into_the_older(pair, triage_staff):
    old, new = pair
    possible_same_queue(a=new, b=old, score=12.0)
    item = PossibleSameDwelling.objects.get()
    merge = possible_same_confirm(pair=item, by=triage_staff)
    item.refresh_from_db()
    assert (merge.survivor_id, merge.merged_by) == (old.pk, triage_staff)
    assert item.status == PossibleSameDwelling.Status.CONFIRMED
    assert item.decided_by == triage_staff


def test_a_rejected_pair_needs_a_reason_and_is_never_suggested_again(pair, triage_staff):
    old, new = pair
    possible_same_queue(a=old, b=new, score=12.0)
    item = PossibleSameDwelling.objects.get()
    with pytest.raises(ConsolidationError, match="why"):
        possible_same_reject(pair=item, by=triage_staff, reason="")
    possible_same_reject(pair=item, by=triage_staff, reason="Two farms.")
    assert not possible_same_queue(a=old, b=new, score=14.0)
    with pytest.raises(ConsolidationError, match="decided already"):
        possible_same_confirm(pair=item, by=triage_staff)


def test_a_pair_the_rules_forbid_is_never_queued():
    assert not possible_same_queue(
        a=dwelling("10 High Street, Ely CB7 4AA"),
        b=dwelling("12 High Street, Ely CB7 4AA"),
        score=9,
    )
    assert not PossibleSameDwelling.objects.exists()


# --- detection -------------------------------------------------------------------------------


def test_a_confirmed_merge_counts_the_calls_together_and_opens_one_referral(
    pair, triage_staff, django_capture_on_commit_callbacks
):
    old, new = pair
    calls(old, *days_ago(6))
    calls(new, *days_ago(4, 2))
    possible_same_queue(a=old, b=new, score=12.0)
    with django_capture_on_commit_callbacks(execute=True):
        possible_same_confirm(pair=PossibleSameDwelling.objects.get(), by=triage_staff)
    referral = Referral.objects.get()
    assert referral.dwelling_id == old.pk
    assert referral.trigger_calls.count() == 3


def test_after_a_merge_a_new_intake_in_the_merged_spelling_lands_on_the_survivor_and_is_counted(
    handler, triage_staff, django_capture_on_commit_callbacks
):
    first = take_call(address="31 Acorn Road, Peterborough PE1 1BH", handler=handler)
    second = take_call(address="31 Acorn, Peterborough", handler=handler)
    old, new = first.dwelling, second.dwelling
    assert old.pk != new.pk  # intake cannot join them: no postcode, no street type
    possible_same_queue(a=old, b=new, score=12.0)
    with django_capture_on_commit_callbacks(execute=True):
        possible_same_confirm(pair=PossibleSameDwelling.objects.get(), by=triage_staff)
    assert not Referral.objects.exists()  # two calls: not yet

    third = take_call(address="31 Acorn, Peterborough", handler=handler)

    assert third.dwelling_id == old.pk
    referral = Referral.objects.get()
    assert referral.dwelling_id == old.pk
    assert set(referral.trigger_calls.values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        third.pk,
    }


def test_referrals_move_never_leaves_two_open_referrals_at_one_dwelling(pair):
    old, new = pair
    a = ReferralFactory(dwelling=old)
    b = ReferralFactory(dwelling=new)
    referral_services.referrals_move(referral_ids=[b.pk], to_dwelling=old, reason="test")
    assert Referral.objects.open().filter(dwelling=old).count() == 1
    assert {a.pk, b.pk} == set(Referral.objects.filter(dwelling=old).values_list("pk", flat=True))


def test_dwellings_merged_into_a_dwelling_follow_it_when_it_is_merged_and_back_on_a_split(
    triage_staff,
):
    oldest = dwelling(OLD)
    middle = dwelling("Hill Farm House, Field Lane, Southfield, Exampletown EX1 2AB")
    newest = dwelling(NEW)
    first = dwelling_merge(survivor=middle, merged=newest, score=25.0, by=None)
    second = dwelling_merge(survivor=oldest, merged=middle, score=25.0, by=None)
    assert Dwelling.objects.get(pk=newest.pk).merged_into_id == oldest.pk

    with pytest.raises(ConsolidationError, match="split that merge first"):
        dwelling_split(merge=first, by=triage_staff, reason="Two households.")
    dwelling_split(merge=second, by=triage_staff, reason="Two households.")
    assert Dwelling.objects.get(pk=newest.pk).merged_into_id == middle.pk
