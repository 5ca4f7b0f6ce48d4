"""Operation Farmington's impact report: the page, its CSV and an A4 print for the board
(triage staff and supervisors). The figures come from ``referrals.impact``; each referral
a view lists is logged as read, and the CSV as a disclosure."""

import csv
import itertools
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.roles import Role, role_required
from core.services import log_disclosure, log_shown
from referrals import impact
from referrals.models import Referral

from . import charts
from .forms import ExportForm
from .impact_forms import ImpactForm
from .views import _bad_export, _Echo, _safe, export_request

PAGE_ROWS = 50
# Up to this many referrals the paired chart draws a pair of bars for each; beyond it, a
# pair for each of PAIRED_GROUPS groups of referrals of similar rank (their averages).
PAIRED_BARS = 40
PAIRED_GROUPS = 20
CSV_COLUMNS = (
    "referral_id",
    "dwelling_key",
    "address",
    "source",
    "status",
    "outcome",
    "triggered_at",
    "anchored_at",
    "window_ends_at",
    "complete",
    "calls_before",
    "calls_before_999",
    "calls_before_101",
    "calls_after",
    "calls_after_999",
    "calls_after_101",
    "change",
    "police_before",
    "police_after",
    "officer_hours_before",
    "officer_hours_after",
    "call_taker_hours_before",
    "call_taker_hours_after",
    "cost_before",
    "cost_after",
    "cost_saved",
    "actions",
)

casework = role_required(Role.TRIAGE, Role.SUPERVISOR)


def _report(form: ImpactForm, listings=()) -> impact.ImpactReport:
    data = form.cleaned_data
    return impact.impact_report(
        start=data["start"],
        end=data["end"],
        window_days=data["window_days"],
        costs=form.costs(),
        top=data["top"],
        source=data.get("source") or "",
        listings=listings,
    )


def _details(report: impact.ImpactReport, rows) -> list[impact.ReferralImpact]:
    return impact.referral_details(list(rows), window_days=report.window_days, costs=report.costs)


def paired_chart(report: impact.ImpactReport):
    """Calls before and after each complete referral, busiest first (most calls before,
    then most after): a pair of bars per referral, or, for more than PAIRED_BARS, per
    group of referrals of similar rank (the average of each). Drawn from the report's
    (before, after, how many) pairs, not from a row per referral."""
    pairs = report.pairs
    n = sum(k for _, _, k in pairs)
    title = f"Calls in the {report.window_days} days before and after each referral"
    if n <= PAIRED_BARS:
        edges = list(range(n + 1))
        labels = [str(i) for i in range(1, n + 1)]
    else:
        edges = [round(i * n / PAIRED_GROUPS) for i in range(PAIRED_GROUPS + 1)]
        labels = [f"{a + 1}–{b}" for a, b in itertools.pairwise(edges)]
    sums = _rank_sums(pairs, edges)
    return charts.bar_chart(
        title=title,
        labels=labels,
        series=[
            ("Before", [round(b / (hi - lo), 1) for (b, _), (lo, hi) in _spans(sums, edges)]),
            ("After", [round(a / (hi - lo), 1) for (_, a), (lo, hi) in _spans(sums, edges)]),
        ],
    )


def _spans(sums, edges):
    return zip(sums, itertools.pairwise(edges), strict=True)


def _rank_sums(pairs, edges) -> list[tuple[int, int]]:
    """The calls before and after summed over the referrals ranked edges[i]..edges[i+1]
    (from 0), the pairs being (before, after, how many) in rank order."""
    sums = []
    pos, i = 0, 0  # rank of the first referral of pairs[i] not yet taken
    taken = 0
    for _, hi in itertools.pairwise(edges):
        before = after = 0
        while pos < hi:
            b, a, k = pairs[i]
            take = min(hi, pos + (k - taken)) - pos
            before, after = before + b * take, after + a * take
            pos, taken = pos + take, taken + take
            if taken == k:
                i, taken = i + 1, 0
        sums.append((before, after))
    return sums


def _context(form: ImpactForm, report: impact.ImpactReport) -> dict:
    params = form.params()
    costs = report.costs
    return {
        "form": form,
        "report": report,
        "query": urlencode(params),
        "params": params,
        "costs": [(spec, spec.show(getattr(costs, spec.name))) for spec in impact.COST_FIELDS],
        "unit": {spec.name: spec.show(getattr(costs, spec.name)) for spec in impact.COST_FIELDS},
        "paired_chart": paired_chart(report),
        "top": _details(report, report.top),
        "definition": impact.comparison_definition(report),
        "reading": impact.READING,
        "generated_at": timezone.localtime(report.as_of),
    }


