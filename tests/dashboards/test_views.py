"""The dashboard pages: access, filters in the URL, CSV exports and their disclosure log."""

import csv
import io
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from callers.models import Dwelling
from core.models import ProcessingLog
from dashboards.charts import bar_chart, hbar_chart, line_chart, nice_max
from dashboards.selectors import PAGE_ROWS, Dashboard
from referrals.models import Referral
from tests.dashboards.helpers import ADVICE, MEDICAL, RISK, call, decide, utc
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URLS = [
    reverse("dashboards:home"),
    reverse("dashboards:busiest"),
    reverse("dashboards:pack"),
    reverse("dashboards:export", kwargs={"table": "demand_daily"}),
    reverse("dashboards:export-shared") + "?table=demand_daily",
]
JUNE = "start=2026-06-01&end=2026-06-14"


@pytest.fixture
def june(supervisor):
    handler = UserFactory(username="handler-june")
    for day in range(1, 15):
        at = utc(2026, 6, day, 9)
        decide(call(at, handler=handler, **ADVICE), handler, attend=True, agency="POLICE")
        decide(call(at + timedelta(hours=1), channel="101", handler=handler, **MEDICAL), handler)
        c = call(at + timedelta(hours=2), handler=handler, **RISK)
        decide(c, handler, attend=False, agency="MENTAL_HEALTH_CRISIS")
    return handler


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["handler", "triage_staff"])
def test_handlers_and_triage_staff_are_refused_every_dashboard_url(request, login, url, role):
    response = login(request.getfixturevalue(role)).get(url)
    assert response.status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", URLS)
def test_a_refused_export_logs_nothing(login, handler, url):
    login(handler).get(url)
    assert not ProcessingLog.objects.filter(operation="disclosure").exists()


def test_the_dashboard_defaults_to_the_last_28_days(login, supervisor):
    response = login(supervisor).get(reverse("dashboards:home"))
    assert response.status_code == 200
    period = response.context["period"]
    today = timezone.localdate()
    assert (period.start, period.end, period.channel) == (today - timedelta(days=27), today, "")
    assert len(response.context["tables"]["demand_daily"].rows) == 28


def test_filters_are_kept_in_the_url_of_every_link(login, supervisor):
    response = login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}&channel=999&hours=1.5")
    html = response.content.decode()
    expected = {
        "start": ["2026-06-01"],
        "end": ["2026-06-14"],
        "channel": ["999"],
        "hours": ["1.5"],
    }
    csv_links = re.findall(r'href="(/dashboard/export/[a-z_]+\.csv\?[^"]*)"', html)
    assert len(csv_links) == len(Dashboard.TABLES) - 1  # the busiest dwellings load after
    busiest = re.findall(r'hx-get="(/dashboard/busiest/\?[^"]*)"', html)
    assert len(busiest) == 1
    for link in csv_links + busiest:
        assert parse_qs(urlsplit(link.replace("&amp;", "&")).query) == expected
    share = re.search(r'<a href="\?([^"]*)">Link to this view</a>', html).group(1)
    assert parse_qs(share.replace("&amp;", "&")) == expected
    assert 'value="2026-06-01"' in html and 'value="1.5"' in html
    assert "× 1.5 h average deployment" in html


def test_invalid_filters_show_an_error_and_the_default_period(login, supervisor):
    response = login(supervisor).get(
        reverse("dashboards:home") + "?start=2026-06-14&end=2026-06-01"
    )
    assert response.status_code == 200
    assert "The start date must not be after the end date." in response.content.decode()
    assert response.context["period"].end == timezone.localdate()


@pytest.mark.parametrize(
    "query",
    ["end=9999-12-31", "end=0001-01-20", "start=0001-01-01&end=0001-01-10", "start=9999-12-01"],
)
def test_dates_outside_the_calendar_s_reach_are_a_form_error_not_a_server_error(
    login, supervisor, query
):
    client = login(supervisor)
    page = client.get(reverse("dashboards:home") + "?" + query)
    assert page.status_code == 200
    assert "Enter a date from 1 Jan 2000 to 31 Dec 2099." in page.content.decode()
    assert page.context["period"].end == timezone.localdate()
    assert client.get(reverse("dashboards:busiest") + "?" + query).status_code == 200
    export = client.get(
        reverse("dashboards:export", kwargs={"table": "overrides_list"}) + "?" + query
    )
    assert export.status_code == 400
    assert "Enter a date from 1 Jan 2000 to 31 Dec 2099." in export.content.decode()
    assert not ProcessingLog.objects.filter(operation="disclosure").exists()


