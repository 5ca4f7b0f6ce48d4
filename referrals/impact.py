"""Operation Farmington's impact: did the referral help? (issue 24)

Per referral, the dwelling's calls in the ``window_days`` days before and after the
referral's anchor, by channel, and the police deployments among them; for a cohort
(referrals anchored in a period), totals, medians and the change, the top callers, and the
same split by how the referral closed and by the actions taken; beside it, a comparison
group of dwellings that came within one call of the trigger and were not referred. The
report page, its CSV and print views (dashboards) and the API read it from here.

Counting rules (the API's contract):

- The anchor is ``triggered_at``: the call that completed the repeat-call window. A manual
  referral has no triggering call: it is anchored at ``created_at``, when it was raised.
- ``calls_before``: the dwelling's calls (999 and 101) with
  ``anchor - N days < received_at <= anchor`` (the triggering calls included);
  ``calls_after``: ``anchor < received_at <= anchor + N days``. Days of 24 hours.
- A police deployment is a call whose current decision had police attend.
- A referral is complete once its after-window has passed (``anchor + N days <= now``).
  Incomplete referrals are listed apart and never counted in totals, medians or groups.
- The period selects referrals by the Europe/London day of their anchor, inclusive.

Costs are estimates from unit costs the reader sets (``UnitCosts``): police deployments ×
officer hours per deployment × the cost of an officer hour, and calls × call-handling
minutes × the cost of a call-taker minute.

The comparison group (regression to the mean: a dwelling picked at its busiest tends to
call less afterwards anyway): under the live repeat-caller policy, each dwelling whose
counted calls reached ``threshold - 1`` within the policy's window at a call in the period,
anchored at the first such call, and never referred up to the end of its after-window; its
calls before and after that anchor are counted as a referral's are.
"""

import contextlib
import functools
import gc
import operator
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from callers.models import Dwelling
from core.days import local_midnight
from core.sqltime import shifted
from triage.models import Call

from . import farmington
from .farmington import Policy
from .models import Referral, ReferralAction

DEFAULT_WINDOW_DAYS = 90
WINDOW_DAYS_RANGE = (7, 365)
# Operation Farmington's evidence was "the top 16 callers".
DEFAULT_TOP = 16
TOP_RANGE = (1, 200)
WINDOW_DAYS_MESSAGE = (
    f"Enter a number of days from {WINDOW_DAYS_RANGE[0]} to {WINDOW_DAYS_RANGE[1]}."
)
TOP_MESSAGE = f"Enter a number of callers from {TOP_RANGE[0]} to {TOP_RANGE[1]}."
END_BEFORE_START = "The end date must be the same as or after the start date."

# What the processing log says each listed referral was read for.
LOG_JUSTIFICATION = "Farmington impact report"
# How to read the cohort beside the comparison group: on the page, the print and the API.
READING = (
    "Dwellings picked at their busiest tend to call less afterwards anyway (regression to "
    "the mean), so read the referrals' fall beside the comparison group's: only the "
    "difference between the two may be the team's doing."
)
# Above about this many dwellings (PostgreSQL's estimate), the comparison group is drawn
# from a random sample of about this many, by blocks of the table (see comparison_group),
# the same one while the dwellings do not change (REPEATABLE seed).
COMPARISON_SAMPLE = 25_000
SAMPLE_SEED = 24
# work_mem for the report's queries (see _sort_memory).
SORT_MEMORY = "64MB"
# Referrals whose dwelling and dates are read per query (SQLite's parameter limit).
DETAIL_BATCH = 500

OPEN = "open"
NO_ACTION = "none"
OPEN_LABEL = "Still open"
NO_ACTION_LABEL = "No action recorded"
CLOSED_WITHOUT_OUTCOME_LABEL = "Closed, no outcome recorded"


@dataclass(frozen=True)
class CostField:
    """One unit cost the reader sets: its parameter, words, range and the default's basis."""

    name: str
    label: str
    least: Decimal
    most: Decimal
    unit: str
    basis: str

    def show(self, value: Decimal) -> str:
        """A value of this cost as people read it: £40, £0.40, 2 hours, 10 minutes."""
        if self.unit == "£":
            return f"£{value:,.2f}" if value != value.to_integral() else f"£{value:,.0f}"
        return f"{plain(value)} {self.unit}"

    @property
    def message(self) -> str:
        """What to enter when the value will not do."""
        what = "an amount in pounds" if self.unit == "£" else f"a number of {self.unit}"
        return f"Enter {what} from {plain(self.least)} to {plain(self.most)}."


# The defaults are assumptions, shown with every estimate; a force replaces them with its
# own figures. The hours per deployment match the supervisor dashboard's average deployment
# (dashboards.selectors.DEFAULT_HOURS; a test holds the two equal).
COST_FIELDS = (
    CostField(
        "deployment_hours",
        "Officer hours per police deployment",
        Decimal("0.25"),
        Decimal("24"),
        "hours",
        "the supervisor dashboard's average deployment: officer time one attended call takes",
    ),
    CostField(
        "officer_hour_cost",
        "Cost of an officer hour (£)",
        Decimal("1"),
        Decimal("500"),
        "£",
        "an assumption: roughly a constable's hour with on-costs; use your finance team's rate",
    ),
    CostField(
        "call_minutes",
        "Call-handling minutes per call",
        Decimal("0.5"),
        Decimal("240"),
        "minutes",
        "an assumption: talking and wrap-up for a typical call; use your control room's "
        "average handling time",
    ),
    CostField(
        "call_minute_cost",
        "Cost of a call-taker minute (£)",
        Decimal("0.01"),
        Decimal("50"),
        "£",
        "an assumption: about £24 an hour with on-costs; use your finance team's rate",
    ),
)


