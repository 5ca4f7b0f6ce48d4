"""The Farmington impact report's page, CSV and A4 print (issue 24): who may open them,
plain words, errors, assumptions, links to each referral, and the processing log."""

import csv
import io
import itertools
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from core.models import ProcessingLog
from dashboards import impact_views
from dashboards.impact_views import CSV_COLUMNS
from dashboards.selectors import DEFAULT_HOURS
from referrals import impact
from referrals.models import Referral, ReferralAction
from tests.factories import UserFactory, facts
from tests.referrals.factories import DwellingFactory, ReferralFactory
from tests.triage.page_text import visible_text
from triage.models import Call

pytestmark = pytest.mark.django_db

PAGE, PRINT, CSV = "/dashboard/impact/", "/dashboard/impact/print/", "/dashboard/impact/export.csv"
T = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PERIOD = {"start": "2026-03-01", "end": "2026-03-31"}


def call(dwelling, at, *, channel="999", police=None):
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


def referral(before=3, after=1, at=T, **kwargs) -> Referral:
    kwargs.setdefault("source", Referral.Source.AUTOMATIC)
    r = ReferralFactory(dwelling=DwellingFactory(), triggered_at=at, **kwargs)
    for i in range(before):
        call(r.dwelling, at - timedelta(hours=i), police=i == 0)
    for i in range(after):
        call(r.dwelling, at + timedelta(hours=i + 1))
    return r


def closed_with_actions() -> Referral:
    r = referral(
        status=Referral.Status.CLOSED,
        outcome=Referral.Outcome.SUPPORT_DECLINED,
        closed_at=T + timedelta(days=30),
    )
    for kind in (ReferralAction.Kind.MULTI_AGENCY_MEETING, ReferralAction.Kind.CPW):
        ReferralAction.objects.create(
            referral=r,
            kind=kind,
            taken_on=date(2026, 3, 20),
            taken_by=UserFactory(role="triage_staff"),
            care_plan="Joint plan." if kind == ReferralAction.Kind.MULTI_AGENCY_MEETING else "",
        )
    return r


@pytest.fixture
def team(login, triage_staff):
    return login(triage_staff)


# --- who may open it --------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, PRINT, CSV])
def test_call_handlers_are_refused(login, handler, url):
    assert login(handler).get(url).status_code == 403


@pytest.mark.parametrize("url", [PAGE, PRINT, CSV])
@pytest.mark.parametrize("role", ["triage_staff", "supervisor"])
def test_triage_staff_and_supervisors_open_the_report(login, role, url):
    assert login(UserFactory(role=role)).get(url).status_code == 200


def test_the_navigation_offers_the_report_to_triage_staff(team):
    assert '<a href="/dashboard/impact/"' in team.get("/referrals/").content.decode()


# --- what the page says -----------------------------------------------------------------


def test_the_page_reads_in_words_not_codes(team):
    closed_with_actions()
    text = visible_text(team.get(PAGE, PERIOD))
    for label in (
        "Support offered and declined",
        "Multi-agency meeting (joint care plan)",
        "Community Protection Warning (CPW)",
        "Automatic (repeat calls)",
        "Closed",
    ):
        assert label in text
    # Codes that are not also English words ("closed", "automatic" are both).
    for code in ("support_declined", "multi_agency_meeting", "cpw", "mh_team_info"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), code


def test_every_referral_listed_links_to_its_record(team):
    r = referral()
    html = team.get(PAGE, PERIOD).content.decode()
    assert f'href="/referrals/{r.pk}/"' in html
    assert r.dwelling.address in html


def test_the_cohort_totals_the_calls_before_and_after(team):
    referral(before=4, after=1)
    referral(before=2, after=1)
    text = visible_text(team.get(PAGE, PERIOD))
    assert "2 referrals with 90 days behind them: their calls fell by 66.7%" in text
    assert "from 6 in the 90 days before referral to 2 in the 90 days after" in text