def test_the_busiest_page_says_when_its_filters_were_not_used(login, supervisor):
    url = reverse("dashboards:busiest") + "?start=2026-06-14&end=2026-06-01"
    html = login(supervisor).get(url).content.decode()
    assert "These filters were not used: The start date must not be after the end date." in html
    assert "The default period is shown." in html


def test_a_pack_week_outside_the_calendar_s_reach_is_a_form_error(login, supervisor):
    response = login(supervisor).get(reverse("dashboards:pack") + "?week=9999-12-31")
    assert response.status_code == 200
    assert "Enter a date from 1 Jan 2000 to 31 Dec 2099." in response.content.decode()


def test_an_end_date_typed_day_first_sets_the_default_start_before_it(login, supervisor):
    response = login(supervisor).get(reverse("dashboards:home") + "?end=01/02/2026")
    period = response.context["period"]
    assert (period.start, period.end) == (date(2026, 1, 5), date(2026, 2, 1))


def test_a_range_error_in_an_export_is_said_plainly(login, supervisor):
    url = reverse("dashboards:export", kwargs={"table": "demand_daily"})
    response = login(supervisor).get(url + "?start=2026-06-14&end=2026-06-01")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "Invalid export request. The start date must not be after the end date."
    )
    missing = login(supervisor).get(url + "?recipient=Someone")
    assert missing["Content-Type"] == "text/plain; charset=utf-8"


def test_an_htmx_request_gets_the_dashboard_partial(login, supervisor):
    response = login(supervisor).get(
        reverse("dashboards:home") + f"?{JUNE}", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Calls per day" in html


def test_the_page_shows_each_figure_with_its_numbers_one_click_away(login, supervisor, june):
    html = login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}").content.decode()
    assert html.count("<svg") >= 10
    assert html.count('<details class="numbers">') >= 8
    assert "= 28 diverted calls × 2 h average deployment" in html  # medical and risk calls
    assert "56.0" in html  # hours saved
    assert reverse("triage:review-queue") in html


def test_the_page_has_no_inline_styles_or_scripts(login, supervisor, june):
    html = login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}").content.decode()
    assert " style=" not in html
    assert "<style" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "http://" not in html and "https://" not in html


def test_the_dashboard_page_runs_a_bounded_number_of_queries(
    login, supervisor, june, django_assert_max_num_queries
):
    client = login(supervisor)
    url = reverse("dashboards:home") + "?start=2026-01-01&end=2026-12-31"
    # About 15 for the figures whatever the range, a few more the first time (the repeat
    # share's day cache is filled); the rest are session, user, roles and OTP.
    with django_assert_max_num_queries(32):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_the_busiest_dwellings_load_as_a_fragment_or_a_page(login, supervisor, june):
    client = login(supervisor)
    url = reverse("dashboards:busiest") + f"?{JUNE}&channel=999"
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "Busiest dwellings in the period" in fragment
    assert (
        "/dashboard/export/busiest_dwellings.csv?start=2026-06-01&amp;end=2026-06-14&amp;channel=999"
        in fragment
    )
    page = client.get(url).content.decode()
    assert "<html" in page and "Back to the dashboard" in page


def test_each_dwelling_the_busiest_list_shows_is_logged_as_consulted(login, supervisor):
    shown = [call(utc(2026, 6, 2, h), address="5 Xray Road, Ely CB7 4AA") for h in (9, 10)]
    call(utc(2026, 6, 3, 9), address="6 Xray Road, Ely CB7 4AA")  # one call: not listed
    response = login(supervisor).get(reverse("dashboards:busiest") + f"?{JUNE}")
    assert "5 Xray Road" in response.content.decode()
    logged = ProcessingLog.objects.filter(operation="consultation")
    assert list(logged.values_list("user", "object_type", "object_id", "justification")) == [
        (supervisor.pk, "dwelling", str(shown[0].dwelling_id), "busiest dwellings (dashboard)")
    ]


