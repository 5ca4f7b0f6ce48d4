"""Operation Farmington's impact report (issue 24): counting before and after each
referral, complete and incomplete, the cohort's totals and medians, the top callers, the
splits, the comparison group, and the API's contract, errors, roles and logging."""

import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.models import ProcessingLog
from referrals import farmington, impact
from referrals.models import Referral, ReferralAction
from tests.factories import UserFactory, facts
from tests.referrals.factories import DwellingFactory, ReferralFactory
from triage.models import Call

pytestmark = pytest.mark.django_db

N = 90
WINDOW = timedelta(days=N)
T = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a trigger
LATER = T + timedelta(days=400)  # "now", when every window has passed
URL = "/api/reports/farmington-impact/"


def call(dwelling, at, *, channel="999", police=None):
    """A call of the dwelling at ``at``, decided (police attended or not) when ``police``
    is given. Written directly: intake would open referrals of its own."""
    return Call.objects.create(
        channel=channel,
        received_at=at,
        address=dwelling.address,
        dwelling=dwelling,
        facts=facts(),
        concern_type="welfare_check",
        rule_id="CFW-ADVICE",
        suggested_agency="ADVISE_CALLER",
        suggested_police_attend=False,
        suggestion={},
        final_police_attend=police,
        decided_at=None if police is None else at,
    )


def referred(dwelling=None, at=T, **kwargs) -> Referral:
    """An automatic referral triggered at ``at`` (the factory's defaults otherwise)."""
    kwargs.setdefault("source", Referral.Source.AUTOMATIC)
    return ReferralFactory(dwelling=dwelling or DwellingFactory(), triggered_at=at, **kwargs)


def report(*, start=date(2026, 1, 1), end=date(2027, 12, 31), now=LATER, **kwargs):
    return impact.impact_report(start=start, end=end, now=now, **kwargs)


def only(result) -> impact.ReferralCounts:
    [row] = result.rows
    return row


# --- counting before and after ----------------------------------------------------------


def test_calls_before_run_from_just_after_n_days_back_to_the_trigger_inclusive():
    r = referred()
    second = timedelta(seconds=1)
    for at in (T - WINDOW, T - WINDOW + second, T - timedelta(days=3), T):
        call(r.dwelling, at)
    assert only(report()).calls_before == 3  # not the call exactly N days back


def test_calls_after_run_from_just_after_the_trigger_to_n_days_on_inclusive():
    r = referred()
    second = timedelta(seconds=1)
    for at in (T, T + second, T + WINDOW, T + WINDOW + second):
        call(r.dwelling, at)
    row = only(report())
    assert (row.calls_before, row.calls_after) == (1, 2)


def test_the_window_is_the_days_asked_for():
    r = referred()
    call(r.dwelling, T - timedelta(days=20))
    call(r.dwelling, T + timedelta(days=20))
    row = only(report(window_days=14))
    assert (row.calls_before, row.calls_after) == (0, 0)
    row = only(report(window_days=21))
    assert (row.calls_before, row.calls_after) == (1, 1)


def test_other_dwellings_calls_are_not_counted():
    referred()
    call(DwellingFactory(), T)
    assert only(report()).calls_before == 0


def test_calls_are_counted_by_channel_and_police_deployments_are_calls_police_attended():
    r = referred()
    call(r.dwelling, T - timedelta(days=2), channel="999", police=True)
    call(r.dwelling, T - timedelta(days=1), channel="101", police=False)
    call(r.dwelling, T, channel="101")  # undecided: a call, not a deployment
    call(r.dwelling, T + timedelta(days=1), channel="999", police=True)
    row = only(report())
    assert (row.before_999, row.before_101, row.after_999, row.after_101) == (1, 2, 1, 0)
    assert (row.police_before, row.police_after) == (1, 1)


def test_a_referral_is_complete_once_its_after_window_has_passed():
    referred()
    assert only(report(now=T + WINDOW)).complete
    assert not only(report(now=T + WINDOW - timedelta(seconds=1))).complete


def test_a_manual_referral_is_counted_from_when_it_was_raised():
    raised = T + timedelta(days=5)
    r = ReferralFactory(source=Referral.Source.MANUAL, triggered_at=None, created_at=raised)
    call(r.dwelling, T)  # before it was raised
    call(r.dwelling, raised + timedelta(days=1))
    row = only(report())
    assert (row.calls_before, row.calls_after) == (1, 1)
    [shown] = impact.referral_details([row], window_days=N, costs=impact.UnitCosts())
    assert (shown.triggered_at, shown.anchored_at) == (None, raised)
    assert shown.window_ends_at == raised + WINDOW