def _log(request, rows, why: str, report: impact.ImpactReport) -> None:
    """Each referral shown (by address or by number) is a consultation of it."""
    ids = list(dict.fromkeys(row.id for row in rows))
    log_shown(
        user=request.user,
        objects=[Referral(pk=pk) for pk in ids],
        object_type="referral",
        justification=f"{why} {impact.describe_query(report)}",
    )


def _page_number(value) -> int:
    """The page asked for, as Paginator.get_page reads it (anything else: the first)."""
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


@require_GET
@casework
def impact_page(request):
    """The report: the cohort beside the comparison group, the top callers, the splits by
    outcome and action, and every referral (complete ones and, apart, the rest), a page
    of each at a time."""
    form = ImpactForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return render(request, "dashboards/impact.html", {"form": form}, status=400)
    sort = form.cleaned_data.get("sort") or "before"
    numbers = [_page_number(request.GET.get(param)) for param in ("page", "ipage")]
    report = _report(form, _listings(numbers, sort))
    counts = [report.totals.referrals, report.totals.incomplete]
    pages = [
        Paginator(range(count), PAGE_ROWS).get_page(n)
        for count, n in zip(counts, numbers, strict=True)
    ]
    if [page.number for page in pages] != numbers:  # past the last page: show the last
        numbers = [page.number for page in pages]
        report = _report(form, _listings(numbers, sort))
    context = _context(form, report)
    complete_rows, incomplete_rows = (_details(report, rows) for rows in report.listed)
    context.update(
        complete_page=pages[0],
        complete_rows=complete_rows,
        incomplete_page=pages[1],
        incomplete_rows=incomplete_rows,
        sort=sort,
    )
    _log(
        request,
        [*context["top"], *complete_rows, *incomplete_rows],
        impact.LOG_JUSTIFICATION,
        report,
    )
    return render(request, "dashboards/impact.html", context)


def _listings(numbers: list[int], sort: str) -> list[impact.Listing]:
    return [
        impact.Listing(complete=complete, order=sort, offset=(n - 1) * PAGE_ROWS, limit=PAGE_ROWS)
        for complete, n in zip((True, False), numbers, strict=True)
    ]


@require_GET
@casework
def impact_print(request):
    """The report for a partnership board on A4: counts and estimates, referrals by number,
    no addresses."""
    form = ImpactForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return render(request, "dashboards/impact.html", {"form": form}, status=400)
    report = _report(form)
    context = _context(form, report)
    _log(request, context["top"], f"{impact.LOG_JUSTIFICATION} (print)", report)
    return render(request, "dashboards/impact_print.html", context)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _csv_row(row: impact.ReferralImpact) -> list[str]:
    e = row.estimate
    values = (
        row.id,
        row.dwelling_key,
        row.dwelling_address,
        row.source,
        row.status,
        row.outcome,
        row.triggered_at,
        row.anchored_at,
        row.window_ends_at,
        row.complete,
        row.calls_before,
        row.before_999,
        row.before_101,
        row.calls_after,
        row.after_999,
        row.after_101,
        row.change,
        row.police_before,
        row.police_after,
        impact.tenths(e.officer_hours_before),
        impact.tenths(e.officer_hours_after),
        impact.tenths(e.call_taker_hours_before),
        impact.tenths(e.call_taker_hours_after),
        impact.money(e.cost_before),
        impact.money(e.cost_after),
        impact.money(e.cost_saved),
        ";".join(row.actions),
    )
    return [_safe(_cell(v)) for v in values]


@require_GET
@casework
def impact_export(request):
    """Every referral of the report as CSV (codes, as integrations read them), recorded
    as a disclosure before the first byte is sent, and each referral in it as read.

    The recipient is the ``recipient`` parameter when the file is for someone else (a
    purpose is then required), otherwise the requesting user: an internal export.
    """
    form = ImpactForm(request.GET, today=timezone.localdate())
    problem, recipient, purpose = export_request(form, ExportForm(request.GET))
    if problem:
        return _bad_export(problem)
    report = _report(form)
    rows = _details(report, report.rows)
    log_disclosure(
        user=request.user,
        object_type="farmington_impact_export",
        object_id=f"{report.start:%Y%m%d}-{report.end:%Y%m%d}",
        recipient=recipient or f"{request.user.get_username()} (internal)",
        justification=f"{purpose or 'Farmington impact report export (internal)'} "
        f"[{urlencode(form.params())}] {len(rows)} referrals",
        request=request,
    )
    _log(request, rows, f"{impact.LOG_JUSTIFICATION} (CSV export)", report)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_COLUMNS)
        for row in rows:
            yield writer.writerow(_csv_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="farmington_impact_{report.start:%Y%m%d}_{report.end:%Y%m%d}'
        f'_{report.window_days}d.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