def test_a_busiest_list_showing_no_dwelling_still_leaves_a_trace(login, supervisor):
    login(supervisor).get(reverse("dashboards:busiest") + f"?{JUNE}")
    entry = ProcessingLog.objects.get(operation="consultation")
    assert (entry.object_type, entry.object_id) == ("dwelling", "")


# Exports -----------------------------------------------------------------------------


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_csv_export_holds_the_table_and_is_logged_as_a_disclosure_to_the_user(
    login, supervisor, june
):
    url = reverse("dashboards:export", kwargs={"table": "diversion_weekly"}) + f"?{JUNE}&hours=1.5"
    response = login(supervisor).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="diversion_weekly_20260601_20260614.csv"' in response["Content-Disposition"]
    assert _csv(response) == [
        [
            "Week commencing",
            "Calls",
            "Decided",
            "Police did not attend",
            "Diversion rate (%)",
            "Officer hours saved (× 1.5 h)",
        ],
        ["2026-06-01", "21", "21", "14", "66.7", "21.0"],
        ["2026-06-08", "21", "21", "14", "66.7", "21.0"],
        ["Total", "42", "42", "28", "66.7", "42.0"],
    ]
    log = ProcessingLog.objects.get(operation="disclosure")
    assert (log.user, log.object_type, log.object_id) == (
        supervisor,
        "dashboard_export",
        "diversion_weekly",
    )
    assert log.recipient == f"{supervisor.username} (internal)"
    assert "start=2026-06-01&end=2026-06-14&hours=1.5" in log.justification


def test_an_export_for_someone_else_records_the_recipient_and_purpose(login, supervisor, june):
    url = reverse("dashboards:export-shared") + (
        f"?{JUNE}&table=demand_strand&recipient=ICB+mental+health+lead&purpose=Monthly+RCRP+review"
    )
    response = login(supervisor).get(url)

    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0] == ["Strand", "999", "101", "Total", "Share (%)"]
    assert rows[1:] == [
        ["Welfare check", "28", "0", "28", "66.7"],
        ["Medical", "0", "14", "14", "33.3"],
    ]
    log = ProcessingLog.objects.get(operation="disclosure")
    assert log.recipient == "ICB mental health lead"
    assert log.justification.startswith("Monthly RCRP review")


def test_a_recipient_without_a_purpose_is_refused_and_not_logged(login, supervisor):
    url = reverse("dashboards:export", kwargs={"table": "demand_daily"}) + "?recipient=Someone"
    response = login(supervisor).get(url)
    assert response.status_code == 400
    assert not ProcessingLog.objects.exists()


def test_an_unknown_table_is_not_found(login, supervisor):
    response = login(supervisor).get(reverse("dashboards:export", kwargs={"table": "secrets"}))
    assert response.status_code == 404
    assert not ProcessingLog.objects.exists()


def test_an_export_with_bad_dates_is_refused(login, supervisor):
    url = reverse("dashboards:export", kwargs={"table": "demand_daily"}) + "?start=yesterday"
    response = login(supervisor).get(url)
    assert response.status_code == 400
    assert "From: Enter" in response.content.decode()  # the field's label, not its name


def test_every_table_exports_with_its_header(login, supervisor, june):
    client = login(supervisor)
    for name in Dashboard.TABLES:
        response = client.get(reverse("dashboards:export", kwargs={"table": name}) + f"?{JUNE}")
        assert response.status_code == 200, name
        assert len(_csv(response)[0]) >= 2, name
    assert ProcessingLog.objects.filter(operation="disclosure").count() == len(Dashboard.TABLES)


def test_the_override_list_exports_every_row_beyond_the_page(login, supervisor, june):
    response = login(supervisor).get(
        reverse("dashboards:export", kwargs={"table": "overrides_list"}) + f"?{JUNE}"
    )
    rows = _csv(response)
    assert len(rows) == 1 + 28
    assert rows[1][3] == "GEN-IMMEDIATE-RISK" and rows[1][6:8] == ["override", "downgraded"]


