import uuid
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from referrals.models import Referral
from tests.factories import POLICE_OVERRIDE, THRIVE, facts, take_call
from triage.models import Call, Decision, RuleSet
from triage.services import call_create, call_decide

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def test_a_call_stores_the_suggestion_and_the_rule_set_version_behind_it(handler):
    call = take_call(handler=handler, concern_type="medical", medical_need="urgent")
    assert call.rule_id == "MED-URGENT"
    assert call.suggested_agency == "AMBULANCE"
    assert call.suggested_police_attend is False
    live = RuleSet.objects.get(status="published")
    assert call.ruleset == live
    assert call.suggestion["ruleset_version"] == live.version


def test_repeat_calls_count_is_filled_from_history_and_the_client_value_is_ignored(handler):
    for days_ago in (20, 10):
        take_call(handler=handler, received_at=NOW - timedelta(days=days_ago))
    call, _ = call_create(
        channel="101",
        address="10 high street flat 2 ely cb74aa",
        facts=facts(repeat_calls_30d=99),
        handler=handler,
    )
    assert call.repeat_calls_30d == 3
    assert call.facts["repeat_calls_30d"] == 3


def test_third_call_in_30_days_is_flagged_and_opens_one_referral(handler):
    take_call(received_at=NOW - timedelta(days=29))
    second = take_call(address="2/10 High Street, Ely", received_at=NOW - timedelta(days=5))
    assert "FLAG-FARMINGTON" not in second.flags
    third = take_call(address="10 high street flat 2 ely cb74aa")
    assert "FLAG-FARMINGTON" in third.flags
    referral = Referral.objects.get(dwelling=third.dwelling)
    assert referral.status == "new"
    assert referral.triggered_at == third.received_at
    assert set(referral.trigger_calls.values_list("id", flat=True)) == set(
        Call.objects.values_list("id", flat=True)
    )
    take_call()
    assert Referral.objects.filter(dwelling=third.dwelling).count() == 1


def test_a_call_exactly_30_days_earlier_still_counts(handler):
    take_call(received_at=NOW - timedelta(days=30))
    take_call(received_at=NOW - timedelta(days=1))
    third = take_call(received_at=NOW)
    assert third.repeat_calls_30d == 3


def test_a_call_30_days_and_a_second_earlier_does_not_count(handler):
    take_call(received_at=NOW - timedelta(days=30, seconds=1))
    take_call(received_at=NOW - timedelta(days=1))
    third = take_call(received_at=NOW)
    assert third.repeat_calls_30d == 2
    assert not Referral.objects.exists()


def test_the_farmington_flag_never_changes_the_suggestion(handler):
    first = take_call(concern_type="medical", medical_need="non_urgent")
    take_call(concern_type="medical", medical_need="non_urgent")
    third = take_call(concern_type="medical", medical_need="non_urgent")
    assert "FLAG-FARMINGTON" in third.flags
    assert (third.rule_id, third.suggested_agency, third.suggested_police_attend) == (
        first.rule_id,
        first.suggested_agency,
        first.suggested_police_attend,
    )


def test_an_unidentifiable_address_is_saved_without_a_dwelling(handler):
    call = take_call(address="High Street")
    assert call.dwelling is None
    assert call.repeat_calls_30d == 1


def test_a_repeated_client_token_returns_the_first_call(handler):
    token = uuid.uuid4()
    first, created = call_create(
        channel="999", address="1 Mill Road, Ely", facts=facts(), client_token=token
    )
    again, created_again = call_create(
        channel="999", address="1 Mill Road, Ely", facts=facts(), client_token=token
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "112"}, "channel"),
        ({"address": ""}, "address"),
        ({"address": "x" * 501}, "address"),
        ({"narrative": "x" * 10_001}, "narrative"),
        ({"received_at": NOW + timedelta(minutes=10)}, "received_at"),
        ({"facts": {**facts(), "concern_type": "burglary"}}, "facts"),
        ({"facts": "welfare"}, "facts"),
    ],
)
def test_bad_input_is_rejected_with_a_field_message_and_nothing_is_saved(changes, field):
    kwargs = {"channel": "999", "address": "1 Mill Road, Ely", "facts": facts()} | changes
    with pytest.raises(DomainError) as exc:
        call_create(**kwargs)
    assert field in exc.value.as_dict()
    assert Call.objects.count() == 0


def test_a_decision_that_overrides_keeps_both_suggestion_and_decision(handler):
    call = take_call(handler=handler, vulnerability_flags=["mental_distress"])
    assert call.suggested_agency == "MENTAL_HEALTH_CRISIS"
    decision = call_decide(
        call=call, user=handler, override_note="Caller says he has a knife now.", **POLICE_OVERRIDE
    )
    call.refresh_from_db()
    assert call.suggested_agency == "MENTAL_HEALTH_CRISIS"
    assert (call.final_agency, call.overridden, call.grade) == ("POLICE", True, 1)
    assert decision.accepted is False