@dataclass(frozen=True)
class UnitCosts:
    """What a police deployment and a call cost, as the reader sets them."""

    deployment_hours: Decimal = Decimal("2")
    officer_hour_cost: Decimal = Decimal("40")
    call_minutes: Decimal = Decimal("10")
    call_minute_cost: Decimal = Decimal("0.40")

    def estimate(
        self, *, calls_before: int, calls_after: int, police_before: int, police_after: int
    ) -> "Estimate":
        hours = self.deployment_hours
        minutes = self.call_minutes
        return Estimate(
            officer_hours_before=police_before * hours,
            officer_hours_after=police_after * hours,
            call_taker_hours_before=calls_before * minutes / 60,
            call_taker_hours_after=calls_after * minutes / 60,
            cost_before=police_before * hours * self.officer_hour_cost
            + calls_before * minutes * self.call_minute_cost,
            cost_after=police_after * hours * self.officer_hour_cost
            + calls_after * minutes * self.call_minute_cost,
        )

    def params(self) -> dict[str, str]:
        """The unit costs as query parameters (each as the reader would type it)."""
        return {f.name: plain(getattr(self, f.name)) for f in COST_FIELDS}


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 2, 0.4, 12.5."""
    return f"{value.normalize():f}"


def money(value: Decimal) -> Decimal:
    """Pounds to the penny, rounded half up."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def tenths(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Estimate:
    """Officer and call-taker time and cost of some calls, before and after (unrounded)."""

    officer_hours_before: Decimal
    officer_hours_after: Decimal
    call_taker_hours_before: Decimal
    call_taker_hours_after: Decimal
    cost_before: Decimal
    cost_after: Decimal

    @property
    def officer_hours_saved(self) -> Decimal:
        return self.officer_hours_before - self.officer_hours_after

    @property
    def call_taker_hours_saved(self) -> Decimal:
        return self.call_taker_hours_before - self.call_taker_hours_after

    @property
    def cost_saved(self) -> Decimal:
        return self.cost_before - self.cost_after


class ReferralCounts(NamedTuple):
    """One referral's calls before and after its anchor: a row of the counting query, kept
    as the tuple it is read as (a cohort can be a hundred thousand referrals)."""

    id: int
    dwelling_id: int
    source: str
    status: str
    outcome: str
    complete: bool
    before_999: int
    calls_before: int
    after_999: int
    calls_after: int
    police_before: int
    police_after: int

    @property
    def before_101(self) -> int:
        return self.calls_before - self.before_999

    @property
    def after_101(self) -> int:
        return self.calls_after - self.after_999

    @property
    def change(self) -> int:
        """After minus before: negative when calls fell."""
        return self.calls_after - self.calls_before

    @property
    def change_pct(self) -> float | None:
        return _pct_change(self.calls_before, self.calls_after)

    @property
    def is_open(self) -> bool:
        return self.status != Referral.Status.CLOSED

    @property
    def closed_as(self) -> str:
        """The outcome group: the outcome's code, or "open"."""
        return OPEN if self.is_open else self.outcome


@dataclass(frozen=True)
class ReferralImpact:
    """One referral as the page, the CSV and the API show it: its counts, its dwelling,
    its anchor and the estimates from the unit costs."""

    counts: ReferralCounts
    dwelling_key: str
    dwelling_address: str
    triggered_at: datetime | None
    anchored_at: datetime
    window_ends_at: datetime
    actions: tuple[str, ...]
    estimate: "Estimate"

    def __getattr__(self, name):
        # The counts' fields and properties read as the referral's own.
        if name == "counts":  # not yet set (a copy being made)
            raise AttributeError(name)
        return getattr(self.counts, name)

    @property
    def outcome_label(self) -> str:
        if self.counts.is_open:
            return OPEN_LABEL
        if not self.counts.outcome:
            return CLOSED_WITHOUT_OUTCOME_LABEL
        return Referral.Outcome(self.counts.outcome).label

    @property
    def status_label(self) -> str:
        return Referral.Status(self.counts.status).label

    @property
    def source_label(self) -> str:
        return Referral.Source(self.counts.source).label

    @property
    def action_labels(self) -> list[str]:
        return [ReferralAction.Kind(kind).label for kind in self.actions]


def _pct_change(before: int, after: int) -> float | None:
    """The change as a percentage of before (negative: fell), to one decimal place."""
    if not before:
        return None
    return round(100 * (after - before) / before, 1)


def _median(values) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class Summary:
    """A cohort's complete referrals, counted; its incomplete ones only numbered."""

    referrals: int
    incomplete: int
    before_999: int
    before_101: int
    after_999: int
    after_101: int
    police_before: int
    police_after: int
    median_before: float | None
    median_after: float | None
    median_change: float | None
    fell: int
    estimate: Estimate

    @property
    def calls_before(self) -> int:
        return self.before_999 + self.before_101

    @property
    def calls_after(self) -> int:
        return self.after_999 + self.after_101

    @property
    def change(self) -> int:
        return self.calls_after - self.calls_before

    @property
    def change_pct(self) -> float | None:
        return _pct_change(self.calls_before, self.calls_after)