def test_the_overdue_reviews_export_every_row_beyond_the_page(login, supervisor):
    for n in range(PAGE_ROWS + 10):
        dwelling = Dwelling.objects.create(key=f"overdue-{n}", address=f"{n} Overdue Street")
        Referral.objects.create(
            dwelling=dwelling, source="manual", review_due=timezone.localdate() - timedelta(days=3)
        )
    client = login(supervisor)
    rows = _csv(client.get(reverse("dashboards:export", kwargs={"table": "reviews_overdue"})))
    assert len(rows) == 1 + PAGE_ROWS + 10
    page = client.get(reverse("dashboards:home"))
    assert len(page.context["tables"]["reviews_overdue"].rows) == PAGE_ROWS


def test_hours_saved_are_rounded_alike_on_the_card_and_in_the_table(login, supervisor):
    handler = UserFactory(username="handler-hours")
    decide(call(utc(2026, 6, 2, 9), handler=handler, **ADVICE), handler)  # diverted: 0.25 h
    client = login(supervisor)
    page = client.get(reverse("dashboards:home") + f"?{JUNE}&hours=0.25").content.decode()
    assert re.search(r"Officer hours saved \(estimate\)</h3><p class=\"stat\">0\.3<", page)
    url = reverse("dashboards:export", kwargs={"table": "diversion_weekly"})
    rows = _csv(client.get(url + f"?{JUNE}&hours=0.25"))
    assert rows[1][-1] == "0.3" and rows[-1][-1] == "0.3"


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_quoted(login, supervisor):
    handler = UserFactory(username="=HYPERLINK(1)")
    call(utc(2026, 6, 1, 9), handler=handler)
    response = login(supervisor).get(
        reverse("dashboards:export", kwargs={"table": "overrides_by_handler"}) + f"?{JUNE}"
    )
    assert _csv(response)[1][0] == "'=HYPERLINK(1)"


# The weekly pack ---------------------------------------------------------------------


def test_the_weekly_pack_defaults_to_last_full_week(login, supervisor):
    response = login(supervisor).get(reverse("dashboards:pack"))
    period = response.context["period"]
    today = timezone.localdate()
    assert period.start.weekday() == 0
    assert period.end - period.start == timedelta(days=6)
    assert period.end < today <= period.end + timedelta(days=7)


def test_the_weekly_pack_covers_the_monday_to_sunday_week_of_the_date_given(
    login, supervisor, june
):
    response = login(supervisor).get(reverse("dashboards:pack") + "?week=2026-06-10&hours=3")
    html = response.content.decode()
    period = response.context["period"]
    assert (period.start, period.end) == (date(2026, 6, 8), date(2026, 6, 14))
    for heading in ("1. Demand", "2. Right Care, Right Person", "3. Repeat callers and referrals"):
        assert heading in html
    assert "= 14 × 3 h average deployment" in html
    assert "css/dashboards.css" in html
    assert "Repeat Road" not in html and "Distinct Road" not in html  # counts only


def test_the_print_stylesheet_lays_the_pack_out_on_a4():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/dashboards.css").read_text()
    assert "@media print" in css
    assert "size: A4" in css


# Charts ------------------------------------------------------------------------------


def test_axes_end_on_a_round_number():
    assert [nice_max(v) for v in (0, 0.7, 1, 3, 7, 12, 180, 2600)] == [
        1,
        1,
        1,
        5,
        10,
        20,
        200,
        5000,
    ]


def test_charts_are_svg_with_a_title_and_no_style_attribute():
    for svg in (
        line_chart(title="T<1>", labels=["a", "b"], series=[("999", [1, None])]),
        bar_chart(title="T", labels=["a", "b"], series=[("999", [1, 2]), ("101", [0, 3])]),
        hbar_chart(title="T", labels=["a"], series=[("x", [50.0])], unit="%"),
    ):
        assert svg.startswith('<figure class="chart-figure"><svg')
        assert "style=" not in svg and "<script" not in svg
        assert "<title" in svg
    assert "T&lt;1&gt;" in line_chart(title="T<1>", labels=["a"], series=[("s", [1])])


