"""Every dashboard figure against hand-counted fixtures.

Days are Europe/London days: 2026-03-29 (clocks go forward, a 23-hour day) and 2026-10-25
(clocks go back, a 25-hour day) are the boundaries tested; 23:30 UTC is the next London
day in summer and the same day in winter. Weeks start on Monday.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from callers.models import Dwelling
from dashboards.selectors import Dashboard, Period
from dashboards.services import stats_rebuild
from referrals.models import DetectionRun, Referral
from tests.dashboards.helpers import ADVICE, MEDICAL, RISK, call, decide, exported, shown, utc
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


def dash(start, end, *, channel="", hours="2", today=TODAY):
    return Dashboard(Period(start, end, channel, Decimal(hours)), today=today)


@pytest.fixture(params=["live", "rebuilt"])
def stats(request):
    """Run a test on the aggregates kept at intake, then again on a full rebuild."""

    def settle():
        if request.param == "rebuilt":
            stats_rebuild()

    return settle


# Demand ------------------------------------------------------------------------------


def test_calls_fall_on_london_days_and_hours_across_the_spring_clock_change(stats):
    call(utc(2026, 3, 27, 23, 30))  # Fri 27 Mar 23:30 GMT: before the range
    call(utc(2026, 3, 28, 0, 10))  # Sat 28 Mar 00:10 GMT
    call(utc(2026, 3, 28, 23, 30), channel="101")  # Sat 28 Mar 23:30 GMT
    call(utc(2026, 3, 29, 0, 30))  # Sun 29 Mar 00:30 GMT
    call(utc(2026, 3, 29, 1, 30))  # Sun 29 Mar 02:30 BST (01:00 GMT became 02:00 BST)
    call(utc(2026, 3, 29, 23, 30), channel="101")  # Mon 30 Mar 00:30 BST
    call(utc(2026, 3, 30, 22, 59))  # Mon 30 Mar 23:59 BST
    call(utc(2026, 3, 30, 23, 0))  # Tue 31 Mar 00:00 BST: after the range
    stats()
    d = dash(date(2026, 3, 28), date(2026, 3, 30))

    assert d.demand_daily.rows == [
        (date(2026, 3, 28), 1, 1, 2),
        (date(2026, 3, 29), 2, 0, 2),
        (date(2026, 3, 30), 1, 1, 2),
    ]
    hourly = {row[0][:2]: row[1:] for row in d.demand_hourly.rows}
    assert hourly["00"] == (2, 1, 3)
    assert hourly["01"] == (0, 0, 0)  # 01:00-01:59 did not exist on 29 March
    assert hourly["02"] == (1, 0, 1)
    assert hourly["23"] == (1, 1, 2)
    assert sum(row[3] for row in d.demand_hourly.rows) == 6
    assert d.totals["calls"] == 6
    assert d.totals["by_channel"] == {"999": 4, "101": 2}


def test_calls_fall_on_london_days_and_hours_across_the_autumn_clock_change(stats):
    call(utc(2026, 10, 24, 22, 59))  # Sat 24 Oct 23:59 BST: the day before
    call(utc(2026, 10, 24, 23, 30))  # Sun 25 Oct 00:30 BST
    call(utc(2026, 10, 25, 0, 30))  # Sun 25 Oct 01:30 BST (the first 01:30)
    call(utc(2026, 10, 25, 1, 30))  # Sun 25 Oct 01:30 GMT (the second 01:30)
    call(utc(2026, 10, 25, 23, 30))  # Sun 25 Oct 23:30 GMT
    call(utc(2026, 10, 26, 0, 0))  # Mon 26 Oct 00:00 GMT: the day after
    stats()
    d = dash(date(2026, 10, 25), date(2026, 10, 25))

    assert d.demand_daily.rows == [(date(2026, 10, 25), 4, 0, 4)]
    hourly = {row[0][:2]: row[1] for row in d.demand_hourly.rows}
    assert (hourly["00"], hourly["01"], hourly["02"], hourly["23"]) == (1, 2, 0, 1)


def test_weeks_start_on_monday_and_partial_weeks_count_only_days_in_range(stats):
    call(utc(2026, 3, 24, 12))  # Tue 24 Mar: before the range
    call(utc(2026, 3, 25, 12))  # Wed 25 Mar: week of Mon 23 Mar
    call(utc(2026, 3, 29, 22, 30))  # Sun 29 Mar 23:30 BST: still week of 23 Mar
    call(utc(2026, 3, 29, 23, 30), channel="101")  # Mon 30 Mar 00:30 BST: week of 30 Mar
    call(utc(2026, 4, 6, 10))  # Mon 6 Apr
    call(utc(2026, 4, 8, 10))  # Wed 8 Apr: after the range
    stats()
    d = dash(date(2026, 3, 25), date(2026, 4, 7))

    assert d.demand_weekly.rows == [
        (date(2026, 3, 23), 5, 2, 0, 2),
        (date(2026, 3, 30), 7, 0, 1, 1),
        (date(2026, 4, 6), 2, 1, 0, 1),
    ]
    assert [w.partial for w in d.period.weeks] == [True, False, True]


def test_an_empty_period_has_zero_counts_and_no_rates():
    d = dash(date(2026, 2, 2), date(2026, 2, 8))

    assert d.demand_daily.rows == [
        (date(2026, 2, 2) + timedelta(days=i), 0, 0, 0) for i in range(7)
    ]
    assert d.demand_weekly.rows == [(date(2026, 2, 2), 7, 0, 0, 0)]
    assert all(row[1:] == (0, 0, 0) for row in d.demand_hourly.rows)
    assert d.demand_strand.rows == []
    assert d.agency.rows == []
    assert d.diversion_weekly.rows == [(date(2026, 2, 2), 0, 0, 0, None, Decimal(0))]
    assert d.repeat_share.rows == [(date(2026, 2, 2), 7, 0, 0, None)]
    assert d.busiest_dwellings.rows == []
    totals = d.totals
    assert (totals["calls"], totals["diversion_rate"], totals["override_rate"]) == (0, None, None)
    assert totals["repeat_share"] is None
    assert totals["hours_saved"] == 0


def test_the_channel_filter_keeps_only_that_channel(stats):
    call(utc(2026, 5, 5, 9), concern_type="medical", medical_need="urgent")
    call(utc(2026, 5, 5, 10), channel="101")
    call(utc(2026, 5, 5, 11), channel="101")
    stats()
    d = dash(date(2026, 5, 5), date(2026, 5, 5), channel="101")

    assert d.demand_daily.rows == [(date(2026, 5, 5), 2)]
    assert exported(d.demand_strand.rows) == [("Welfare check", 2, 100.0)]
    assert shown(d.demand_strand.rows) == [("Concern for someone's welfare", 2, 100.0)]
    assert d.totals["calls"] == 2


def test_strands_are_counted_by_channel_with_their_share(stats):
    call(utc(2026, 5, 5, 9), **MEDICAL)
    call(utc(2026, 5, 5, 10), channel="101", **MEDICAL)
    call(utc(2026, 5, 5, 11), **MEDICAL)
    call(utc(2026, 5, 5, 12))
    stats()
    d = dash(date(2026, 5, 5), date(2026, 5, 5))

    assert exported(d.demand_strand.rows) == [
        ("Medical", 2, 1, 3, 75.0),
        ("Welfare check", 1, 0, 1, 25.0),
    ]


# RCRP and decisions ------------------------------------------------------------------


@pytest.fixture
def decided_day():
    """Six calls on Wed 10 June 2026 (BST), hand-counted in the tests below."""
    h1, h2 = UserFactory(username="alice"), UserFactory(username="bob")
    at = utc(2026, 6, 10, 10)
    calls = [
        call(at, handler=h1, **ADVICE),  # 1 accepted: advice, no police
        call(at + timedelta(minutes=1), handler=h1, **ADVICE),  # 2 overridden to police
        call(at + timedelta(minutes=2), handler=h2, **MEDICAL),  # 3 accepted: ambulance
        call(at + timedelta(minutes=3), handler=h2, **RISK),  # 4 accepted: police attend
        call(at + timedelta(minutes=4), handler=h2, **RISK),  # 5 overridden: no police
        call(at + timedelta(minutes=5), handler=h1, channel="101", **RISK),  # 6 undecided
    ]
    decide(calls[0], h1)
    decide(calls[1], h1, attend=True, agency="POLICE")
    decide(calls[2], h2)
    decide(calls[3], h2)
    decide(calls[4], h2, attend=False, agency="MENTAL_HEALTH_CRISIS")
    return calls, h1, h2


def test_diversion_rate_and_officer_hours_saved_use_decided_calls(decided_day, stats):
    stats()
    d = dash(date(2026, 6, 10), date(2026, 6, 10), hours="1.5")

    t = d.totals
    assert (t["calls"], t["decided"], t["undecided"], t["diverted"]) == (6, 5, 1, 3)
    assert t["diversion_rate"] == 60.0
    assert t["hours_saved"] == Decimal("4.5")
    assert d.diversion_daily.rows == [(date(2026, 6, 10), 6, 5, 3, 60.0, Decimal("4.5"))]
    assert d.diversion_weekly.rows == [(date(2026, 6, 8), 6, 5, 3, 60.0, Decimal("4.5"))]
    assert d.diversion_weekly.total == ("Total", 6, 5, 3, 60.0, Decimal("4.5"))


def test_override_rate_overall_by_rule_and_by_handler(decided_day, stats):
    stats()
    d = dash(date(2026, 6, 10), date(2026, 6, 10))

    assert (d.totals["overridden"], d.totals["override_rate"], d.totals["downgraded"]) == (
        2,
        40.0,
        1,
    )
    # Highest override rate first; a tie goes to the rule with more decided calls, then
    # to the title. The CSV keeps each rule's id; the page names the rule by its title.
    assert exported(d.overrides_by_rule.rows) == [
        ("GEN-IMMEDIATE-RISK", 3, 2, 1, 50.0, 1),
        ("CFW-ADVICE", 2, 2, 1, 50.0, 0),
        ("MED-URGENT", 1, 1, 0, 0.0, 0),
    ]
    assert [row[0] for row in shown(d.overrides_by_rule.rows)] == [
        "Real and immediate risk to life or of serious harm",
        "Welfare concern below the police threshold",
        "Urgent medical need",
    ]
    assert [row[0].secondary for row in d.overrides_by_rule.rows] == [
        "GEN-IMMEDIATE-RISK",
        "CFW-ADVICE",
        "MED-URGENT",
    ]
    assert d.overrides_by_rule.total == ("All rules", 6, 5, 2, 40.0, 1)
    assert d.overrides_by_handler.rows == [("bob", 3, 3, 1, 33.3), ("alice", 3, 2, 1, 50.0)]


def test_suggested_against_final_agency(decided_day, stats):
    stats()
    d = dash(date(2026, 6, 10), date(2026, 6, 10))

    assert exported(d.agency.rows) == [
        ("Police", 3, 2, 2, 0),
        ("Advise caller", 2, 2, 1, -1),
        ("Ambulance", 1, 1, 1, 0),
        ("Mental health crisis", 0, 0, 1, 1),
    ]
    assert [row[0] for row in shown(d.agency.rows)] == [
        "Police",
        "Advice to the caller (no deployment)",
        "Ambulance service",
        "Mental-health crisis team",
    ]
    assert [c.header for c in d.agency_matrix.columns] == [
        "Suggested \\ final",
        "Advise caller",
        "Ambulance",
        "Mental health crisis",
        "Police",
        "Total",
    ]
    assert [c.label for c in d.agency_matrix.columns][1:] == [
        "Advice to the caller (no deployment)",
        "Ambulance service",
        "Mental-health crisis team",
        "Police",
        "Total",
    ]
    assert exported(d.agency_matrix.rows) == [
        ("Advise caller", 1, 0, 0, 1, 2),
        ("Ambulance", 0, 1, 0, 0, 1),
        ("Police", 0, 0, 1, 1, 2),
    ]
    # The cells where the suggestion was kept: advice, ambulance and police on the diagonal.
    assert d.agency_matrix.marked == {(0, 1), (1, 2), (2, 4)}


def test_the_override_list_shows_overrides_and_downgrades_newest_first(decided_day):
    calls, _, _ = decided_day
    d = dash(date(2026, 6, 10), date(2026, 6, 10))

    rows = exported(d.overrides_list().rows)
    assert [row[1] for row in rows] == [str(calls[4].pk), str(calls[1].pk)]
    assert rows[0][6:9] == ("override", "downgraded", "Risk judged higher than the answers show")
    assert rows[0][3:6] == ("GEN-IMMEDIATE-RISK", "Police (police)", "Mental health crisis")
    words = shown(d.overrides_list().rows)[0]
    assert words[3:8] == (
        "Real and immediate risk to life or of serious harm",
        "Police",
        "Mental-health crisis team",
        "Overridden",
        "Downgraded",
    )
    assert dash(date(2026, 6, 11), date(2026, 6, 11)).overrides_list().rows == []
    assert dash(date(2026, 6, 10), date(2026, 6, 10), channel="101").overrides_list().rows == []


@pytest.mark.postgres
def test_the_override_list_walks_decided_calls_only(decided_day):
    """Calls not decided yet (a busy day's intake) are not read one by one before the
    overrides: the list's query states the condition of the decided calls' index, so
    PostgreSQL can walk it (it walked every undecided call first: 0.3-0.4 s with the
    bench's load, every 30 s, stalling intake)."""
    calls, _, _ = decided_day
    plans = []

    def explain(execute, sql, params, many, context):
        if not plans and '"triage_decision"' in sql and "ORDER BY" in sql:
            plans.append(None)
            context["cursor"].execute("EXPLAIN " + sql, params)
            plans[0] = "\n".join(row[0] for row in context["cursor"].fetchall())
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's tables are tiny
    with connection.execute_wrapper(explain):
        rows = exported(dash(date(2026, 6, 10), date(2026, 6, 10)).overrides_list().rows)
    assert [row[1] for row in rows] == [str(calls[4].pk), str(calls[1].pk)]
    assert plans, "the overrides list ran no query on triage_decision"
    assert "call_decided_time" in plans[0]


def test_a_reassessment_moves_the_call_to_its_new_decision(decided_day, stats):
    calls, _, h2 = decided_day
    decide(calls[3], h2, attend=False, agency="NHS_111", at=utc(2026, 6, 10, 12))
    stats()
    d = dash(date(2026, 6, 10), date(2026, 6, 10))

    t = d.totals
    assert (t["decided"], t["diverted"], t["overridden"], t["downgraded"]) == (5, 4, 3, 2)
    assert ("Police", 3, 2, 1, -1) in exported(d.agency.rows)


def test_rates_for_a_channel_with_no_decided_calls_are_blank(decided_day, stats):
    stats()
    d = dash(date(2026, 6, 10), date(2026, 6, 10), channel="101")

    assert (d.totals["calls"], d.totals["decided"], d.totals["diversion_rate"]) == (1, 0, None)
    assert d.overrides_by_handler.rows == [("alice", 1, 0, 0, None)]


# Repeat demand -----------------------------------------------------------------------


def _referral(dwelling, *, created_at, triggered_at=None, status="new", **extra):
    return Referral.objects.create(
        dwelling=dwelling,
        source="manual",
        status=status,
        created_at=created_at,
        triggered_at=triggered_at,
        **extra,
    )


def test_repeat_caller_share_counts_999_calls_from_dwellings_referred_by_the_end_of_the_week():
    # Weeks: Mon 1 - Sun 7 June and Mon 8 - Sun 14 June 2026 (BST).
    a = call(utc(2026, 6, 1, 10), address="1 Alpha Road, Ely CB7 1AA").dwelling
    _referral(a, created_at=utc(2026, 6, 3, 12))  # Wed of week 1: its week-1 calls count
    call(utc(2026, 5, 25, 10), address="1 Alpha Road, Ely CB7 1AA")  # before the range
    call(utc(2026, 6, 2, 10), channel="101", address="1 Alpha Road, Ely CB7 1AA")  # 101
    call(utc(2026, 6, 5, 10), address="1 Alpha Road, Ely CB7 1AA")
    call(utc(2026, 6, 9, 10), address="1 Alpha Road, Ely CB7 1AA")

    # Sun 7 June 23:00 BST: week 1, before B was referred, so not counted.
    b = call(utc(2026, 6, 7, 22), address="2 Bravo Road, Ely CB7 1AB").dwelling
    _referral(
        b, created_at=utc(2026, 6, 8, 9), status="closed", closed_at=utc(2026, 6, 10, 9)
    )  # closed since: a past referral still counts
    call(utc(2026, 6, 7, 23, 30), address="2 Bravo Road, Ely CB7 1AB")  # Mon 8 00:30 BST
    call(utc(2026, 6, 11, 10), address="2 Bravo Road, Ely CB7 1AB")

    c = call(utc(2026, 6, 10, 10), address="3 Charlie Road, Ely CB7 1AC").dwelling
    # Triggered by a call late on Sun 14 June (23:30 BST), created by a later nightly run.
    _referral(c, triggered_at=utc(2026, 6, 14, 22, 30), created_at=utc(2026, 6, 20, 2))

    d_ = call(utc(2026, 6, 12, 10), address="4 Delta Road, Ely CB7 1AD").dwelling
    _referral(d_, created_at=utc(2026, 6, 15, 0, 30))  # Mon 15 June 01:30 BST: too late

    for at in (utc(2026, 6, 2, 9), utc(2026, 6, 3, 9), utc(2026, 6, 4, 9)):
        call(at)
    for at in (utc(2026, 6, 12, 9), utc(2026, 6, 13, 9)):
        call(at)
    call(utc(2026, 6, 13, 9), channel="101")

    d = dash(date(2026, 6, 1), date(2026, 6, 14))
    assert d.repeat_share.rows == [
        (date(2026, 6, 1), 7, 6, 2, 33.33),
        (date(2026, 6, 8), 7, 7, 4, 57.14),
    ]
    assert (d.totals["repeat_calls"], d.totals["repeat_999"], d.totals["repeat_share"]) == (
        6,
        13,
        46.15,
    )
    # The measure is about 999 calls whatever the channel filter says.
    assert dash(date(2026, 6, 1), date(2026, 6, 14), channel="101").repeat_share.rows == (
        d.repeat_share.rows
    )


def test_busiest_dwellings_in_the_period_are_ranked_by_calls():
    x, y = "5 Xray Road, Ely CB7 2AA", "6 Yankee Road, Ely CB7 2AB"
    for hour, channel in ((9, "999"), (10, "999"), (11, "101")):
        call(utc(2026, 7, 1, hour), channel=channel, address=x)  # the third opens a referral
    call(utc(2026, 7, 2, 9), address=y)
    call(utc(2026, 7, 3, 9), channel="101", address=y)
    call(utc(2026, 7, 3, 10), address="7 Zulu Road, Ely CB7 2AC")
    call(utc(2026, 5, 15, 9), address=y)  # before the range (and over 30 days before)
    call(utc(2026, 7, 4, 9), address="Near the bus station, Ely")  # maybe no dwelling

    d = dash(date(2026, 7, 1), date(2026, 7, 3))
    assert exported(d.busiest_dwellings.rows) == [
        ("5 Xray Road, Ely CB7 2AA", 3, 2, 1, "New"),
        ("6 Yankee Road, Ely CB7 2AB", 2, 1, 1, "none"),
    ]  # Zulu called once: not listed
    assert d.busiest_full_count is False  # the repeat-call candidates proved the list
    only_999 = dash(date(2026, 7, 1), date(2026, 7, 3), channel="999").busiest_dwellings.rows
    assert exported(only_999) == [("5 Xray Road, Ely CB7 2AA", 2, 2, 0, "New")]


def test_a_dwelling_calling_once_a_month_still_ranks_over_a_long_period():
    monthly = "8 Monthly Road, Ely CB7 2AD"
    for month in (1, 2, 3):  # over 30 days apart: never a repeat call
        call(utc(2026, month, 5, 9), address=monthly)
    call(utc(2026, 1, 20, 9), address="9 Pair Road, Ely CB7 2AE")
    call(utc(2026, 1, 21, 9), address="9 Pair Road, Ely CB7 2AE")

    d = dash(date(2026, 1, 1), date(2026, 4, 30))
    assert [(r[0], r[1]) for r in exported(d.busiest_dwellings.rows)] == [
        (monthly, 3),
        ("9 Pair Road, Ely CB7 2AE", 2),
    ]
    assert d.busiest_full_count is True  # candidates alone could not rule it out


def test_calls_taken_out_of_order_still_rank_their_dwelling(stats):
    pair = "5 Xray Road, Ely CB7 2AA"
    call(utc(2026, 7, 9, 9), address=pair)
    call(utc(2026, 7, 2, 9), address=pair)  # back-dated: a week before the first
    call(utc(2026, 7, 5, 9), address="6 Once Road, Ely CB7 2AB")
    stats()

    d = dash(date(2026, 7, 1), date(2026, 7, 10))
    assert exported(d.busiest_dwellings.rows) == [(pair, 2, 2, 0, "none")]
    assert d.busiest_full_count is False  # proved from the repeat calls


def test_of_two_calls_within_30_days_the_one_counted_second_is_a_repeat_call(stats):
    from dashboards.models import DwellingDailyStat

    first = call(utc(2026, 7, 9, 9), address="5 Xray Road, Ely CB7 2AA")
    call(utc(2026, 6, 9, 9), address="5 Xray Road, Ely CB7 2AA")  # 30 days before: near
    call(utc(2026, 5, 9, 8), address="5 Xray Road, Ely CB7 2AA")  # 31 days before that
    stats()

    flags = DwellingDailyStat.objects.filter(dwelling_id=first.dwelling_id)
    by_day = {row.day: row.repeat for row in flags}
    assert by_day[date(2026, 6, 9)] is True and by_day[date(2026, 5, 9)] is False


def _dwelling(n):
    return Dwelling.objects.create(key=f"test-dwelling-{n}", address=f"{n} Test Street")


def test_referral_backlog_by_status_and_age_in_london_days():
    cases = [
        ("new", utc(2026, 11, 25, 8)),  # 0 days
        ("new", utc(2026, 11, 19, 0, 30)),  # 6 days
        ("in_review", utc(2026, 11, 18, 23, 30)),  # 7 days (GMT: same London day)
        ("action", utc(2026, 10, 29, 0, 0)),  # 27 days
        ("action", utc(2026, 10, 28, 12)),  # 28 days
        ("monitoring", utc(2026, 8, 27, 23, 30)),  # 28 Aug 00:30 BST: 89 days
        ("monitoring", utc(2026, 8, 27, 22, 30)),  # 27 Aug 23:30 BST: 90 days
        ("closed", utc(2026, 11, 20)),  # closed: not in the backlog
    ]
    for n, (status, created_at) in enumerate(cases):
        _referral(_dwelling(n), status=status, created_at=created_at)

    table = dash(date(2026, 1, 1), date(2026, 1, 31)).referral_backlog
    assert table.rows == [
        ("New", 2, 0, 0, 0, 2),
        ("In review", 0, 1, 0, 0, 1),
        ("Action", 0, 1, 1, 0, 2),
        ("Monitoring", 0, 0, 1, 1, 2),
    ]
    assert table.total == ("All open", 2, 2, 2, 1, 7)


def test_reviews_overdue_are_open_referrals_due_before_today():
    late = _referral(_dwelling(1), created_at=utc(2026, 11, 1), review_due=date(2026, 11, 24))
    _referral(_dwelling(2), created_at=utc(2026, 11, 1), review_due=TODAY)
    _referral(
        _dwelling(3), created_at=utc(2026, 11, 1), review_due=date(2026, 11, 1), status="closed"
    )
    _referral(_dwelling(4), created_at=utc(2026, 11, 1), review_due=None)
    very_late = _referral(
        _dwelling(5), created_at=utc(2026, 9, 1), review_due=date(2026, 10, 1), status="action"
    )

    d = dash(date(2026, 1, 1), date(2026, 1, 31))
    assert [(row[0], row[-1]) for row in exported(d.reviews_overdue.rows)] == [
        (f"#{very_late.pk}", 55),
        (f"#{late.pk}", 1),
    ]
    assert d.reviews_overdue_count == 2


def test_the_last_detection_run_shows_when_how_long_and_referrals_opened():
    DetectionRun.objects.create(
        started_at=utc(2026, 11, 23, 2),
        finished_at=utc(2026, 11, 23, 2, 1),
        as_of=utc(2026, 11, 23, 2),
        status="finished",
        calls_scanned=100,
        referrals_opened=1,
    )
    DetectionRun.objects.create(
        started_at=utc(2026, 11, 24, 2),
        finished_at=utc(2026, 11, 24, 2, 0, 42),
        as_of=utc(2026, 11, 24, 2),
        status="finished",
        calls_scanned=120,
        referrals_opened=3,
    )
    d = dash(date(2026, 1, 1), date(2026, 1, 31))

    assert d.last_run.started_at == utc(2026, 11, 24, 2)
    row = d.detection_runs.rows[0]
    assert (row[2], row[5], row[6]) == (timedelta(seconds=42), 120, 3)
    assert d.detection_runs.text_rows()[0][2] == "0 min 42 s"
    assert len(d.detection_runs.rows) == 2


def _run(day, **fields):
    return DetectionRun.objects.create(
        started_at=utc(2026, 11, day, 2),
        finished_at=utc(2026, 11, day, 2, 1),
        as_of=utc(2026, 11, day, 2),
        status=fields.pop("status", "finished"),
        **fields,
    )


def test_the_last_nightly_run_is_not_a_command_an_import_or_a_skipped_duplicate():
    nightly = _run(20, referrals_opened=12)
    _run(21, trigger="nightly", status="skipped")
    _run(22, trigger="command")
    _run(23, trigger="import")
    d = dash(date(2026, 1, 1), date(2026, 1, 31))
    assert d.last_run == nightly
    assert len(d.detection_runs.rows) == 4  # the table still lists every run

    for _ in range(10):  # the table's ten newest runs hold no nightly one: still found
        _run(24, trigger="command")
    assert dash(date(2026, 1, 1), date(2026, 1, 31)).last_run == nightly


def test_the_repeat_share_cache_follows_new_and_deleted_referrals():
    a = call(utc(2026, 6, 3, 10), address="1 Alpha Road, Ely CB7 1AA").dwelling
    period = (date(2026, 6, 1), date(2026, 6, 14))
    assert dash(*period).repeat_share.rows[0][3] == 0  # computed and cached

    # Found by a later nightly run: triggered in week 1, created months afterwards.
    referral = _referral(a, triggered_at=utc(2026, 6, 5, 10), created_at=utc(2026, 11, 20))
    assert dash(*period).repeat_share.rows[0][3] == 1

    referral.delete()  # erased under the retention policy
    assert dash(*period).repeat_share.rows[0][3] == 0


def test_a_call_back_dated_into_a_cached_week_is_counted():
    a = call(utc(2026, 6, 3, 10), address="1 Alpha Road, Ely CB7 1AA").dwelling
    _referral(a, created_at=utc(2026, 6, 1, 9))
    period = (date(2026, 6, 1), date(2026, 6, 14))
    assert dash(*period).repeat_share.rows[1][2:4] == (0, 0)

    call(utc(2026, 6, 10, 10), address="1 Alpha Road, Ely CB7 1AA")
    assert dash(*period).repeat_share.rows[1][2:4] == (1, 1)


def test_days_of_the_current_week_are_never_cached():
    from dashboards.models import RepeatDayStat

    today = date(2026, 6, 10)  # a Wednesday
    dash(date(2026, 6, 1), today, today=today).repeat_share  # noqa: B018
    cached = set(RepeatDayStat.objects.values_list("day", flat=True))
    assert cached == {date(2026, 6, d) for d in range(1, 8)}


def test_a_referral_opened_by_a_live_call_changes_no_cached_day():
    # So the intake sends no cache refill for it (triage.services._call_create).
    from core.days import local_midnight
    from dashboards.models import RepeatDayStat
    from dashboards.services import monday, repeat_share_cached

    today = timezone.localdate()
    start = monday(today) - timedelta(days=14)
    address = "1 Alpha Road, Ely CB7 1AA"
    for week in (0, 7):
        call(local_midnight(start + timedelta(days=week)) + timedelta(hours=10), address=address)
    period = (start, today)
    before = dash(*period, today=today).repeat_share.rows
    assert RepeatDayStat.objects.count() == 14  # the two completed weeks

    live = call(timezone.now(), address=address)  # the third in 30 days
    assert Referral.objects.filter(dwelling=live.dwelling).count() == 1
    assert not repeat_share_cached(live.received_at, today=today)
    cached = dash(*period, today=today).repeat_share.rows
    RepeatDayStat.objects.all().delete()
    assert cached == dash(*period, today=today).repeat_share.rows  # as if recounted
    assert cached[:2] == before[:2]


def test_only_a_referral_triggered_before_this_monday_changes_cached_days():
    from core.days import local_midnight
    from dashboards.services import monday, repeat_share_cached

    today = date(2026, 11, 26)  # a Thursday
    this_monday = local_midnight(date(2026, 11, 23))
    assert monday(today) == this_monday.date()
    assert repeat_share_cached(this_monday - timedelta(microseconds=1), today=today)
    assert not repeat_share_cached(this_monday, today=today)
    assert not repeat_share_cached(local_midnight(today) + timedelta(hours=23), today=today)
    assert repeat_share_cached(this_monday, today=date(2026, 11, 30))  # next Monday


def test_the_refill_task_caches_the_completed_weeks_and_counts_no_more():
    from core.days import local_midnight
    from dashboards.models import RepeatDayStat
    from dashboards.services import monday
    from dashboards.tasks import WARM_WEEKS, warm_repeat_share

    today = timezone.localdate()
    last_sunday = monday(today) - timedelta(days=1)
    start = monday(today) - timedelta(weeks=WARM_WEEKS)  # nine whole weeks
    day = last_sunday - timedelta(days=3)
    referred = call(local_midnight(day) + timedelta(hours=10), address="1 Alpha Road, Ely")
    _referral(referred.dwelling, created_at=local_midnight(day))

    assert warm_repeat_share() == (last_sunday - start).days + 1
    cached = dict(RepeatDayStat.objects.values_list("day", "calls"))
    assert set(cached) == {start + timedelta(days=n) for n in range((last_sunday - start).days + 1)}
    assert cached[day] == 1 and sum(cached.values()) == 1