# A row of the counting query as ReferralCounts, without a Python call per row.
_counts = functools.partial(tuple.__new__, ReferralCounts)
# ReferralCounts' columns, read in the interpreter's own loops (map, sum, filter).
_COMPLETE, _B999, _BEFORE, _A999, _AFTER, _PB, _PA = (operator.itemgetter(i) for i in range(5, 12))


def summarise(rows: Iterable[ReferralCounts], costs: UnitCosts) -> Summary:
    """Totals and medians over the complete referrals of ``rows``; the incomplete ones
    are only numbered. Column by column, without a Python loop per referral: a cohort can
    be a hundred thousand referrals."""
    rows = rows if isinstance(rows, list) else list(rows)
    done = list(filter(_COMPLETE, rows))
    befores, afters = list(map(_BEFORE, done)), list(map(_AFTER, done))
    b999, a999 = sum(map(_B999, done)), sum(map(_A999, done))
    before, after = sum(befores), sum(afters)
    pb, pa = sum(map(_PB, done)), sum(map(_PA, done))
    return Summary(
        referrals=len(done),
        incomplete=len(rows) - len(done),
        before_999=b999,
        before_101=before - b999,
        after_999=a999,
        after_101=after - a999,
        police_before=pb,
        police_after=pa,
        median_before=_median(befores),
        median_after=_median(afters),
        median_change=_median(list(map(operator.sub, afters, befores))),
        fell=sum(map(operator.lt, afters, befores)),
        estimate=costs.estimate(
            calls_before=before, calls_after=after, police_before=pb, police_after=pa
        ),
    )


@dataclass(frozen=True)
class Group:
    """A split of the cohort: how referrals closed, or an action taken."""

    key: str
    label: str
    summary: Summary


@dataclass(frozen=True)
class Comparison:
    """Dwellings that came within one call of the trigger and were not referred."""

    dwellings: int
    incomplete: int
    calls_before: int
    calls_after: int
    median_before: float | None
    median_after: float | None
    median_change: float | None
    fell: int
    within: int  # the counted calls in the policy's window that made a near miss
    # The share of dwellings the group was drawn from (%), or None: from every dwelling.
    sample_percent: float | None = None

    @property
    def change(self) -> int:
        return self.calls_after - self.calls_before

    @property
    def change_pct(self) -> float | None:
        return _pct_change(self.calls_before, self.calls_after)


@dataclass(frozen=True)
class Listing:
    """Which referrals a page lists: the complete ones (True), the incomplete ones (False)
    or all of them (None), in one of ORDERS, ``limit`` of them from ``offset``."""

    complete: bool | None = None
    order: str = "oldest"
    offset: int = 0
    limit: int = 50


# How a listing can be ordered (SQL over the counted referrals). Each ends with the id, so
# each is a total order.
ORDERS = {
    "oldest": "anchored_at, id",
    "newest": "anchored_at DESC, id DESC",
    "before": "calls_before DESC, police_before DESC, id",
    "fell": "calls_after - calls_before, calls_before DESC, id",
    "rose": "calls_after - calls_before DESC, calls_before DESC, id",
}
# The top callers: most calls before, then most police deployments, then the oldest.
TOP_ORDER = "calls_before DESC, police_before DESC, anchored_at, id"


class Cell(NamedTuple):
    """Complete referrals with the same calls before and after, in one group: how many,
    and their 999 calls and police deployments added up (a cell of the cohort's
    histogram)."""

    calls_before: int
    calls_after: int
    referrals: int
    before_999: int
    after_999: int
    police_before: int
    police_after: int


@dataclass(frozen=True)
class ImpactReport:
    start: date
    end: date
    window_days: int
    source: str
    costs: UnitCosts
    top_n: int
    policy: Policy
    as_of: datetime
    count: int  # every referral anchored in the period, complete or not
    totals: Summary
    top: list[ReferralCounts]  # the top callers: complete, most calls before first
    top_totals: Summary
    by_outcome: list[Group]
    by_action: list[Group]
    comparison: Comparison
    # The complete referrals' calls before and after: how many of each pair (the chart).
    pairs: list[tuple[int, int, int]]
    listed: list[list[ReferralCounts]]  # one list per Listing asked for, in its order

    @functools.cached_property
    def rows(self) -> list[ReferralCounts]:
        """Every referral of the report, oldest first (read when first asked for: the CSV
        lists them all, a page only a few)."""
        start_at, end_at = period_bounds(self.start, self.end)
        return referral_counts(
            start_at=start_at,
            end_at=end_at,
            window=timedelta(days=self.window_days),
            now=self.as_of,
            source=self.source,
        )

    @property
    def beyond_comparison(self) -> float | None:
        """How many percentage points more the cohort's calls fell than the comparison
        group's (positive: the cohort fell further)."""
        ours, theirs = self.totals.change_pct, self.comparison.change_pct
        if ours is None or theirs is None:
            return None
        return round(theirs - ours, 1)


def describe_query(report: ImpactReport) -> str:
    """The report's parameters as the processing log records them (no free text)."""
    text = (
        f"{day_text(report.start)} to {day_text(report.end)}, {report.window_days} days either side"
    )
    return text + (f", {report.source} referrals only" if report.source else "")


def comparison_definition(report: ImpactReport) -> str:
    """Who is in the comparison group, in words."""
    policy = report.policy
    return (
        f"Dwellings whose {policy.channels_text} reached {policy.threshold - 1} within "
        f"{policy.window_days} days (one short of the live policy, {policy.describe()}) at a "
        f"call between {day_text(report.start)} and {day_text(report.end)}, counted from the "
        f"first such call, {report.window_days} days either side as for referrals; dwellings "
        "referred by the end of that time are left out." + sample_words(report.comparison)
    )