def test_an_empty_chart_says_so():
    assert "No data in this period." in line_chart(title="T", labels=["a"], series=[("s", [None])])
    assert "No data in this period." in bar_chart(title="T", labels=["a"], series=[("s", [0])])


def test_the_export_form_without_a_table_is_a_bad_request(login, supervisor):
    response = login(supervisor).get(reverse("dashboards:export-shared"))
    assert response.status_code == 400
    assert not ProcessingLog.objects.exists()


# Shared figures (DASHBOARD_CACHE_SECONDS) ------------------------------------------------


def _calls_figure(html: str) -> str:
    return re.search(r"<h3>Calls</h3><p class=\"stat\">(\d+)</p>", html).group(1)


@pytest.fixture
def shared_figures(settings):
    """DASHBOARD_CACHE_SECONDS on; yields the cache key of the JUNE period's figures."""
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 30
    key = f"dashboard:v3:{timezone.localdate().isoformat()}:start=2026-06-01&end=2026-06-14"
    cache.delete_many([key, f"{key}:recount"])
    yield key
    cache.delete_many([key, f"{key}:recount"])


def _age(key, seconds):
    from django.core.cache import cache

    made, html = cache.get(key)
    cache.set(key, (made - seconds, html), 300)


def test_supervisors_asking_for_one_period_share_its_figures_for_a_while(
    login, supervisor, shared_figures, django_assert_max_num_queries
):
    from django.core.cache import cache

    url = reverse("dashboards:home") + f"?{JUNE}"
    first = login(supervisor).get(url).content.decode()
    assert cache.get(shared_figures) is not None, "the figures were not shared"
    assert _calls_figure(first) == "0" and "Figures as of " in first
    call(utc(2026, 6, 3, 9))
    other = login(UserFactory(username="supervisor-2", role="supervisor"))
    with django_assert_max_num_queries(5):  # session, user, the session touch: no figures
        again = other.get(url).content.decode()
    assert _calls_figure(again) == "0"  # up to DASHBOARD_CACHE_SECONDS old, as it says

    _age(shared_figures, 31)
    cache.add(f"{shared_figures}:recount", 1, 30)  # another supervisor is recounting
    assert _calls_figure(other.get(url).content.decode()) == "0"  # no crowd, no wait
    cache.delete(f"{shared_figures}:recount")
    assert _calls_figure(other.get(url).content.decode()) == "1"  # this one recounts
    assert _calls_figure(login(supervisor).get(url).content.decode()) == "1"  # and shares


def test_without_the_cache_the_dashboard_still_counts(login, supervisor, shared_figures):
    from unittest import mock

    url = reverse("dashboards:home") + f"?{JUNE}"
    call(utc(2026, 6, 3, 9))
    with (
        mock.patch("dashboards.views.cache.get", side_effect=ConnectionError("redis down")),
        mock.patch("dashboards.views.cache.set", side_effect=ConnectionError("redis down")),
    ):
        response = login(supervisor).get(url)
    assert response.status_code == 200
    assert _calls_figure(response.content.decode()) == "1"


@pytest.fixture
def shared_default(settings):
    """DASHBOARD_CACHE_SECONDS on; yields the cache key of the default period's figures."""
    from django.core.cache import cache

    from dashboards.forms import PeriodForm

    settings.DASHBOARD_CACHE_SECONDS = 30
    today = timezone.localdate()
    period = PeriodForm({}, today=today).period()
    key = f"dashboard:v3:{today.isoformat()}:{period.query}"
    cache.delete_many([key, f"{key}:recount"])
    yield key
    cache.delete_many([key, f"{key}:recount"])


FILTERS_REFUSED = "These filters could not be used"


@pytest.mark.parametrize("bad_first", [True, False], ids=["bad first", "default first"])
def test_a_view_with_unusable_filters_is_never_shared_with_the_default_view(
    login, supervisor, shared_default, bad_first
):
    client = login(supervisor)
    url = reverse("dashboards:home")
    views = [(f"{url}?channel=112", True), (url, False)]
    for target, refused in views if bad_first else views[::-1]:
        html = client.get(target).content.decode()
        assert (FILTERS_REFUSED in html) is refused, target


# Words, not codes (SCREENS.md) -----------------------------------------------------------

