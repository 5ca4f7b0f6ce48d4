import csv
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from callers.models import Dwelling
from core.roles import Role, role_required
from core.services import log_shown

from . import charts
from .forms import ExportForm, PackForm, PeriodForm
from .selectors import Dashboard, Period, Table, short_day_text
from .services import export_log

logger = logging.getLogger(__name__)

# Figures the dashboard page loads after itself, with the title shown before they arrive.
LAZY_TABLES = {"busiest_dwellings": "Busiest dwellings in the period"}


def _series(table: Table, period: Period, *, skip: int = 1):
    """(name, values) per channel column of a demand table."""
    return [
        (channel, [row[skip + i] for row in table.rows])
        for i, channel in enumerate(period.channels)
    ]


def _days(table: Table) -> list[str]:
    return [short_day_text(row[0]) for row in table.rows]


def _words(table: Table) -> list[str]:
    """The first column as people read it (agencies, strands and rules in words)."""
    return [str(row[0]) for row in table.rows]


def _charts(dash: Dashboard) -> dict:
    period = dash.period
    daily, weekly = dash.demand_daily, dash.demand_weekly
    hourly, strands = dash.demand_hourly, dash.demand_strand
    agency, backlog = dash.agency, dash.referral_backlog
    return {
        "demand_daily": charts.line_chart(
            title="Calls per day",
            labels=_days(daily),
            series=_series(daily, period),
        ),
        "demand_weekly": charts.bar_chart(
            title="Calls per week",
            labels=_days(weekly),
            series=_series(weekly, period, skip=2),
        ),
        "demand_hourly": charts.bar_chart(
            title="Calls by hour of day",
            labels=[f"{h:02d}" for h in range(24)],
            series=_series(hourly, period),
        ),
        "demand_strand": charts.hbar_chart(
            title="Calls by strand",
            labels=_words(strands),
            series=_series(strands, period),
        ),
        "agency": charts.hbar_chart(
            title="Suggested and final agency (decided calls)",
            labels=_words(agency),
            series=[
                ("Suggested", [row[2] for row in agency.rows]),
                ("Final", [row[3] for row in agency.rows]),
            ],
        ),
        "diversion_daily": charts.line_chart(
            title="Diversion rate per day",
            labels=_days(dash.diversion_daily),
            series=[("Police did not attend", [row[4] for row in dash.diversion_daily.rows])],
            unit="%",
        ),
        # The table is in order of override rate, highest first: so are the bars.
        "overrides_by_rule": charts.hbar_chart(
            title="Override rate by rule (highest first)",
            labels=_words(dash.overrides_by_rule),
            series=[("Override rate", [row[4] for row in dash.overrides_by_rule.rows])],
            unit="%",
        ),
        "overrides_by_handler": charts.hbar_chart(
            title="Override rate by handler",
            labels=_words(dash.overrides_by_handler),
            series=[("Override rate", [row[4] for row in dash.overrides_by_handler.rows])],
            unit="%",
        ),
        "repeat_share": charts.line_chart(
            title="Repeat-caller share of 999 calls per week",
            labels=_days(dash.repeat_share),
            series=[("Repeat-caller share", [row[4] for row in dash.repeat_share.rows])],
            unit="%",
        ),
        "referral_backlog": charts.bar_chart(
            title="Open referrals by age",
            labels=[col.label for col in backlog.columns[1:-1]],
            series=[("Open referrals", list(backlog.total[1:-1]))],
            height=200,
        ),
        "referral_status": charts.hbar_chart(
            title="Open referrals by status",
            labels=_words(backlog),
            series=[("Open referrals", [row[-1] for row in backlog.rows])],
        ),
    }


def _today():
    return timezone.localdate()


@require_GET
@role_required(Role.SUPERVISOR)
def home(request):
    form = PeriodForm(request.GET, today=_today())
    period = form.period()
    figures = _figures_html(form, period)
    if request.htmx:
        return HttpResponse(figures)
    return render(request, "dashboards/home.html", {"figures": figures})