def test_incomplete_referrals_are_listed_apart_and_left_out_of_the_totals(team):
    referral(before=4, after=1)
    recent = referral(before=9, after=0, at=datetime.now(UTC) - timedelta(days=5))
    response = team.get(PAGE, {"start": "2026-01-01"})
    text = visible_text(response)
    assert "1 referral with 90 days behind it" in text
    assert "1 more is not yet 90 days old" in text
    html = response.content.decode()
    apart = html[html.index('id="h-incomplete"') :]
    assert f'href="/referrals/{recent.pk}/"' in apart


def test_the_unit_costs_are_shown_as_assumptions_and_change_the_estimates(team):
    referral(before=3, after=0)  # one police deployment before, none after
    text = visible_text(team.get(PAGE, {**PERIOD, "officer_hour_cost": "55"}))
    assert "Assumptions behind the estimates" in text
    assert "Cost of an officer hour (£): £55" in text
    # 1 deployment × 2 hours × £55 + 3 calls × 10 minutes × £0.40
    assert "£122" in text


def test_the_comparison_group_is_shown_with_how_to_read_it(team):
    home = DwellingFactory()
    call(home, T - timedelta(days=3))
    call(home, T)
    text = visible_text(team.get(PAGE, PERIOD))
    assert "Comparison: one call short, not referred" in text
    assert "regression to the mean" in text


def test_the_top_callers_default_to_sixteen_and_follow_the_parameter(team):
    referral(before=5)
    assert "The top 16 callers" in visible_text(team.get(PAGE, PERIOD))
    assert "The top 3 callers" in visible_text(team.get(PAGE, {**PERIOD, "top": "3"}))


def test_dates_are_written_in_the_one_date_style(team):
    referral()
    text = visible_text(team.get(PAGE, PERIOD))
    assert "10 Mar 2026" in text
    assert "2026-03-10" not in text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-02-30"}, "Enter a real date"),
        ({"start": "2026-03-02", "end": "2026-03-01"}, impact.END_BEFORE_START),
        ({"window_days": "400"}, impact.WINDOW_DAYS_MESSAGE),
        ({"window_days": "ninety"}, impact.WINDOW_DAYS_MESSAGE),
        ({"call_minute_cost": "lots"}, "Enter an amount in pounds from 0.01 to 50."),
        ({"top": "0"}, impact.TOP_MESSAGE),
    ],
)
def test_a_bad_filter_is_named_in_an_error_summary(team, params, message):
    response = team.get(PAGE, params)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</div>", start)]
    assert "There is a problem" in summary
    assert message in summary
    assert "The referred dwellings" not in visible_text(response)


def test_the_hours_per_deployment_default_is_the_dashboards(team):
    assert impact.UnitCosts().deployment_hours == DEFAULT_HOURS


# --- the processing log -----------------------------------------------------------------


def _consulted():
    return ProcessingLog.objects.filter(
        object_type="referral", operation=ProcessingLog.Operation.CONSULTATION
    )


def test_each_referral_the_page_shows_is_logged_as_read(team, triage_staff):
    shown = [referral(), referral(at=T + timedelta(days=2))]
    referral(at=T + timedelta(days=100))  # outside the period
    team.get(PAGE, PERIOD)
    assert sorted(int(e.object_id) for e in _consulted()) == sorted(r.pk for r in shown)
    entry = _consulted().first()
    assert entry.justification.startswith("Farmington impact report 1 Mar 2026 to ")
    assert entry.username == triage_staff.username


# --- the CSV ----------------------------------------------------------------------------