# One call for each concern type, with the answers each needs, decided in turn: accepted,
# overridden to police, overridden away from police. Demo-like: many agencies and rules.
CONCERNS = {
    "welfare_check": {},
    "medical": {"medical_need": "urgent"},
    "walkout": {"patient_status": "informal_patient", "known_to_service": "mental_health"},
    "awol": {"patient_status": "detained_mha", "caller_type": "health_professional"},
    "conveyance": {"medical_need": "non_urgent"},
    "s136_handover": {
        "patient_status": "detained_s136",
        "location_type": "place_of_safety",
        "caller_type": "police_officer",
        "minutes_since_arrival": 45,
        "handover_accepted": False,
    },
}


@pytest.fixture
def varied(supervisor):
    handler = UserFactory(username="handler-varied")
    n = 0
    for day in (2, 3, 4):
        for concern, answers in CONCERNS.items():
            for risk in ({}, RISK):
                n += 1
                c = call(
                    utc(2026, 6, day, 8 + n % 12),
                    channel="999" if n % 3 else "101",
                    handler=handler,
                    concern_type=concern,
                    **{**answers, **risk},
                )
                if n % 3 == 0:
                    decide(c, handler)
                elif n % 3 == 1:
                    decide(c, handler, attend=True, agency="POLICE")
                else:
                    decide(c, handler, attend=False, agency="MENTAL_HEALTH_CRISIS")
    return handler


def _visible(html: str) -> str:
    """The text of a page as people read it: no tags, no scripts; a rule's id is allowed
    only as the small secondary label beside its title (span.rule-id), so it is left out."""
    html = re.sub(r'<span class="rule-id">[^<]*</span>', "", html)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))


def _rule_ids() -> set[str]:
    from triage.engine import load_default_ruleset

    return {rule.id for rule in load_default_ruleset().rules}


DASHBOARD_PAGES = [
    reverse("dashboards:home") + f"?{JUNE}",
    reverse("dashboards:pack") + "?week=2026-06-03",
    reverse("dashboards:busiest") + f"?{JUNE}",
]


@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_dashboard_pages_name_agencies_strands_and_rules_in_words(login, supervisor, varied, url):
    from tests.browser.conftest import internal_codes

    html = login(supervisor).get(url).content.decode()
    text = _visible(html)
    assert internal_codes([text]) == {}
    shown_ids = {rule for rule in _rule_ids() if re.search(rf"(?<![\w-]){rule}(?![\w-])", text)}
    assert shown_ids == set()
    assert "(police)" not in text and "Advise caller" not in text  # the exports' old text


def test_the_dashboard_shows_the_words_of_the_vocabulary(login, supervisor, varied):
    text = _visible(login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}").content.decode())
    for words in (
        "Mental-health crisis team",
        "Advice to the caller (no deployment)",
        "Detained patient absent without leave (AWOL)",
        "Section 136 handover at a place of safety",
        "Real and immediate risk to life or of serious harm",
    ):
        assert words in text, words


def test_a_rule_s_id_is_only_a_secondary_label_beside_its_title(login, supervisor, varied):
    html = login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}").content.decode()
    labels = re.findall(r'<text class="cat"[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>', html)
    assert "Real and immediate risk to life or of serious harm" in labels
    assert not set(labels) & _rule_ids()  # the chart is labelled by titles
    secondary = re.findall(r'([^>]*) <span class="rule-id">([^<]*)</span>', html)
    assert ("Real and immediate risk to life or of serious harm", "GEN-IMMEDIATE-RISK") in {
        (title.strip(), rule) for title, rule in secondary
    }


def _figure(html: str, name: str) -> str:
    return re.search(
        rf'<section class="figure card[^"]*" id="fig-{name}".*?</section>', html, re.S
    )[0]


def test_override_rate_by_rule_is_in_order_of_rate_in_the_table_and_the_chart(
    login, supervisor, varied
):
    html = login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}").content.decode()
    figure = _figure(html, "overrides_by_rule")
    body = re.search(r"<tbody>(.*?)</tbody>", figure, re.S)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    rates = [float(re.findall(r'<td class="num">([\d.]+)%</td>', row)[0]) for row in rows]
    assert len(rates) >= 4 and len(set(rates)) >= 2
    assert rates == sorted(rates, reverse=True)
    titles = [re.match(r"<td>([^<]*?) ?<span", row)[1] for row in rows]
    bars = re.findall(r'<text class="cat"[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>', figure)
    assert bars == titles