def sample_words(comparison: Comparison) -> str:
    """Whether the comparison group is a sample, in words ("" when it is not)."""
    percent = comparison.sample_percent
    if percent is None:
        return ""
    return (
        f" Drawn from a random sample of about 1 dwelling in {round(100 / percent):,} "
        f"({percent:g}%), taken as blocks of dwellings recorded at about the same time, "
        "each dwelling as likely to be drawn as any other: its counts are the sample's; its "
        "medians and changes estimate the whole group's."
    )


def day_text(day: date) -> str:
    """A day as people read it everywhere: 7 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months: from the day after the same date a year ago to today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The London days start..end (inclusive) as [start_at, end_at)."""
    return local_midnight(start), local_midnight(end + timedelta(days=1))


def impact_report(
    *,
    start: date,
    end: date,
    window_days: int = DEFAULT_WINDOW_DAYS,
    costs: UnitCosts | None = None,
    top: int = DEFAULT_TOP,
    source: str = "",
    now: datetime | None = None,
    policy: Policy | None = None,
    listings: Iterable[Listing] = (),
) -> ImpactReport:
    """The impact report for referrals anchored on London days start..end (inclusive):
    one query counts every referral's calls and answers the cohort as histograms (see
    ``cohort_cells``), the top callers and the referrals each of ``listings`` asks for;
    one finds the comparison group. Totals, medians and groups are taken from the
    histograms, the same on PostgreSQL and SQLite. ``ImpactReport.rows`` (every referral)
    is read only when asked for; ``referral_details`` reads the dwelling, dates and actions
    of the referrals a page shows."""
    costs = costs or UnitCosts()
    now = now or timezone.now()
    policy = policy or farmington.policy_current()
    start_at, end_at = period_bounds(start, end)
    window = timedelta(days=window_days)
    listings = list(listings)
    cohort = cohort_cells(
        start_at=start_at,
        end_at=end_at,
        window=window,
        now=now,
        source=source,
        top=top,
        listings=listings,
    )
    outcomes = cohort.by_outcome
    return ImpactReport(
        start=start,
        end=end,
        window_days=window_days,
        source=source,
        costs=costs,
        top_n=top,
        policy=policy,
        as_of=now,
        count=sum(outcomes.counts.values()),
        totals=_summary(
            [c for cells in outcomes.cells.values() for c in cells],
            sum(outcomes.incomplete.values()),
            costs,
        ),
        top=cohort.top,
        top_totals=summarise(cohort.top, costs),
        by_outcome=_by_outcome(outcomes, costs),
        by_action=_by_action(cohort.by_action, costs),
        comparison=comparison_group(
            start_at=start_at, end_at=end_at, window=window, now=now, policy=policy
        ),
        pairs=_pairs(outcomes),
        listed=cohort.listed,
    )


def _summary(cells: list[Cell], incomplete: int, costs: UnitCosts) -> Summary:
    """A Summary from histogram cells: the same figures ``summarise`` takes from rows."""
    before = sum(c.calls_before * c.referrals for c in cells)
    after = sum(c.calls_after * c.referrals for c in cells)
    b999, a999 = sum(c.before_999 for c in cells), sum(c.after_999 for c in cells)
    pb, pa = sum(c.police_before for c in cells), sum(c.police_after for c in cells)
    return Summary(
        referrals=sum(c.referrals for c in cells),
        incomplete=incomplete,
        before_999=b999,
        before_101=before - b999,
        after_999=a999,
        after_101=after - a999,
        police_before=pb,
        police_after=pa,
        median_before=_weighted_median([(c.calls_before, c.referrals) for c in cells]),
        median_after=_weighted_median([(c.calls_after, c.referrals) for c in cells]),
        median_change=_weighted_median(
            [(c.calls_after - c.calls_before, c.referrals) for c in cells]
        ),
        fell=sum(c.referrals for c in cells if c.calls_after < c.calls_before),
        estimate=costs.estimate(
            calls_before=before, calls_after=after, police_before=pb, police_after=pa
        ),
    )


def _pairs(outcomes: "Histogram") -> list[tuple[int, int, int]]:
    """(calls before, calls after, referrals) of the complete referrals, busiest first
    (most calls before, then most after)."""
    merged: dict[tuple[int, int], int] = {}
    for cells in outcomes.cells.values():
        for c in cells:
            key = (c.calls_before, c.calls_after)
            merged[key] = merged.get(key, 0) + c.referrals
    return sorted(((b, a, k) for (b, a), k in merged.items()), reverse=True)


def _by_outcome(outcomes: "Histogram", costs: UnitCosts) -> list[Group]:
    """One group per outcome (in the outcomes' order), then the open referrals; groups
    without referrals are left out."""
    labels = dict(Referral.Outcome.choices)
    return [
        Group(
            key=key or "closed",
            label=OPEN_LABEL if key == OPEN else labels.get(key, CLOSED_WITHOUT_OUTCOME_LABEL),
            summary=_summary(outcomes.cells.get(key, []), outcomes.incomplete.get(key, 0), costs),
        )
        for key in [*labels, "", OPEN]
        if key in outcomes.counts
    ]