def test_police_not_attending_requires_the_caller_to_have_been_told(handler):
    call = take_call(handler=handler, vulnerability_flags=["mental_distress"])
    with pytest.raises(DomainError) as exc:
        call_decide(call=call, user=handler, accept=True, grade=4, thrive=THRIVE)
    assert "caller_told" in exc.value.as_dict()
    assert Decision.objects.count() == 0


def test_a_raised_check_must_be_confirmed_with_a_reason(handler):
    call = take_call(
        handler=handler, vulnerability_flags=["stated_suicidal_intent", "means_available"]
    )
    assert "CHECK-SUICIDE-MEANS" in call.suggestion["checks"]
    kwargs = {
        "call": call,
        "user": handler,
        "accept": True,
        "grade": 3,
        "thrive": THRIVE,
        "caller_told": True,
        "caller_told_text": "Told.",
    }
    with pytest.raises(DomainError) as exc:
        call_decide(**kwargs)
    assert "check_confirmations" in exc.value.as_dict()
    call_decide(**kwargs, check_confirmations={"CHECK-SUICIDE-MEANS": "Means removed by family."})
    assert Decision.objects.count() == 1


def test_sending_no_police_where_police_were_suggested_is_a_downgrade(handler):
    call = take_call(handler=handler, crime="past")
    decision = call_decide(
        call=call,
        user=handler,
        accept=False,
        final_agency="ADVISE_CALLER",
        final_police_attend=False,
        override_reason="other",
        override_note="Crime already reported.",
        grade=4,
        thrive=THRIVE,
        caller_told=True,
        caller_told_text="Told.",
    )
    assert decision.downgraded is True


def test_a_reassessment_with_a_less_urgent_grade_is_a_downgrade_and_says_why(handler):
    call = take_call(handler=handler, crime="past")
    call_decide(call=call, user=handler, accept=True, grade=2, thrive=THRIVE)
    with pytest.raises(DomainError) as exc:
        call_decide(call=call, user=handler, accept=True, grade=3, thrive=THRIVE)
    assert exc.value.as_dict() == {"override_note": ["The grade is lowered from 2 to 3: say why."]}
    assert call.decisions.count() == 1
    later = call_decide(
        call=call,
        user=handler,
        accept=True,
        grade=3,
        thrive=THRIVE,
        override_note="Suspect has left; no one at risk now.",
    )
    assert later.downgraded is True
    assert later.override_note == "Suspect has left; no one at risk now."
    same_or_higher = call_decide(call=call, user=handler, accept=True, grade=1, thrive=THRIVE)
    assert same_or_higher.downgraded is False


def test_the_repeat_window_is_thirty_days_of_hours_across_a_clock_change():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    third_at = datetime(2025, 4, 10, 12, 0, tzinfo=london)  # 11:00 UTC, in summer time
    # 720 hours earlier is 11:00 UTC on 11 March; a calendar-day window would start at 12:00.
    take_call(received_at=datetime(2025, 3, 11, 11, 30, tzinfo=UTC))
    take_call(received_at=datetime(2025, 3, 20, 9, 0, tzinfo=UTC))
    third = take_call(received_at=third_at)
    assert third.repeat_calls_30d == 3


# Eight days back is always in a completed week: the repeat-share days cached there change.
LAST_WEEK = NOW - timedelta(days=8)


def test_a_back_dated_call_that_opens_a_referral_enqueues_dashboard_upkeep_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    from dashboards.tasks import warm_repeat_share

    sent = []
    monkeypatch.setattr(warm_repeat_share, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True) as first_two:
        take_call(received_at=LAST_WEEK - timedelta(hours=2))
        take_call(address="10 high street flat 2 ely", received_at=LAST_WEEK - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True) as third:
        take_call(address="2/10 High St, Ely", received_at=LAST_WEEK)
    assert Referral.objects.count() == 1
    assert (len(first_two), len(third), len(sent)) == (0, 1, 1)