def test_suggested_against_final_agency_is_shown_not_folded_away(login, supervisor, varied):
    html = login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}").content.decode()
    figure = _figure(html, "agency_matrix")
    assert '<details class="numbers">' not in figure  # the table is the figure
    body = re.search(r"<tbody>(.*?)</tbody>", figure, re.S)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) >= 3
    assert "<td>Police</td>" in body and "Mental-health crisis team" in figure
    assert 'class="num marked"' in body  # the suggestion kept: picked out on the diagonal


def test_suggested_against_final_agency_says_so_when_nothing_is_decided(login, supervisor):
    call(utc(2026, 6, 2, 9))  # taken, not decided
    html = login(supervisor).get(reverse("dashboards:home") + f"?{JUNE}").content.decode()
    assert "No call in this period has a decision yet" in _figure(html, "agency_matrix")


def test_the_average_deployment_box_shows_the_hours_in_use(login, supervisor):
    client = login(supervisor)
    for url in (reverse("dashboards:home"), reverse("dashboards:pack")):
        html = client.get(url).content.decode()
        assert re.search(r'<input type="number" name="hours" value="2"', html), url
        assert "the default is 2 hours" in html
    page = client.get(reverse("dashboards:home") + "?hours=1.5").content.decode()
    assert re.search(r'<input type="number" name="hours" value="1.5"', page)


@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_dashboard_dates_are_written_in_one_style(login, supervisor, varied, url):
    text = _visible(login(supervisor).get(url).content.decode())
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text)  # no ISO dates
    assert not re.search(r"\b0\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", text)
    assert re.search(r"\b[1-9]\d? Jun 2026\b", text)


def test_the_busiest_dwellings_are_named_by_their_address_and_link_to_them(login, supervisor):
    first = call(utc(2026, 6, 2, 9), address="5 Xray Road, Ely CB7 4AA")
    call(utc(2026, 6, 2, 10), address="5 Xray Road, Ely CB7 4AA")
    html = login(supervisor).get(reverse("dashboards:busiest") + f"?{JUNE}").content.decode()
    dwelling = first.dwelling
    link = reverse("callers:dwelling-detail", args=[dwelling.pk])
    assert f'<a href="{link}">{dwelling.address}</a>' in html
    assert dwelling.key not in _visible(html) or dwelling.key == dwelling.address


def test_the_exports_keep_the_codes_integrations_read(login, supervisor, varied):
    client = login(supervisor)

    def rows(table):
        url = reverse("dashboards:export", kwargs={"table": table}) + f"?{JUNE}"
        return _csv(client.get(url))

    rules = {row[0] for row in rows("overrides_by_rule")[1:-1]}
    assert rules and rules <= _rule_ids()
    agencies = {row[0] for row in rows("agency")[1:]}
    assert {"Police", "Mental health crisis", "Advise caller"} <= agencies
    assert rows("agency_matrix")[0][0] == "Suggested \\ final"
    listed = rows("overrides_list")
    assert listed[0][1] == "Call" and listed[1][1].isdigit()
    assert listed[1][3] in _rule_ids()


def test_long_category_names_widen_the_label_column_or_are_shortened_whole_in_a_tooltip():
    short = hbar_chart(title="T", labels=["Police"], series=[("x", [1])])
    assert 'x="184"' in short  # the least room: 190 px, less the gap
    long_name = "Police with health or mental-health staff"
    wide = hbar_chart(title="T", labels=[long_name], series=[("x", [1])])
    assert f">{long_name}</text>" in wide and 'x="184"' not in wide
    too_long = "A rule title far longer than any chart could ever give room to, said in full"
    cut = hbar_chart(title="T", labels=[too_long], series=[("x", [1])])
    assert f"<title>{too_long}</title>" in cut
    assert re.search(r"<title>[^<]*</title>A rule title[^<]*…</text>", cut)