def _by_action(actions: "Histogram", costs: UnitCosts) -> list[Group]:
    """One group per kind of action taken (a referral with several kinds is in each),
    then the referrals with no action recorded; empty groups are left out."""
    labels = dict(ReferralAction.Kind.choices)
    return [
        Group(
            key=key,
            label=NO_ACTION_LABEL if key == NO_ACTION else labels[key],
            summary=_summary(actions.cells.get(key, []), actions.incomplete.get(key, 0), costs),
        )
        for key in [*labels, NO_ACTION]
        if key in actions.counts
    ]


@dataclass
class Histogram:
    """A split of the cohort: per group key, its complete referrals' cells and how many
    incomplete referrals it has."""

    cells: dict[str, list[Cell]]
    incomplete: dict[str, int]

    @property
    def counts(self) -> dict[str, int]:
        """Referrals per group key, complete or not."""
        counts = dict(self.incomplete)
        for key, cells in self.cells.items():
            counts[key] = counts.get(key, 0) + sum(c.referrals for c in cells)
        return counts

    def add(self, key: str, complete, cell: Cell) -> None:
        if complete:
            self.cells.setdefault(key, []).append(cell)
        else:
            self.incomplete[key] = self.incomplete.get(key, 0) + cell.referrals


@dataclass
class Cohort:
    """What ``cohort_cells`` answers."""

    by_outcome: Histogram
    by_action: Histogram
    top: list[ReferralCounts]
    listed: list[list[ReferralCounts]]


def _anchored(prefix: str = ""):
    """A referral's anchor: its triggering call, or when it was raised (manual)."""
    return Coalesce(f"{prefix}triggered_at", f"{prefix}created_at")


# The counted referrals' columns, ReferralCounts' fields in order (then the anchor).
_COLUMNS = (
    "id, dwelling_id, source, status, outcome, complete, before_999, calls_before, "
    "after_999, calls_after, police_before, police_after"
)


def _counted_sql(*, window: timedelta, source: str) -> str:
    """SQL for every referral anchored in [start_at, end_at) with its calls before and
    after: ReferralCounts' columns, then ``anchored_at``.

    A join from each referral to its dwelling's calls within the window either side of its
    anchor, grouped by referral: on PostgreSQL one range of the covering index (dwelling,
    received_at) INCLUDE (channel, final_police_attend) per referral (triage 0006), no
    call row read. The period is written on the two columns (not on their COALESCE) so
    that PostgreSQL estimates the referrals it selects.

    Measured on PostgreSQL (5M calls, 159,506 referrals, EXPLAIN ANALYZE on a 2-core box
    busy with other work): 1.3-1.7 s, nearly all of it the 159,506 index ranges (about 6
    buffers each; the index, 239 MB, is larger than the 128 MB of shared buffers); counted
    in a LATERAL subquery instead, 1.4-1.7 s; without the index's INCLUDE columns, 7.5 s
    (a call row read per call).
    """
    n = int(window.total_seconds())
    qn = connection.ops.quote_name
    calls, referrals = qn(Call._meta.db_table), qn(Referral._meta.db_table)
    before, after = "c.received_at <= r.anchored_at", "c.received_at > r.anchored_at"
    emergency, police = "c.channel = %(emergency)s", "c.final_police_attend = %(yes)s"

    def count(*conditions: str) -> str:
        return f"COUNT(c.id) FILTER (WHERE {' AND '.join(conditions)})"

    counts = (
        f"{count(before, emergency)} AS before_999, {count(before)} AS calls_before, "
        f"{count(after, emergency)} AS after_999, {count(after)} AS calls_after, "
        f"{count(before, police)} AS police_before, {count(after, police)} AS police_after"
    )
    near = (
        f"c.dwelling_id = r.dwelling_id AND c.received_at > {shifted('r.anchored_at', -n)} "
        f"AND c.received_at <= {shifted('r.anchored_at', n)}"
    )
    # Only table names and constants are formatted in; values are parameters.
    chosen = f"""
        SELECT id, dwelling_id, source, status, outcome,
               COALESCE(triggered_at, created_at) AS anchored_at
        FROM {referrals}
        WHERE ((triggered_at >= %(start_at)s AND triggered_at < %(end_at)s)
               OR (triggered_at IS NULL AND created_at >= %(start_at)s
                   AND created_at < %(end_at)s))
          {"AND source = %(source)s" if source else ""}"""  # noqa: S608
    complete = "r.anchored_at <= %(complete_by)s AS complete"
    return f"""
        SELECT r.id, r.dwelling_id, r.source, r.status, r.outcome, {complete}, {counts},
               r.anchored_at
        FROM ({chosen}) r
        LEFT JOIN {calls} c ON {near}
        GROUP BY r.id, r.dwelling_id, r.source, r.status, r.outcome, r.anchored_at"""  # noqa: S608


def _counted_params(
    *, start_at: datetime, end_at: datetime, window: timedelta, now: datetime, source: str
) -> dict:
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "start_at": adapt(start_at),
        "end_at": adapt(end_at),
        "complete_by": adapt(now - window),
        "emergency": Call.Channel.EMERGENCY.value,
        "yes": True,
        "source": source,
    }


def referral_counts(
    *, start_at: datetime, end_at: datetime, window: timedelta, now: datetime, source: str = ""
) -> list[ReferralCounts]:
    """Every referral anchored in [start_at, end_at), oldest first, with its calls before
    and after (see ``_counted_sql``). The rows carry no datetime (``referral_details``
    reads those for the referrals shown): at 160,000 referrals reading them took longer
    than the query."""
    params = _counted_params(
        start_at=start_at, end_at=end_at, window=window, now=now, source=source
    )
    sql = f"""
        SELECT {_COLUMNS} FROM ({_counted_sql(window=window, source=source)}) counted
        ORDER BY anchored_at, id"""  # noqa: S608
    with _bulk_rows(), transaction.atomic(), connection.cursor() as cursor:
        _report_settings(cursor)
        cursor.execute(sql, params)
        return _rows(cursor.fetchall())


