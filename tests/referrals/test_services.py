"""Referral services: the Farmington workflow rules, tested directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import ProcessingLog
from referrals import farmington, services
from referrals.models import Referral, ReferralAction, ReferralEvent
from tests.factories import UserFactory, take_call
from tests.referrals.factories import DwellingFactory, ReferralFactory

pytestmark = pytest.mark.django_db

MEETING = ReferralAction.Kind.MULTI_AGENCY_MEETING


def _close(referral, user, outcome="support_in_place"):
    return services.referral_transition(
        referral=referral, user=user, status="closed", outcome=outcome
    )


def _meeting(referral, user, **kwargs):
    return services.referral_action_record(
        referral=referral,
        user=user,
        kind=MEETING,
        care_plan="GP to review medication; crisis team to visit weekly.",
        **kwargs,
    )


# --- statuses ------------------------------------------------------------------------------


def test_a_referral_moves_new_in_review_action_monitoring_closed(triage_staff):
    referral = ReferralFactory()
    for status in ("in_review", "action", "monitoring"):
        referral = services.referral_transition(referral=referral, user=triage_staff, status=status)
        assert referral.status == status
    referral = _close(referral, triage_staff, outcome="demand_reduced")
    assert (referral.status, referral.outcome, referral.closed_by) == (
        "closed",
        "demand_reduced",
        triage_staff,
    )
    assert referral.closed_at is not None


@pytest.mark.parametrize(
    ("start", "target"),
    [("new", "action"), ("new", "monitoring"), ("in_review", "new"), ("action", "new")],
)
def test_a_move_outside_the_workflow_is_refused(triage_staff, start, target):
    referral = ReferralFactory(status=start)
    with pytest.raises(DomainError) as exc:
        services.referral_transition(referral=referral, user=triage_staff, status=target)
    assert "cannot move from" in exc.value.as_dict()["status"][0]
    referral.refresh_from_db()
    assert referral.status == start


def test_closing_needs_an_outcome(triage_staff):
    referral = ReferralFactory(status="monitoring")
    with pytest.raises(DomainError) as exc:
        services.referral_transition(referral=referral, user=triage_staff, status="closed")
    assert "outcome" in exc.value.as_dict()


def test_an_other_outcome_needs_a_note(triage_staff):
    referral = ReferralFactory(status="monitoring")
    with pytest.raises(DomainError) as exc:
        _close(referral, triage_staff, outcome="other")
    assert "outcome_note" in exc.value.as_dict()


def test_a_closed_referral_cannot_be_reopened(triage_staff):
    referral = _close(ReferralFactory(), triage_staff)
    with pytest.raises(DomainError) as exc:
        services.referral_transition(referral=referral, user=triage_staff, status="in_review")
    assert "closed" in str(exc.value)


def test_a_closed_referrals_dwelling_can_be_referred_again(triage_staff):
    first = _close(ReferralFactory(), triage_staff)
    second = services.referral_create_manual(
        user=triage_staff,
        dwelling=first.dwelling,
        referred_by="Adult social care, duty desk",
        referral_reason="New concern about the household's welfare.",
    )
    assert second.pk != first.pk
    assert Referral.objects.filter(dwelling=first.dwelling).count() == 2


def test_calls_after_a_referral_closes_open_a_new_automatic_referral(handler, triage_staff):
    start = timezone.now() - timedelta(days=20)
    for day in range(3):
        take_call(handler=handler, received_at=start + timedelta(days=day))
    first = Referral.objects.get()
    _close(first, triage_staff)
    for _ in range(3):
        take_call(handler=handler)  # received now, after the closure
    assert Referral.objects.open().filter(dwelling=first.dwelling).count() == 1
    assert Referral.objects.filter(dwelling=first.dwelling).count() == 2


def test_the_one_open_referral_per_dwelling_constraint_still_holds(triage_staff):
    referral = ReferralFactory()
    with pytest.raises(DomainError) as exc:
        services.referral_create_manual(
            user=triage_staff,
            dwelling=referral.dwelling,
            referred_by="PC 99",
            referral_reason="Second referral for one dwelling.",
        )
    assert f"number {referral.pk}" in exc.value.as_dict()["address"][0]


# --- manual referrals ---------------------------------------------------------------------


def test_a_manual_referral_records_who_referred_and_why(triage_staff):
    referral = services.referral_create_manual(
        user=triage_staff,
        address="Flat 2, 10 High St, Ely CB7 4AA",
        referred_by="Mental health liaison, Addenbrooke's",
        referral_reason="Several crisis contacts this month.",
    )
    assert referral.source == "manual"
    assert referral.status == "new"
    assert referral.referred_by == "Mental health liaison, Addenbrooke's"
    assert referral.created_by == triage_staff
    assert referral.review_due == timezone.localdate()
    assert referral.dwelling.key


def test_a_manual_referral_finds_the_dwelling_however_the_address_is_typed(triage_staff, handler):
    call = take_call(handler=handler, address="Flat 2, 10 High St, Ely CB7 4AA")
    referral = services.referral_create_manual(
        user=triage_staff,
        address="10 high street flat 2 ely cb74aa",
        referred_by="PC 12",
        referral_reason="Welfare concern.",
    )
    assert referral.dwelling_id == call.dwelling_id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"address": "High Street"}, "address"),
        ({"address": ""}, "address"),
        ({"referred_by": " "}, "referred_by"),
        ({"referral_reason": ""}, "referral_reason"),
    ],
)
def test_a_manual_referral_without_its_facts_is_refused(triage_staff, changes, field):
    kwargs = {
        "address": "10 High St, Ely CB7 4AA",
        "referred_by": "PC 12",
        "referral_reason": "Welfare concern.",
    } | changes
    with pytest.raises(DomainError) as exc:
        services.referral_create_manual(user=triage_staff, **kwargs)
    assert field in exc.value.as_dict()
    assert Referral.objects.count() == 0


# --- ownership and notes ------------------------------------------------------------------


def test_a_referral_can_be_assigned_and_reassigned(triage_staff, supervisor):
    colleague = UserFactory(role="triage_staff")
    referral = services.referral_assign(
        referral=ReferralFactory(), user=supervisor, assignee=triage_staff
    )
    referral = services.referral_assign(referral=referral, user=supervisor, assignee=colleague)
    assert referral.assignee == colleague
    details = list(
        ReferralEvent.objects.filter(referral=referral, kind="assigned").values_list(
            "detail", flat=True
        )
    )
    assert details == [
        f"Assigned to {triage_staff.username}",
        f"Reassigned from {triage_staff.username} to {colleague.username}",
    ]


def test_a_referral_can_be_unassigned(triage_staff):
    referral = services.referral_assign(
        referral=ReferralFactory(assignee=triage_staff), user=triage_staff, assignee=None
    )
    assert referral.assignee is None


def test_a_holder_who_left_the_team_is_refused_even_when_assigned_again(triage_staff):
    leaver = UserFactory()
    referral = ReferralFactory(assignee=leaver)  # held before they left the team
    with pytest.raises(DomainError) as exc:
        services.referral_assign(referral=referral, user=triage_staff, assignee=leaver)
    assert "not a member of the referral team" in exc.value.as_dict()["assignee"][0]


def test_a_handler_cannot_hold_a_referral(triage_staff, handler):
    with pytest.raises(DomainError) as exc:
        services.referral_assign(referral=ReferralFactory(), user=triage_staff, assignee=handler)
    assert "not a member of the referral team" in exc.value.as_dict()["assignee"][0]


def test_every_team_member_sees_every_note(triage_staff, supervisor):
    from referrals.selectors import referral_for_casework

    colleague = UserFactory(role="triage_staff")
    referral = ReferralFactory(assignee=colleague)
    services.referral_note_add(referral=referral, author=colleague, text="Visited today.")
    services.referral_note_add(referral=referral, author=supervisor, text="Agreed next steps.")
    # Whoever reads it (no per-author filtering exists), both notes are there.
    seen = [n.text for n in referral_for_casework(referral.pk).get().notes.all()]
    assert seen == ["Visited today.", "Agreed next steps."]


def test_an_empty_note_is_refused(triage_staff):
    with pytest.raises(DomainError) as exc:
        services.referral_note_add(referral=ReferralFactory(), author=triage_staff, text="  ")
    assert "text" in exc.value.as_dict()


# --- actions and the CPW/CPN rule ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["cpw", "cpn"])
def test_a_cpw_or_cpn_cannot_be_recorded_before_a_multi_agency_meeting(triage_staff, kind):
    referral = ReferralFactory(status="action")
    with pytest.raises(DomainError) as exc:
        services.referral_action_record(referral=referral, user=triage_staff, kind=kind)
    assert "only after a multi-agency meeting" in exc.value.as_dict()["kind"][0]
    assert referral.actions.count() == 0


@pytest.mark.parametrize("kind", ["cpw", "cpn"])
def test_a_cpw_or_cpn_can_be_recorded_after_a_multi_agency_meeting(triage_staff, kind):
    referral = ReferralFactory(status="action")
    _meeting(referral, triage_staff)
    action = services.referral_action_record(referral=referral, user=triage_staff, kind=kind)
    assert (action.kind, action.taken_by, action.taken_on) == (
        kind,
        triage_staff,
        timezone.localdate(),
    )


def test_a_meeting_dated_after_the_cpw_does_not_count(triage_staff):
    referral = ReferralFactory(status="action")
    today = timezone.localdate()
    _meeting(referral, triage_staff, taken_on=today)
    with pytest.raises(DomainError):
        services.referral_action_record(
            referral=referral, user=triage_staff, kind="cpw", taken_on=today - timedelta(days=3)
        )


def test_a_meeting_at_another_dwelling_does_not_count(triage_staff):
    _meeting(ReferralFactory(), triage_staff)
    with pytest.raises(DomainError):
        services.referral_action_record(referral=ReferralFactory(), user=triage_staff, kind="cpn")


def test_a_multi_agency_meeting_needs_its_joint_care_plan(triage_staff):
    with pytest.raises(DomainError) as exc:
        services.referral_action_record(referral=ReferralFactory(), user=triage_staff, kind=MEETING)
    assert "care plan" in exc.value.as_dict()["care_plan"][0]


def test_an_action_cannot_be_dated_in_the_future(triage_staff):
    with pytest.raises(DomainError) as exc:
        services.referral_action_record(
            referral=ReferralFactory(),
            user=triage_staff,
            kind="signposting",
            taken_on=timezone.localdate() + timedelta(days=1),
        )
    assert "taken_on" in exc.value.as_dict()


def test_an_unknown_action_kind_is_refused(triage_staff):
    with pytest.raises(DomainError) as exc:
        services.referral_action_record(
            referral=ReferralFactory(), user=triage_staff, kind="eviction"
        )
    assert "kind" in exc.value.as_dict()


def test_no_action_is_recorded_on_a_closed_referral(triage_staff):
    referral = _close(ReferralFactory(), triage_staff)
    with pytest.raises(DomainError):
        services.referral_action_record(referral=referral, user=triage_staff, kind="signposting")


# --- weekly review --------------------------------------------------------------------------


def test_a_review_decision_is_recorded_with_the_next_review_date(triage_staff):
    referral = ReferralFactory()
    next_week = timezone.localdate() + timedelta(days=7)
    review = services.referral_review_record(
        referral=referral,
        user=triage_staff,
        decision="Ask the mental-health team what they know.",
        status="in_review",
        next_review=next_week,
        assignee=triage_staff,
    )
    referral.refresh_from_db()
    assert (review.status_after, review.next_review, review.recorded_by) == (
        "in_review",
        next_week,
        triage_staff,
    )
    assert (referral.status, referral.review_due, referral.assignee) == (
        "in_review",
        next_week,
        triage_staff,
    )


def test_a_review_that_keeps_the_referral_open_needs_a_next_review_date(triage_staff):
    with pytest.raises(DomainError) as exc:
        services.referral_review_record(
            referral=ReferralFactory(), user=triage_staff, decision="Keep going."
        )
    assert "next_review" in exc.value.as_dict()


def test_a_review_can_close_the_referral_with_an_outcome(triage_staff):
    referral = ReferralFactory(status="monitoring")
    services.referral_review_record(
        referral=referral,
        user=triage_staff,
        decision="No calls for 8 weeks; support in place.",
        status="closed",
        outcome="support_in_place",
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.review_due) == (
        "closed",
        "support_in_place",
        None,
    )


# --- response plans -------------------------------------------------------------------------


def _plan(dwelling, author, **changes):
    kwargs = {
        "what_to_do": "Offer the crisis line.",
        "what_not_to_do": "Do not send officers alone.",
        "whom_to_call": "Crisis team",
        "review_by": timezone.localdate() + timedelta(days=90),
    } | changes
    return services.plan_publish(dwelling=dwelling, author=author, **kwargs)


def test_publishing_a_plan_twice_keeps_both_versions(triage_staff, supervisor):
    dwelling = DwellingFactory()
    first = _plan(dwelling, triage_staff)
    second = _plan(dwelling, supervisor, what_to_do="Call the named care coordinator.")
    assert (first.version, second.version) == (1, 2)
    assert list(dwelling.plans.values_list("version", "author")) == [
        (2, supervisor.pk),
        (1, triage_staff.pk),
    ]


def test_the_handler_sees_the_latest_plan_at_intake(triage_staff):
    dwelling = DwellingFactory()
    _plan(dwelling, triage_staff)
    _plan(dwelling, triage_staff, what_to_do="Version two.")
    plan = farmington.panel(dwelling).response_plan
    assert (plan["version"], plan["what_to_do"]) == (2, "Version two.")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"what_to_do": ""}, "what_to_do"),
        ({"review_by": timezone.localdate()}, "review_by"),
    ],
)
def test_a_plan_without_what_to_do_or_a_future_review_date_is_refused(triage_staff, changes, field):
    with pytest.raises(DomainError) as exc:
        _plan(DwellingFactory(), triage_staff, **changes)
    assert field in exc.value.as_dict()


def test_a_plan_published_from_a_referral_counts_as_its_activity(triage_staff):
    old = timezone.now() - timedelta(days=100)
    referral = ReferralFactory(last_activity_at=old)
    services.plan_publish(
        dwelling=referral.dwelling,
        referral=referral,
        author=triage_staff,
        what_to_do="Offer the crisis line.",
        review_by=timezone.localdate() + timedelta(days=30),
    )
    referral.refresh_from_db()
    assert referral.last_activity_at > old
    assert referral.events.filter(kind="plan_published").exists()


# --- 90 days without activity ---------------------------------------------------------------


def test_a_referral_without_activity_for_90_days_is_put_up_for_review(triage_staff):
    now = timezone.now()
    stale = ReferralFactory(
        last_activity_at=now - timedelta(days=91), review_due=timezone.localdate() + timedelta(30)
    )
    fresh = ReferralFactory(last_activity_at=now - timedelta(days=89))
    assert services.referrals_flag_inactive(now) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.flagged_inactive_at == now
    assert stale.review_due == timezone.localdate(now)
    assert fresh.flagged_inactive_at is None


def test_flagging_inactive_referrals_twice_changes_nothing(triage_staff):
    now = timezone.now()
    referral = ReferralFactory(last_activity_at=now - timedelta(days=120))
    assert services.referrals_flag_inactive(now=now) == 1
    assert services.referrals_flag_inactive(now=now + timedelta(hours=1)) == 0
    referral.refresh_from_db()
    assert referral.flagged_inactive_at == now
    assert referral.events.filter(kind="flagged_inactive").count() == 1


def test_closed_referrals_are_not_flagged():
    ReferralFactory(
        status="closed", outcome="moved_away", last_activity_at=timezone.now() - timedelta(365)
    )
    assert services.referrals_flag_inactive() == 0


def test_flagging_does_not_push_an_earlier_review_date_back():
    earlier = timezone.localdate() - timedelta(days=10)
    referral = ReferralFactory(
        last_activity_at=timezone.now() - timedelta(days=100), review_due=earlier
    )
    services.referrals_flag_inactive()
    referral.refresh_from_db()
    assert referral.review_due == earlier


def test_activity_clears_the_inactivity_flag(triage_staff):
    referral = ReferralFactory(last_activity_at=timezone.now() - timedelta(days=100))
    services.referrals_flag_inactive()
    services.referral_note_add(referral=referral, author=triage_staff, text="Called the GP.")
    referral.refresh_from_db()
    assert referral.flagged_inactive_at is None


# --- the processing log ---------------------------------------------------------------------


def test_changes_to_a_referral_are_in_the_processing_log(triage_staff):
    referral = ReferralFactory()
    services.referral_transition(referral=referral, user=triage_staff, status="in_review")
    services.referral_note_add(referral=referral, author=triage_staff, text="Note.")
    operations = set(
        ProcessingLog.objects.filter(
            object_type="referral", object_id=str(referral.pk)
        ).values_list("operation", flat=True)
    )
    assert operations == {"alteration", "collection"}


def test_the_intake_referral_service_keeps_its_contract(handler):
    """Intake and the nightly detector call this: (referral, created)."""
    dwelling = DwellingFactory()
    calls = [take_call(handler=handler) for _ in range(2)]
    policy = farmington.policy_current()
    referral, created = farmington.referral_open_automatic(
        dwelling_id=dwelling.pk,
        trigger_calls=calls,
        triggered_at=calls[-1].received_at,
        policy=policy,
    )
    again, created_again = farmington.referral_open_automatic(
        dwelling_id=dwelling.pk,
        trigger_calls=calls,
        triggered_at=calls[-1].received_at,
        policy=policy,
    )
    assert (created, created_again, again.pk) == (True, False, referral.pk)
    assert referral.source == "automatic"
    assert (referral.policy_id, referral.referral_reason) == (policy.pk, "3 calls in 30 days")


def _repeat_caller(n):
    """Three calls in three days from one dwelling (intake opens its referral live), as
    the nightly run hands them over: (dwelling id, calls, triggered at)."""
    now = timezone.now()
    calls = [
        take_call(address=f"{n} Orchard Way, Ely CB7 4AB", received_at=now - timedelta(days=d))
        for d in (3, 2, 1)
    ]
    return calls[0].dwelling_id, calls, calls[-1].received_at


def test_referrals_open_in_bulk_with_their_trigger_calls(django_assert_max_num_queries):
    openings = [_repeat_caller(n) for n in (1, 2, 3)]
    Referral.objects.all().delete()  # intake opened them live; the batch opens them again

    policy = farmington.policy_current()
    with django_assert_max_num_queries(4):  # closures, referrals, trigger calls, the log
        opened = farmington.referrals_open_automatic(openings, policy=policy)

    assert [r.dwelling_id for r in opened] == [dwelling_id for dwelling_id, _, _ in openings]
    for referral, (_, calls, _) in zip(opened, openings, strict=True):
        logged = ProcessingLog.objects.filter(object_type="referral", object_id=str(referral.pk))
        assert sorted(logged.values_list("operation", "username", "justification")) == [
            ("collection", "system", "3 calls in 30 days (automatic)"),
            ("combination", "system", "trigger calls " + ", ".join(str(c.pk) for c in calls)),
        ]
    for referral, (_, calls, triggered_at) in zip(opened, openings, strict=True):
        stored = Referral.objects.get(pk=referral.pk)
        assert (stored.source, stored.status, stored.triggered_at) == (
            "automatic",
            "new",
            triggered_at,
        )
        assert stored.review_due == timezone.localdate()
        assert {c.pk for c in stored.trigger_calls.all()} == {c.pk for c in calls}


def test_referrals_in_bulk_skip_a_dwelling_already_referred_and_calls_before_a_closure(
    triage_staff,
):
    openings = [_repeat_caller(n) for n in (1, 2, 3)]
    referred, closed_early, closed_late = (dwelling_id for dwelling_id, _, _ in openings)
    live = Referral.objects.get(dwelling=referred)  # opened at intake: stays the one
    live_triggers = set(live.trigger_calls.values_list("id", flat=True))
    early = Referral.objects.get(dwelling=closed_early)
    late = Referral.objects.get(dwelling=closed_late)
    for referral in (early, late):
        _meeting(referral, triage_staff)
        _close(referral, triage_staff)
    # Closed before all three calls: they all count again. Closed after the first: too few.
    Referral.objects.filter(pk=early.pk).update(
        closed_at=openings[1][1][0].received_at - timedelta(hours=1)
    )
    Referral.objects.filter(pk=late.pk).update(
        closed_at=openings[2][1][0].received_at + timedelta(minutes=1)
    )

    opened = farmington.referrals_open_automatic(openings, policy=farmington.policy_current())

    assert [r.dwelling_id for r in opened] == [closed_early]
    assert Referral.objects.open().get(dwelling=referred).pk == live.pk
    assert set(live.trigger_calls.values_list("id", flat=True)) == live_triggers
    assert not Referral.objects.open().filter(dwelling=closed_late).exists()


def test_the_command_and_the_task_flag_inactive_referrals():
    from io import StringIO

    from django.core.management import call_command

    from referrals.tasks import flag_inactive_referrals

    referral = ReferralFactory(last_activity_at=timezone.now() - timedelta(days=100))
    out = StringIO()
    call_command("flag_inactive_referrals", stdout=out)
    assert "1 referral(s)" in out.getvalue()
    assert flag_inactive_referrals() == 0  # the task body, without a worker
    referral.refresh_from_db()
    assert referral.flagged_inactive_at is not None