def _figures_html(form, period: Period) -> str:
    """The dashboard's figures, rendered; shared by every supervisor asking for the same
    period for DASHBOARD_CACHE_SECONDS (the page says how old they are). Twenty supervisors
    polling would otherwise each recount the same aggregates.

    When the shared copy is older than that, one request recounts while the others keep
    being served the copy they have (never a crowd recounting at once, never a wait). Works
    without the cache (Redis down): every view then counts for itself.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds or form.errors:
        # Filters that could not be used are shown with their errors: never shared.
        return _render_figures(form, period)
    # The version changes with the rendering, so that no copy drawn before a release is shared.
    key = f"dashboard:v3:{_today().isoformat()}:{period.query}"
    shared = _cache_call("get", key)
    if shared is not None:
        made, html = shared
        if time.time() - made < seconds or not _cache_call("add", f"{key}:recount", 1, seconds):
            return mark_safe(html)  # noqa: S308 - our own rendering, stored as it was
    html = _render_figures(form, period)
    # Kept past its freshness so that others have a copy to show while one request recounts.
    _cache_call("set", key, (time.time(), str(html)), seconds * STALE_FACTOR)
    _cache_call("delete", f"{key}:recount")
    return html


# How long a shared dashboard stays servable (while being recounted), in freshness periods.
STALE_FACTOR = 10


def _cache_call(method: str, *args):
    """The cache is an optimisation: if it (Redis) is down, the dashboard counts for itself."""
    try:
        return getattr(cache, method)(*args)
    except Exception:  # noqa: BLE001
        logger.warning("dashboard cache unavailable (%s); counting without it", method)
        return None


def _render_figures(form, period: Period) -> str:
    dash = Dashboard(period, today=_today())
    tables = {name: dash.table(name) for name in Dashboard.TABLES if name not in LAZY_TABLES}
    context = {
        "form": form,
        "period": period,
        "dash": dash,
        "charts": _charts(dash),
        "tables": tables,
        "generated_at": timezone.localtime(),
        "export_choices": [
            (name, tables[name].title if name in tables else LAZY_TABLES[name])
            for name in Dashboard.TABLES
        ],
    }
    return render_to_string("dashboards/_dashboard.html", context)


@require_GET
@role_required(Role.SUPERVISOR)
def busiest(request):
    """The busiest dwellings, loaded by the dashboard after the page (or opened on its own)."""
    form = PeriodForm(request.GET, today=_today())
    period = form.period()
    dash = Dashboard(period, today=_today())
    template = "dashboards/_busiest.html" if request.htmx else "dashboards/busiest.html"
    response = render(request, template, {"form": form, "period": period, "dash": dash})
    # Addresses with their call counts: each dwelling shown is a consultation.
    log_shown(
        user=request.user,
        objects=[Dwelling(pk=pk) for pk in dash.busiest_dwelling_ids],
        object_type="dwelling",
        justification="busiest dwellings (dashboard)",
    )
    return response


@require_GET
@role_required(Role.SUPERVISOR)
def pack(request):
    form = PackForm(request.GET, today=_today())
    period = form.period()
    dash = Dashboard(period, today=_today())
    return render(
        request,
        "dashboards/pack.html",
        {"form": form, "period": period, "dash": dash, "charts": _charts(dash)},
    )


class _Echo:
    def write(self, value):
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    """Stop a spreadsheet reading a cell (an address, a username) as a formula."""
    if cell and cell.startswith(_FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def export_request(form, who) -> tuple[str, str, str]:
    """(problem, recipient, purpose) of a CSV export: the period's form and who the file is
    for (``ExportForm``); ``problem`` is "" when the request is good. A disclosure to
    another recipient needs a purpose."""
    if not form.is_valid() or not who.is_valid():
        problems = [
            " ".join(messages)
            if name == NON_FIELD_ERRORS
            else f"{f.fields[name].label or name}: {' '.join(messages)}"
            for f in (form, who)
            for name, messages in f.errors.items()
        ]
        return "Invalid export request. " + "; ".join(problems), "", ""
    recipient = who.cleaned_data["recipient"].strip()
    purpose = who.cleaned_data["purpose"].strip()
    if recipient and not purpose:
        return "Give the purpose of a disclosure to another recipient.", "", ""
    return "", recipient, purpose


def _bad_export(reason: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")


@require_GET
@role_required(Role.SUPERVISOR)
def export(request, table):
    """One dashboard table as CSV, logged as a disclosure before the first byte is sent.

    The recipient is the ``recipient`` parameter when the file is for someone else (a
    purpose is then required), otherwise the requesting user: an internal export.
    """
    if table not in Dashboard.TABLES:
        raise Http404("No such table.")
    form = PeriodForm(request.GET, today=_today())
    who = ExportForm(request.GET)
    problem, recipient, purpose = export_request(form, who)
    if problem:
        return _bad_export(problem)
    period = form.period()
    data = Dashboard(period, today=_today()).table(table, full=True)
    export_log(
        request=request,
        table=table,
        recipient=recipient or f"{request.user.get_username()} (internal)",
        purpose=purpose or "Supervisor dashboard export (internal)",
        filters=period.query,
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(data.csv_header())
        for row in data.csv_rows():
            yield writer.writerow([_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table}_{period.start:%Y%m%d}_{period.end:%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(Role.SUPERVISOR)
def export_shared(request):
    """The "export for someone else" form: the table comes from the query string."""
    table = request.GET.get("table", "")
    if table not in Dashboard.TABLES:
        return _bad_export("Choose a table to export.")
    return export(request, table)