def _rows(rows) -> list[ReferralCounts]:
    if connection.vendor == "sqlite":  # a comparison comes back as 0 or 1
        return [ReferralCounts(*row[:5], bool(row[5]), *row[6:]) for row in rows]
    return list(map(_counts, rows))


def cohort_cells(
    *,
    start_at: datetime,
    end_at: datetime,
    window: timedelta,
    now: datetime,
    source: str = "",
    top: int = DEFAULT_TOP,
    listings: list[Listing] = (),
) -> Cohort:
    """The referrals anchored in [start_at, end_at), counted once (``_counted_sql``) and
    answered in one statement as:

    - part 0, the cohort by how each referral closed: for complete referrals, how many had
      each (calls before, calls after), with their 999 calls and police deployments added
      up; incomplete ones only numbered. A few hundred rows where there are a hundred
      thousand referrals; totals, medians and the paired chart come from them;
    - part 1, the same by each kind of action taken (``NO_ACTION``: none recorded);
    - part 2, the top ``top`` complete referrals: most calls before, then most police
      deployments before, then the oldest;
    - part 3 + i, the referrals ``listings[i]`` asks for.

    The medians are taken from the cells (``_weighted_median``: as statistics.median over
    the values written out), so PostgreSQL and SQLite give the same figures.

    Raw SQL: one statement for every part over a MATERIALIZED count, which the ORM cannot
    say. Measured at 5M calls, 159,506 referrals (bench/bench_impact.py, the 2-core box at
    load 4-6 from other work): reading every referral's counts into Python and totalling
    them there, the report took 3.25 s of CPU (2.09 s PostgreSQL, 1.16 s Python; 5.3-5.7 s
    wall); answered this way, 1.7 s (PostgreSQL; Python 0.01 s; 2.1-2.6 s wall). Of the
    PostgreSQL time, about 1.1 s is the counting, 0.5 s the split by action.
    """
    qn = connection.ops.quote_name
    actions = qn(ReferralAction._meta.db_table)
    params = _counted_params(
        start_at=start_at, end_at=end_at, window=window, now=now, source=source
    )
    params.update(closed=Referral.Status.CLOSED.value, open=OPEN, none=NO_ACTION, top=top)
    # Every part has the same columns: the part, a group key, complete, a histogram cell
    # (Cell's fields), a rank and ReferralCounts' fields; a part fills what it answers and
    # leaves the rest NULL.
    cell = (
        "CASE WHEN complete THEN calls_before END AS b, "
        "CASE WHEN complete THEN calls_after END AS a, COUNT(*), SUM(before_999), "
        "SUM(after_999), SUM(police_before), SUM(police_after)"
    )
    no_cell = ", ".join(["NULL"] * 7)
    # Typed: PostgreSQL types a UNION's columns two parts at a time, and two NULLs are text.
    no_row = ", ".join(
        f"CAST(NULL AS {kind})"
        for kind in [
            "BIGINT",
            "BIGINT",
            "BIGINT",
            "TEXT",
            "TEXT",
            "TEXT",
            "BOOLEAN",
            *["BIGINT"] * 6,
        ]
    )

    def ranked(part: int, where: str, order: str, limit: str, offset: str) -> str:
        # The rows a part keeps are ranked again (a few hundred at most), so that the
        # answer is in order.
        return f"""SELECT {part}, NULL, NULL, {no_cell}, ROW_NUMBER() OVER (ORDER BY {order}),
                   {_COLUMNS}
            FROM (SELECT * FROM counted {where} ORDER BY {order}
                  LIMIT {limit} OFFSET {offset}) kept"""  # noqa: S608

    parts = [
        f"""SELECT 0, CASE WHEN status = %(closed)s THEN outcome ELSE %(open)s END AS k,
                   complete, {cell}, {no_row}
            FROM counted GROUP BY k, complete, b, a""",  # noqa: S608
        # One outer join for the kinds of action and none: a join and an anti-join, each
        # sorting or hashing every counted referral, took 0.44 s at 159,506 referrals.
        f"""SELECT 1, COALESCE(kinds.kind, %(none)s) AS k, complete, {cell}, {no_row}
            FROM counted LEFT JOIN (
                SELECT DISTINCT referral_id, kind FROM {actions}
            ) kinds ON kinds.referral_id = counted.id
            GROUP BY k, complete, b, a""",  # noqa: S608
        ranked(2, "WHERE complete", TOP_ORDER, "%(top)s", "0"),
    ]
    which = {None: "", True: "WHERE complete", False: "WHERE NOT complete"}
    for i, listing in enumerate(listings):
        params[f"limit{i}"], params[f"offset{i}"] = listing.limit, listing.offset
        parts.append(
            ranked(
                3 + i,
                which[listing.complete],
                ORDERS[listing.order],
                f"%(limit{i})s",
                f"%(offset{i})s",
            )
        )
    union = "\nUNION ALL\n".join(parts)
    # Only table names, constants and placeholders are formatted in; values are parameters.
    sql = f"""
        WITH counted AS MATERIALIZED ({_counted_sql(window=window, source=source)})
        {union}
        ORDER BY 1, 11"""  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        _report_settings(cursor)
        cursor.execute(sql, params)
        answer = cursor.fetchall()
    histograms = (Histogram({}, {}), Histogram({}, {}))
    listed: list[list] = [[] for _ in range(len(listings) + 1)]
    for part, key, complete, *values in answer:
        if part < 2:
            b, a, count, *sums = values[:7]
            histograms[part].add(key, complete, Cell(b, a, count, *(int(v or 0) for v in sums)))
        else:
            listed[part - 2].append(values[8:])
    top_rows, *listed_rows = (_rows(rows) for rows in listed)
    return Cohort(*histograms, top=top_rows, listed=listed_rows)