def test_the_period_selects_referrals_by_the_london_day_of_their_trigger():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    referred(at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert len(report(start=date(2026, 7, 1), end=date(2026, 7, 1)).rows) == 1
    assert report(start=date(2026, 6, 1), end=date(2026, 6, 30)).rows == []


def test_the_source_filter_keeps_automatic_or_manual_referrals():
    referred()
    ReferralFactory(source=Referral.Source.MANUAL, created_at=T)
    assert {r.source for r in report(source="manual").rows} == {"manual"}
    assert len(report().rows) == 2


# --- the cohort -------------------------------------------------------------------------


def _with_calls(before: int, after: int, at=T, **kwargs) -> Referral:
    r = referred(at=at, **kwargs)
    for i in range(before):
        call(r.dwelling, at - timedelta(hours=i))
    for i in range(after):
        call(r.dwelling, at + timedelta(hours=i + 1))
    return r


def test_totals_and_medians_count_complete_referrals_only():
    _with_calls(3, 1)
    _with_calls(4, 0)
    _with_calls(9, 2)
    _with_calls(50, 50, at=LATER - timedelta(days=10))  # not yet complete
    totals = report().totals
    assert (totals.referrals, totals.incomplete) == (3, 1)
    assert (totals.calls_before, totals.calls_after, totals.change) == (16, 3, -13)
    assert (totals.median_before, totals.median_after, totals.median_change) == (4, 1, -4)
    assert totals.change_pct == -81.2
    assert totals.fell == 3


def test_an_even_cohort_takes_the_middle_two_for_its_median():
    _with_calls(3, 1)
    _with_calls(6, 2)
    assert report().totals.median_before == 4.5


def test_a_cohort_of_incomplete_referrals_has_no_totals_to_compare():
    _with_calls(3, 1, at=LATER - timedelta(days=1))
    totals = report().totals
    assert (totals.referrals, totals.calls_before, totals.median_before) == (0, 0, None)
    assert totals.change_pct is None


def test_estimates_come_from_the_unit_costs():
    r = referred()
    call(r.dwelling, T - timedelta(days=2), police=True)
    call(r.dwelling, T - timedelta(days=1), police=True)
    call(r.dwelling, T)
    call(r.dwelling, T + timedelta(days=1), police=False)
    costs = impact.UnitCosts(
        deployment_hours=Decimal("3"),
        officer_hour_cost=Decimal("50"),
        call_minutes=Decimal("12"),
        call_minute_cost=Decimal("0.5"),
    )
    estimate = report(costs=costs).totals.estimate
    assert estimate.officer_hours_before == 6  # 2 deployments × 3 hours
    assert estimate.officer_hours_saved == 6
    assert estimate.call_taker_hours_before == Decimal("0.6")  # 3 calls × 12 minutes
    assert estimate.cost_before == 2 * 3 * 50 + 3 * 12 * Decimal("0.5")
    assert estimate.cost_after == 12 * Decimal("0.5")
    assert estimate.cost_saved == 300 + 18 - 6


def test_the_top_callers_are_the_complete_referrals_with_most_calls_before():
    small = _with_calls(3, 0)
    big = _with_calls(8, 1)
    middle = _with_calls(5, 5)
    _with_calls(20, 0, at=LATER - timedelta(days=1))  # busiest, but not complete
    result = report(top=2)
    assert [r.id for r in result.top] == [big.pk, middle.pk]
    assert (result.top_totals.calls_before, result.top_totals.calls_after) == (13, 6)
    assert small.pk not in [r.id for r in result.top]


def test_referrals_are_split_by_how_they_closed_and_open_ones_are_still_open():
    _with_calls(4, 1, status=Referral.Status.CLOSED, outcome=Referral.Outcome.DEMAND_REDUCED)
    _with_calls(3, 3, status=Referral.Status.CLOSED, outcome=Referral.Outcome.SUPPORT_DECLINED)
    _with_calls(5, 0, status=Referral.Status.IN_REVIEW)
    groups = {g.key: (g.label, g.summary.calls_before) for g in report().by_outcome}
    assert groups == {
        "demand_reduced": ("Calls reduced; no further action needed", 4),
        "support_declined": ("Support offered and declined", 3),
        "open": ("Still open", 5),
    }


def _act(referral, kind):
    ReferralAction.objects.create(
        referral=referral,
        kind=kind,
        taken_on=date(2026, 3, 20),
        taken_by=UserFactory(role="triage_staff"),
        care_plan="Joint plan." if kind == ReferralAction.Kind.MULTI_AGENCY_MEETING else "",
    )


def test_referrals_are_split_by_each_kind_of_action_taken():
    both = _with_calls(4, 1)
    _act(both, ReferralAction.Kind.MULTI_AGENCY_MEETING)
    _act(both, ReferralAction.Kind.CPW)
    _act(both, ReferralAction.Kind.CPW)
    letter = _with_calls(3, 2)
    _act(letter, ReferralAction.Kind.WARNING_LETTER)
    _with_calls(6, 6)
    result = report()
    groups = {g.key: (g.summary.referrals, g.summary.calls_before) for g in result.by_action}
    assert groups == {
        "multi_agency_meeting": (1, 4),
        "warning_letter": (1, 3),
        "cpw": (1, 4),
        "none": (1, 6),
    }
    assert [g.label for g in result.by_action][-1] == "No action recorded"
    [shown] = impact.referral_details(
        [r for r in result.rows if r.id == both.pk], window_days=N, costs=impact.UnitCosts()
    )
    assert shown.actions == ("multi_agency_meeting", "cpw")


# --- the comparison group ---------------------------------------------------------------


def test_a_dwelling_one_call_short_of_the_trigger_is_in_the_comparison_group():
    # Live policy: 3 calls in 30 days. Two calls 20 days apart: one short.
    home = DwellingFactory()
    call(home, T - timedelta(days=60))  # before, not part of the near miss
    call(home, T - timedelta(days=20))
    call(home, T)  # the second within 30 days: the anchor
    call(home, T + timedelta(days=45))
    comparison = report().comparison
    assert (comparison.dwellings, comparison.incomplete) == (1, 0)
    assert (comparison.calls_before, comparison.calls_after) == (3, 1)
    assert (comparison.median_before, comparison.median_after) == (3, 1)
    assert comparison.within == 2


def test_calls_further_apart_than_the_policy_window_are_no_near_miss():
    home = DwellingFactory()
    call(home, T - timedelta(days=31))
    call(home, T)
    assert report().comparison.dwellings == 0


def test_calls_exactly_one_window_apart_are_a_near_miss_as_at_intake():
    home = DwellingFactory()
    call(home, T - timedelta(days=30))
    call(home, T)
    assert report().comparison.dwellings == 1


def test_a_referred_dwelling_is_not_in_the_comparison_group():
    r = referred(at=T + timedelta(days=10))
    call(r.dwelling, T - timedelta(days=5))
    call(r.dwelling, T)  # a near miss, then referred within its after-window
    call(r.dwelling, T + timedelta(days=10))
    assert report().comparison.dwellings == 0


def test_a_dwelling_referred_long_after_its_near_miss_stays_in_the_comparison_group():
    r = referred(at=T + WINDOW + timedelta(days=1))
    call(r.dwelling, T - timedelta(days=5))
    call(r.dwelling, T)
    assert report().comparison.dwellings == 1


def test_the_comparison_group_is_anchored_at_the_first_near_miss_in_the_period():
    home = DwellingFactory()
    # Near misses 35 days before the period, on its first day and three days in.
    for days in (-40, -35, -10, 0, 3):
        call(home, datetime(2026, 4, 1, 9, tzinfo=UTC) + timedelta(days=days))
    comparison = report(start=date(2026, 4, 1)).comparison
    # Anchored at 1 April: four calls up to it, one after.
    assert (comparison.dwellings, comparison.calls_before, comparison.calls_after) == (1, 4, 1)


def test_a_comparison_dwelling_is_complete_once_its_after_window_has_passed():
    home = DwellingFactory()
    call(home, T - timedelta(days=1))
    call(home, T)
    comparison = report(now=T + WINDOW - timedelta(seconds=1)).comparison
    assert (comparison.dwellings, comparison.incomplete) == (0, 1)


def test_the_near_miss_counts_only_the_policys_channels():
    farmington.policy_set(threshold=3, window_days=30, channels="999")
    home = DwellingFactory()
    call(home, T - timedelta(days=1), channel="101")
    call(home, T, channel="101")
    assert report().comparison.dwellings == 0
    call(home, T + timedelta(days=1), channel="999")
    call(home, T + timedelta(days=2), channel="999")
    comparison = report().comparison
    # Anchored at the second 999 call; every call around it counts, 101 calls too.
    assert (comparison.dwellings, comparison.calls_before) == (1, 4)


def test_a_tighter_policy_moves_the_near_miss():
    farmington.policy_set(threshold=4, window_days=30)
    home = DwellingFactory()
    call(home, T - timedelta(days=2))
    call(home, T - timedelta(days=1))
    assert report().comparison.dwellings == 0  # two calls: two short of four
    call(home, T)
    assert report().comparison.dwellings == 1


@pytest.mark.parametrize(
    "pairs",
    [[(3, 1)], [(1, 1), (5, 1)], [(2, 3), (7, 1), (0, 2)], [(4, 2), (4, 2)], []],
)
def test_a_weighted_median_is_the_median_of_the_values_written_out(pairs):
    values = [v for v, k in pairs for _ in range(k)]
    expected = statistics.median(values) if values else None
    assert impact._weighted_median(pairs) == expected


def test_the_default_period_is_the_last_12_months():
    assert impact.default_period(date(2026, 12, 7)) == (date(2025, 12, 8), date(2026, 12, 7))
    assert impact.default_period(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


# --- the API ----------------------------------------------------------------------------


def _get(client, **params):
    return client.get(URL, params)


def test_the_api_answers_the_contract(login, triage_staff):
    r = _with_calls(3, 1)
    call(r.dwelling, T - timedelta(days=1), channel="101")
    body = _get(login(triage_staff), start="2026-03-10", end="2026-03-10", window_days=N).json()
    assert body["window_days"] == N
    [item] = body["referrals"]
    assert {"id", "dwelling", "triggered_at", "calls_before", "calls_after", "complete"} <= set(
        item
    )
    assert item["id"] == r.pk
    assert item["dwelling"] == {"key": r.dwelling.key, "address": r.dwelling.address}
    assert item["triggered_at"] == "2026-03-10T12:00:00Z"
    assert (item["calls_before"], item["calls_after"], item["complete"]) == (4, 1, True)
    assert (item["calls_before_999"], item["calls_before_101"]) == (3, 1)
    assert body["totals"]["referrals"] == 1
    assert body["totals"]["calls_before"] == 4
    assert set(body["comparison"]) >= {"dwellings", "calls_before", "calls_after", "change_pct"}
    assert body["top"]["referral_ids"] == [r.pk]
    assert body["reading"] == impact.READING


def test_the_api_selects_referrals_by_start_and_end_inclusive(login, supervisor):
    first = referred(at=datetime(2026, 3, 1, 0, 30, tzinfo=UTC))
    last = referred(at=datetime(2026, 3, 31, 22, 0, tzinfo=UTC))  # 23:00 London, 31 March
    referred(at=datetime(2026, 4, 1, 0, 30, tzinfo=UTC))  # 1 April in London
    body = _get(login(supervisor), start="2026-03-01", end="2026-03-31").json()
    assert [item["id"] for item in body["referrals"]] == [first.pk, last.pk]
    assert body["count"] == 2


def test_the_api_lists_a_page_of_referrals_and_totals_them_all(login, supervisor):
    ids = [_with_calls(3, 0, at=T + timedelta(days=i)).pk for i in range(3)]
    body = _get(login(supervisor), start="2026-03-01", end="2026-03-31", limit=1, offset=1).json()
    assert [item["id"] for item in body["referrals"]] == [ids[1]]
    assert (body["count"], body["totals"]["referrals"]) == (3, 3)


def test_the_api_takes_the_unit_costs_from_its_parameters(login, supervisor):
    r = referred()
    call(r.dwelling, T, police=True)
    body = _get(
        login(supervisor),
        start="2026-03-10",
        end="2026-03-10",
        deployment_hours="1.5",
        officer_hour_cost="60",
        call_minutes="20",
        call_minute_cost="1",
    ).json()
    assert body["unit_costs"]["officer_hour_cost"] == 60
    assert body["referrals"][0]["cost_before"] == 1.5 * 60 + 20 * 1
    assert body["referrals"][0]["officer_hours_before"] == 1.5


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-02-30"}, "start"),
        ({"start": "7 Dec 2026"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-03-02", "end": "2026-03-01"}, "end"),
        ({"window_days": "6"}, "window_days"),
        ({"window_days": "366"}, "window_days"),
        ({"window_days": "ninety"}, "window_days"),
        ({"window_days": "9.5"}, "window_days"),
        ({"top": "0"}, "top"),
        ({"source": "partner"}, "source"),
        ({"deployment_hours": "lots"}, "deployment_hours"),
        ({"officer_hour_cost": "NaN"}, "officer_hour_cost"),
        ({"call_minutes": "0"}, "call_minutes"),
        ({"call_minute_cost": "-1"}, "call_minute_cost"),
        ({"limit": "501"}, "limit"),
    ],
)
def test_a_bad_parameter_is_refused_with_a_message_for_that_field(login, supervisor, params, field):
    response = _get(login(supervisor), **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {field}
    assert body[field][0].startswith(("Enter", "The end date", "Choose"))


def test_a_day_before_2000_or_after_2099_is_taken_as_the_first_or_last_day(login, supervisor):
    referred()
    body = _get(login(supervisor), start="0409-07-07", end="9999-12-31").json()
    assert (body["start"], body["end"], body["count"]) == ("2000-01-01", "2099-12-31", 1)


@pytest.mark.parametrize("role, status", [("call_handler", 403), ("auditor", 403)])
def test_only_triage_staff_and_supervisors_read_the_report(login, role, status):
    assert _get(login(UserFactory(role=role))).status_code == status


@pytest.mark.parametrize("role", ["triage_staff", "supervisor"])
def test_triage_staff_and_supervisors_read_the_report(login, role):
    assert _get(login(UserFactory(role=role))).status_code == 200


def test_each_referral_the_api_lists_is_logged_as_read(login, triage_staff):
    listed = [referred(at=T), referred(at=T + timedelta(days=1))]
    referred(at=T + timedelta(days=200))  # outside the period: not listed, not logged
    _get(login(triage_staff), start="2026-03-01", end="2026-03-31")
    logged = ProcessingLog.objects.filter(
        object_type="referral", operation=ProcessingLog.Operation.CONSULTATION
    )
    assert sorted(int(e.object_id) for e in logged) == sorted(r.pk for r in listed)
    assert all(e.justification.startswith("Farmington impact report (API)") for e in logged)
    assert {e.username for e in logged} == {triage_staff.username}


def _near_misses():
    """Three dwellings one call short (one of them referred since) and one that is not."""
    for gap in (3, 10, 25):
        home = DwellingFactory()
        call(home, T - timedelta(days=gap))
        call(home, T)
        call(home, T + timedelta(days=gap))
    far = DwellingFactory()
    call(far, T - timedelta(days=40))
    call(far, T)
    r = referred(at=T + timedelta(days=1))
    call(r.dwelling, T - timedelta(days=2))
    call(r.dwelling, T)


def test_the_comparison_group_is_every_dwelling_on_a_small_database():
    _near_misses()
    assert impact._sample_percent() is None
    assert report().comparison.sample_percent is None


@pytest.mark.postgres
@pytest.mark.parametrize("channels", ["999,101", "999"])
def test_a_sample_of_every_dwelling_gives_the_exact_comparison(monkeypatch, channels):
    farmington.policy_set(threshold=3, window_days=30, channels=channels)
    _near_misses()
    exact = report().comparison
    monkeypatch.setattr(impact, "_sample_percent", lambda: 100.0)
    sampled = report().comparison
    assert sampled.sample_percent == 100.0
    assert exact.dwellings == 3
    assert (sampled.dwellings, sampled.calls_before, sampled.calls_after, sampled.fell) == (
        exact.dwellings,
        exact.calls_before,
        exact.calls_after,
        exact.fell,
    )


def test_the_schema_documents_the_report_and_stays_valid():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    operation = schema["paths"]["/api/reports/farmington-impact/"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"start", "end", "window_days", "top", "source", "limit", "offset"} <= parameters
    assert {spec.name for spec in impact.COST_FIELDS} <= parameters
    assert {"200", "400", "403"} <= set(operation["responses"])


def test_a_sampled_comparison_group_says_how_it_was_drawn():
    words = impact.sample_words(
        impact.Comparison(
            dwellings=3,
            incomplete=0,
            calls_before=6,
            calls_after=2,
            median_before=2,
            median_after=1,
            median_change=-1,
            fell=3,
            within=2,
            sample_percent=2.0,
        )
    )
    assert "random sample of about 1 dwelling in 50 (2%)" in words
    assert "blocks of dwellings" in words
    assert "estimate the whole group" in words