def test_a_live_call_that_opens_a_referral_enqueues_nothing(
    django_capture_on_commit_callbacks, monkeypatch
):
    # Its referral counts from this week on, and the current week is never cached.
    from dashboards.tasks import warm_repeat_share

    sent = []
    monkeypatch.setattr(warm_repeat_share, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for address in (
            "Flat 2, 10 High St, Ely",
            "10 high street flat 2 ely",
            "2/10 High St, Ely",
        ):
            take_call(address=address)
    assert Referral.objects.count() == 1
    assert (len(callbacks), sent) == (0, [])


def test_a_broker_outage_never_fails_the_write_that_enqueues(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from kombu.exceptions import OperationalError

    from dashboards.tasks import warm_repeat_share

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(warm_repeat_share, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        for hours, address in enumerate(
            ("Flat 2, 10 High St, Ely", "10 high street flat 2 ely", "2/10 High St, Ely")
        ):
            take_call(address=address, received_at=LAST_WEEK + timedelta(hours=hours))
    assert Call.objects.count() == 3
    assert Referral.objects.count() == 1
    assert "not enqueued (OperationalError)" in caplog.text


def _window(near, until):
    return [(pk, at) for pk, at, _ in near.near if at <= until]


def test_the_intakes_window_query_selects_what_the_orm_selector_does(handler):
    from referrals import farmington
    from triage.selectors import intake_reads

    window = timedelta(days=30)
    for at in (window, timedelta(days=30, seconds=1), timedelta(days=3), timedelta(0)):
        call = take_call(received_at=NOW - at)
    take_call(received_at=NOW + timedelta(seconds=1), address="Flat 1, 10 High St, Ely CB7 4AA")
    near = intake_reads(call.dwelling_id, NOW)
    policy = farmington.policy_current()
    expected = farmington.window_calls(call.dwelling_id, NOW, policy).values_list(
        "id", "received_at"
    )
    rows = _window(near, NOW)
    assert rows == list(expected) and len(rows) == 3
    assert all(at.utcoffset() == timedelta(0) for _, at in rows)  # aware, in UTC


def test_the_intakes_one_read_gives_the_window_and_the_live_rule_set(handler):
    from referrals import farmington
    from triage.selectors import intake_reads, ruleset_current

    # Taken out of time order (a back-dated call last): the window comes oldest first.
    for at in (timedelta(days=31), timedelta(hours=1), timedelta(days=3), timedelta(days=2)):
        call = take_call(received_at=NOW - at)
    live, parsed = ruleset_current()

    near = intake_reads(call.dwelling_id, NOW)
    ruleset, rules = near.ruleset
    expected = farmington.window_calls(
        call.dwelling_id, NOW, farmington.policy_current()
    ).values_list("id", "received_at")
    assert _window(near, NOW) == list(expected)
    assert [at for _, at in _window(near, NOW)] == [NOW - timedelta(days=d) for d in (3, 2)] + [
        NOW - timedelta(hours=1)
    ]
    assert (ruleset.pk, rules) == (live.pk, parsed)

    # No call in the window: the rule set still comes back.
    near = intake_reads(call.dwelling_id, NOW - timedelta(days=80))
    ruleset, _ = near.ruleset
    assert (near.near, ruleset.pk) == ([], live.pk)

    # A newer version published since: the next intake takes it.
    RuleSet.objects.filter(pk=live.pk).update(status=RuleSet.Status.RETIRED)
    newer = RuleSet.objects.create(
        version="2099-01",
        document=live.document,
        status=RuleSet.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    ruleset, _ = intake_reads(call.dwelling_id, NOW).ruleset
    assert ruleset.pk == newer.pk


def test_the_intakes_one_read_follows_a_newly_published_policy(handler):
    from referrals import farmington
    from triage.selectors import intake_reads

    for days in (40, 20, 2):
        call = take_call(received_at=NOW - timedelta(days=days))
    near = intake_reads(call.dwelling_id, NOW)
    assert (near.policy.window_days, len(_window(near, NOW))) == (30, 2)

    farmington.policy_set(threshold=4, window_days=45)
    near = intake_reads(call.dwelling_id, NOW)
    assert (near.policy.threshold, near.policy.window_days) == (4, 45)
    assert len(_window(near, NOW)) == 3
    assert near.count("999").calls_in_window == 4 and near.count("999").due
    assert near.open_referral is None
    referral = Referral.objects.create(dwelling_id=call.dwelling_id, source="manual")
    found = intake_reads(call.dwelling_id, NOW).open_referral
    assert (found.id, found.status) == (referral.pk, "new")


def test_taking_a_call_with_another_handlers_client_token_is_refused_not_dropped(handler):
    from tests.factories import UserFactory
    from triage.services import call_take

    token = uuid.uuid4()
    decision = {"accept": True, "grade": 1, "thrive": THRIVE}
    kwargs = {"channel": "999", "narrative": "", "client_token": token, "decision": decision}
    kwargs |= {"check_confirmations": {}, "facts": facts(crime="in_progress")}
    call_take(address="1 Mill Road, Ely", handler=handler, **kwargs)
    with pytest.raises(DomainError) as exc:
        call_take(address="3 Mill Lane, Ely", handler=UserFactory(role="call_handler"), **kwargs)
    assert "client_token" in exc.value.as_dict()
    assert Call.objects.count() == 1


def test_the_screen_requires_what_the_caller_was_told_when_police_will_not_attend(handler):
    call = take_call(handler=handler, vulnerability_flags=["mental_distress"])
    decision = {"accept": True, "grade": 4, "thrive": THRIVE, "caller_told": True}
    with pytest.raises(DomainError) as exc:
        call_decide(
            call=call, user=handler, caller_told_text=" ", require_told_text=True, **decision
        )
    assert list(exc.value.as_dict()) == ["caller_told_text"]
    assert Decision.objects.count() == 0
    call_decide(call=call, user=handler, caller_told_text=" ", **decision)  # the API's rule
    assert Decision.objects.count() == 1


def test_an_override_requires_a_note_whatever_the_reason(handler):
    call = take_call(handler=handler, vulnerability_flags=["mental_distress"])
    with pytest.raises(DomainError) as exc:
        call_decide(call=call, user=handler, override_note="  ", **POLICE_OVERRIDE)
    assert list(exc.value.as_dict()) == ["override_note"]
    assert Decision.objects.count() == 0