def _report_settings(cursor) -> None:
    """Let this transaction's grouping and sorting stay in memory (PostgreSQL): a year of
    referrals or of calls spilled to disk at the default 4 MB. No JIT: compiling the
    report's expressions took longer than running them: at 5M calls, 6.2-7.1 s of JIT
    compiling (the answer's estimated cost passes JIT's optimisation threshold) for a
    query that runs in under 2 s."""
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute("SET LOCAL jit = off")


@contextlib.contextmanager
def _bulk_rows():
    """No garbage collection while a hundred thousand rows are read: plain tuples hold no
    cycles, and the collector's passes over them were half the time spent reading them
    (bench_impact, 160,000 referrals: 0.31-0.41 s of CPU with it, 0.13-0.17 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def referral_details(
    rows: list[ReferralCounts], *, window_days: int, costs: UnitCosts
) -> list[ReferralImpact]:
    """The referrals of ``rows`` as pages show them, in the same order: one query for
    their dwellings and dates and one for their actions (in batches, for a CSV of every
    referral)."""
    window = timedelta(days=window_days)
    found, actions = {}, {}
    ids = [row.id for row in rows]
    for i in range(0, len(ids), DETAIL_BATCH):
        batch = ids[i : i + DETAIL_BATCH]
        details = (
            Referral.objects.filter(pk__in=batch)
            .annotate(anchored=_anchored())
            .values_list("pk", "dwelling__key", "dwelling__address", "triggered_at", "anchored")
        )
        found.update({row[0]: row[1:] for row in details})
        kinds = (
            ReferralAction.objects.filter(referral_id__in=batch)
            .values_list("referral_id", "kind")
            .distinct()
            .order_by()
        )
        for referral_id, kind in kinds:
            actions.setdefault(referral_id, set()).add(kind)
    shown = []
    for row in rows:
        if row.id not in found:
            continue  # erased since it was counted
        key, address, triggered_at, anchored_at = found[row.id]
        taken = actions.get(row.id, ())
        shown.append(
            ReferralImpact(
                counts=row,
                dwelling_key=key,
                dwelling_address=address,
                triggered_at=triggered_at,
                anchored_at=anchored_at,
                window_ends_at=anchored_at + window,
                actions=tuple(k for k in ReferralAction.Kind.values if k in taken),
                estimate=costs.estimate(
                    calls_before=row.calls_before,
                    calls_after=row.calls_after,
                    police_before=row.police_before,
                    police_after=row.police_after,
                ),
            )
        )
    return shown


# --- the comparison group --------------------------------------------------------------


def comparison_group(
    *, start_at: datetime, end_at: datetime, window: timedelta, now: datetime, policy: Policy
) -> Comparison:
    """Dwellings that came within one call of the trigger at a call in [start_at, end_at)
    and were not referred, with their calls before and after that call.

    One query: LAG over each dwelling's counted calls (in time order) finds the call
    ``threshold - 2`` back; where it is within the policy's window, this call brought the
    dwelling within one call of the trigger; the first such call in the period is the
    anchor (MIN over the dwelling's calls), around which its calls are counted as a
    referral's are; dwellings with a referral anchored by the end of their after-window are
    left out. Answers a histogram (complete, before, after, dwellings), a few hundred rows
    at most, from which the totals and medians are taken. Raw SQL: window functions, which
    the ORM cannot say.

    Over every dwelling the query reads every call of the period: 1.0-1.2 s at 1M calls,
    five times that at 5M (bench/bench_impact.py). Where PostgreSQL counts more than
    COMPARISON_SAMPLE dwellings, the group is drawn from a random sample of about that many
    (each dwelling equally likely; the same sample while the dwellings do not change), each
    sampled dwelling's calls read through the (dwelling, time) index: 0.2-0.3 s whatever the
    size. Its totals are the sample's; its medians and changes estimate the whole group's.

    The sample is drawn by the table's blocks (TABLESAMPLE SYSTEM: each block of dwellings,
    so each dwelling, with the same chance), reading 2% of the dwellings table rather than
    all of it as a row-by-row draw (BERNOULLI) does: at 1.25M dwellings that read was 0.32 s
    of the group's 1.1 s. Each near miss asks for its dwelling's referrals through their
    dwelling index (a scalar subquery): an anti-join hashed every referral (0.16 s at
    159,506). Measured: 1.1 s before these two changes, 0.49-0.66 s after (EXPLAIN ANALYZE, 5M
    calls, the busy 2-core box).
    """
    ops = connection.ops
    n = int(window.total_seconds())
    w = int(policy.window.total_seconds())
    back = policy.threshold - 2
    percent = _sample_percent()
    params = {
        "scan_from": ops.adapt_datetimefield_value(start_at - max(window, policy.window)),
        "scan_to": ops.adapt_datetimefield_value(end_at + window),
        "start_at": ops.adapt_datetimefield_value(start_at),
        "end_at": ops.adapt_datetimefield_value(end_at),
        "now": ops.adapt_datetimefield_value(now),
        "percent": percent,
    }
    if policy.channels >= frozenset(Call.Channel.values):
        counted, by_channel = "1", ""
    else:
        channels = sorted(policy.channels)
        marks = ", ".join(f"%(channel{i})s" for i in range(len(channels)))
        params.update({f"channel{i}": channel for i, channel in enumerate(channels)})
        counted = f"CASE WHEN c.channel IN ({marks}) THEN 1 ELSE 0 END"
        by_channel = f", {counted}"
    qn = connection.ops.quote_name
    calls, referrals = qn(Call._meta.db_table), qn(Referral._meta.db_table)
    scan = "c.received_at >= %(scan_from)s AND c.received_at < %(scan_to)s"
    if percent is None:
        lagged = f"""
            SELECT c.dwelling_id, c.received_at, {counted} AS counted,
                   LAG(c.received_at, {back}) OVER (
                       PARTITION BY c.dwelling_id{by_channel} ORDER BY c.received_at, c.id
                   ) AS first_at
            FROM {calls} c
            WHERE c.dwelling_id IS NOT NULL AND {scan}"""  # noqa: S608
    else:
        partition = f"PARTITION BY {counted} " if by_channel else ""
        lagged = f"""
            SELECT s.id AS dwelling_id, l.received_at, l.counted, l.first_at
            FROM (
                SELECT d.id FROM {qn(Dwelling._meta.db_table)} d
                TABLESAMPLE SYSTEM (%(percent)s) REPEATABLE ({SAMPLE_SEED})
            ) s
            CROSS JOIN LATERAL (
                SELECT c.received_at, {counted} AS counted,
                       LAG(c.received_at, {back}) OVER (
                           {partition}ORDER BY c.received_at, c.id
                       ) AS first_at
                FROM {calls} c
                WHERE c.dwelling_id = s.id AND {scan}
            ) l"""  # noqa: S608
    # Only table names, constants and placeholders are formatted in; values are parameters.
    sql = f"""
        WITH lagged AS ({lagged}
        ),
        marked AS (
            SELECT dwelling_id, received_at,
                   MIN(CASE WHEN counted = 1
                             AND first_at >= {shifted("received_at", -w)}
                             AND received_at >= %(start_at)s AND received_at < %(end_at)s
                            THEN received_at END)
                       OVER (PARTITION BY dwelling_id) AS anchor
            FROM lagged
        ),
        per AS (
            SELECT dwelling_id, anchor,
                   SUM(CASE WHEN received_at > {shifted("anchor", -n)} AND received_at <= anchor
                            THEN 1 ELSE 0 END) AS before,
                   SUM(CASE WHEN received_at > anchor AND received_at <= {shifted("anchor", n)}
                            THEN 1 ELSE 0 END) AS after
            FROM marked
            WHERE anchor IS NOT NULL
            GROUP BY dwelling_id, anchor
        ),
        kept AS (
            SELECT CASE WHEN {shifted("per.anchor", n)} <= %(now)s THEN 1 ELSE 0 END AS complete,
                   per.before, per.after
            FROM per
            WHERE (
                SELECT 1 FROM {referrals} r
                WHERE r.dwelling_id = per.dwelling_id
                  AND COALESCE(r.triggered_at, r.created_at) <= {shifted("per.anchor", n)}
                LIMIT 1
            ) IS NULL
        )
        SELECT complete, before, after, COUNT(*) FROM kept GROUP BY complete, before, after
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        _report_settings(cursor)
        cursor.execute(sql, params)
        histogram = cursor.fetchall()
    return _comparison(histogram, within=policy.threshold - 1, sample_percent=percent)