def _rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_lists_every_referral_with_codes(team):
    r = closed_with_actions()
    header, row = _rows(team.get(CSV, PERIOD))
    assert header == list(CSV_COLUMNS)
    values = dict(zip(header, row, strict=True))
    assert values["referral_id"] == str(r.pk)
    assert values["address"] == r.dwelling.address
    assert (values["status"], values["outcome"]) == ("closed", "support_declined")
    assert values["actions"] == "multi_agency_meeting;cpw"
    assert (values["calls_before"], values["calls_after"], values["complete"]) == ("3", "1", "true")
    assert values["triggered_at"] == "2026-03-10T12:00:00+00:00"
    assert values["cost_before"] == "92.00"  # 2 h × £40 + 3 × 10 min × £0.40


def test_the_csv_is_logged_as_a_disclosure_and_each_referral_in_it_as_read(team, triage_staff):
    r = referral()
    _rows(team.get(CSV, PERIOD))
    disclosure = ProcessingLog.objects.get(operation=ProcessingLog.Operation.DISCLOSURE)
    assert disclosure.object_type == "farmington_impact_export"
    assert disclosure.recipient == f"{triage_staff.username} (internal)"
    assert [int(e.object_id) for e in _consulted()] == [r.pk]


def test_a_csv_for_someone_else_names_them_and_needs_a_purpose(team):
    referral()
    assert team.get(CSV, {**PERIOD, "recipient": "Crisis team"}).status_code == 400
    response = team.get(CSV, {**PERIOD, "recipient": "Crisis team", "purpose": "Board paper"})
    _rows(response)
    disclosure = ProcessingLog.objects.get(operation=ProcessingLog.Operation.DISCLOSURE)
    assert (disclosure.recipient, disclosure.justification[:11]) == ("Crisis team", "Board paper")


def test_the_csv_refuses_bad_filters(team):
    response = team.get(CSV, {"window_days": "3"})
    assert response.status_code == 400
    assert impact.WINDOW_DAYS_MESSAGE in response.content.decode()


# --- the print --------------------------------------------------------------------------


def test_the_print_names_referrals_by_number_and_never_by_address(team):
    r = referral(before=5)
    response = team.get(PRINT, PERIOD)
    text = visible_text(response)
    assert f"Referral {r.pk}" in text
    assert r.dwelling.address not in response.content.decode()
    assert "How to read this" in text


def test_the_print_is_laid_out_for_a4(team):
    from django.contrib.staticfiles import finders

    with open(finders.find("css/dashboards.css")) as f:
        css = f.read()
    assert "@page { size: A4" in css
    assert "impact-print" in css


# --- the paired chart -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_the_charts_ranks_sum_the_calls_of_the_referrals_they_span(seed):
    """The chart sums each run of ranks from (before, after, how many) pairs without
    writing out a row per referral: the same sums as over the referrals written out."""
    rng = random.Random(seed)
    pairs = sorted(
        {(rng.randint(0, 9), rng.randint(0, 9)): rng.randint(1, 30) for _ in range(25)}.items(),
        reverse=True,
    )
    pairs = [(b, a, k) for (b, a), k in pairs]
    written_out = [(b, a) for b, a, k in pairs for _ in range(k)]
    n = len(written_out)
    edges = [round(i * n / 20) for i in range(21)]
    expected = [
        (sum(b for b, _ in written_out[lo:hi]), sum(a for _, a in written_out[lo:hi]))
        for lo, hi in itertools.pairwise(edges)
    ]
    assert impact_views._rank_sums(pairs, edges) == expected


def test_a_small_cohort_has_a_pair_of_bars_per_referral_busiest_first(team):
    referral(before=2, after=2)
    referral(before=5, after=1)
    referral(before=5, after=3)
    response = team.get(PAGE, PERIOD)
    assert "Each pair of bars is one referral" in visible_text(response)
    html = response.content.decode()
    chart = html[html.index('id="h-paired"') : html.index('id="h-top"')]
    titles = re.findall(r"<title>((?:Before|After), \d+: [\d.]+)</title>", chart)
    assert titles == [
        "Before, 1: 5",
        "After, 1: 3",
        "Before, 2: 5",
        "After, 2: 1",
        "Before, 3: 2",
        "After, 3: 2",
    ]