def _sample_percent() -> float | None:
    """The share of dwellings (%) to draw the comparison group from: None (all of them)
    unless PostgreSQL estimates more than COMPARISON_SAMPLE dwellings."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
            [Dwelling._meta.db_table],
        )
        row = cursor.fetchone()
    dwellings = row[0] if row else -1
    if dwellings <= COMPARISON_SAMPLE:  # -1: never analysed (a new, small table)
        return None
    return 100 * COMPARISON_SAMPLE / dwellings


def _comparison(histogram, *, within: int, sample_percent: float | None = None) -> Comparison:
    done = [(int(b), int(a), int(k)) for complete, b, a, k in histogram if complete]
    incomplete = sum(int(k) for complete, _, _, k in histogram if not complete)
    return Comparison(
        dwellings=sum(k for _, _, k in done),
        incomplete=incomplete,
        calls_before=sum(b * k for b, _, k in done),
        calls_after=sum(a * k for _, a, k in done),
        median_before=_weighted_median([(b, k) for b, _, k in done]),
        median_after=_weighted_median([(a, k) for _, a, k in done]),
        median_change=_weighted_median([(a - b, k) for b, a, k in done]),
        fell=sum(k for b, a, k in done if a < b),
        within=within,
        sample_percent=None if sample_percent is None else round(sample_percent, 2),
    )


def _weighted_median(pairs: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times): as statistics.median would
    give over the values written out."""
    total = sum(k for _, k in pairs)
    if not total:
        return None
    ordered = sorted(pairs)

    def nth(i: int) -> int:  # the i-th value (from 0) of the values written out
        seen = 0
        for value, k in ordered:
            seen += k
            if i < seen:
                return value
        raise IndexError(i)  # pragma: no cover - i < total

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2
