"""Reads for the supervisor dashboards: every figure as a table, from the daily aggregates.

This module: the figures about calls (demand, RCRP, decisions). ``repeat``: repeat
callers, referrals and detection runs; ``Dashboard`` (the package) combines them.

Definitions (shown on the page too):
- A day is a Europe/London day; a week starts on Monday. A week cut by the date range is
  "partial" and counts only its days inside the range.
- Decided: the call has a decision (``final_police_attend`` is set). Rates use decided
  calls; undecided calls count as demand only.
- Diversion rate: decided calls where police did not attend ÷ decided calls.
- Officer hours saved: diverted calls × the average deployment time (supervisor-set).
- Override rate: calls whose current decision overrode the suggestion ÷ decided calls.
  "By handler" is the handler who took the call.
- Downgraded: the call's current decision is marked downgraded (police suggested but not
  sent, or the grade lowered on re-assessment).
- Repeat-caller share (Operation Farmington): 999 calls in a week from dwellings referred
  by the end of that week ÷ all 999 calls that week. A dwelling is referred from the moment
  its first referral, open or since closed, was triggered (the call that completed 3 calls
  in 30 days) or, for a manual referral, created. A referral made later never changes the
  figure for an earlier week.
- Referral backlog: referrals not closed, now (not limited by the dates), by status and by
  age since created. Reviews overdue: open referrals whose review date is before today.
"""

from collections import defaultdict
from datetime import date, timedelta
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum
from django.urls import reverse

from triage.engine import load_default_document, rule_titles
from triage.engine.words import agency_label, fact_value_label
from triage.models import Decision, RuleSet

from ..models import DailyCallStat, HandlerDailyStat, HourlyCallStat
from .tables import CHANNELS, PAGE_ROWS, Column, Period, Table, Words, _label, _pct


def agency_words(code: str) -> Words:
    """An agency: its plain name on the page, the export's text in the CSV."""
    return Words(agency_label(code) or "None", _label(code))


def concern_words(code: str) -> Words:
    return Words(fact_value_label("concern_type", code) if code else "Not recorded", _label(code))


def _decided_agency(code: str, police: bool) -> Words:
    """A suggested or final agency in the override list: words, and whether police go."""
    with_police = police and "POLICE" not in code  # "Police and ambulance" says it already
    return Words(
        agency_label(code) + (", with police attending" if with_police else ""),
        _label(code) + (" (police)" if police else ""),
    )


def _override_rate_order(row):
    """Highest override rate first (rules with no decided call last), then most decided."""
    rate = row[4]
    return (rate is None, -(rate or 0), -row[2], row[0].text)


class CallFigures:
    """The figures about calls, from the daily aggregates; the base of ``Dashboard``."""

    TABLES = (
        "demand_daily",
        "demand_weekly",
        "demand_hourly",
        "demand_strand",
        "agency",
        "agency_matrix",
        "diversion_daily",
        "diversion_weekly",
        "overrides_by_rule",
        "overrides_by_handler",
        "overrides_list",
        "repeat_share",
        "busiest_dwellings",
        "referral_backlog",
        "reviews_overdue",
        "detection_runs",
    )

    def __init__(self, period: Period, *, today: date):
        self.period = period
        self.today = today

    def table(self, name: str, *, full: bool = False) -> Table:
        """A table by name; ``full`` lifts the on-screen row limit (for CSV exports)."""
        if name not in self.TABLES:
            raise KeyError(name)
        if name == "overrides_list":
            return self.overrides_list(limit=None if full else PAGE_ROWS)
        if name == "reviews_overdue":
            return self.reviews_overdue_list(limit=None if full else PAGE_ROWS)
        return getattr(self, name)

    @cached_property
    def rule_titles(self) -> dict[str, str]:
        """Each rule's plain title by id: from the shipped rules, then every version that
        suggested calls, oldest first, so the live version's title wins (one query)."""
        titles = rule_titles(load_default_document())
        versions = RuleSet.objects.exclude(status=RuleSet.Status.DRAFT).values_list(
            "status", "created_at", "document"
        )
        live = RuleSet.Status.PUBLISHED
        for _, _, document in sorted(versions, key=lambda v: (v[0] == live, v[1])):
            titles.update(rule_titles(document))
        return titles

    def rule_words(self, rule_id: str) -> Words:
        """A rule as people read it: its title, with its id as a small secondary label."""
        title = self.rule_titles.get(rule_id)
        if not rule_id:
            return Words("No rule recorded", "")
        return Words(title, rule_id, secondary=rule_id) if title else Words(rule_id, rule_id)

    # The aggregate reads: one query each, shared by the tables below. The channel filter
    # is applied here in Python so the repeat-caller share can still read 999 demand.

    def _stats(self, model):
        return model.objects.filter(day__gte=self.period.start, day__lte=self.period.end)

    @cached_property
    def _daily(self) -> list[dict]:
        return list(
            self._stats(DailyCallStat)
            .values("day", "channel", "decided", "final_police_attend", "overridden", "downgraded")
            .annotate(n=Sum("calls"))
            .order_by()
        )

    @cached_property
    def _outcomes(self) -> list[dict]:
        rows = (
            self._stats(DailyCallStat)
            .values(
                "channel",
                "concern_type",
                "rule_id",
                "suggested_agency",
                "decided",
                "final_agency",
                "final_police_attend",
                "overridden",
                "downgraded",
            )
            .annotate(n=Sum("calls"))
            .order_by()
        )
        return self._in_channel(rows)

    def _in_channel(self, rows):
        return [r for r in rows if r["channel"] in self.period.channels and r["n"]]

    # Headline figures.

    @cached_property
    def totals(self) -> dict:
        rows = self._in_channel(self._daily)
        calls = sum(r["n"] for r in rows)
        decided = sum(r["n"] for r in rows if r["decided"])
        diverted = sum(r["n"] for r in rows if r["decided"] and not r["final_police_attend"])
        overridden = sum(r["n"] for r in rows if r["decided"] and r["overridden"])
        downgraded = sum(r["n"] for r in rows if r["decided"] and r["downgraded"])
        by_channel = {c: sum(r["n"] for r in rows if r["channel"] == c) for c in CHANNELS}
        repeat = self._repeat_counts
        return {
            "calls": calls,
            "by_channel": by_channel,
            "decided": decided,
            "undecided": calls - decided,
            "diverted": diverted,
            "diversion_rate": _pct(diverted, decided),
            "hours": self.period.hours,
            "hours_saved": diverted * self.period.hours,
            "overridden": overridden,
            "override_rate": _pct(overridden, decided),
            "downgraded": downgraded,
            "repeat_calls": sum(repeat["referred"].values()),
            "repeat_999": sum(repeat["all"].values()),
            "repeat_share": _pct(sum(repeat["referred"].values()), sum(repeat["all"].values()), 2),
        }

    # Demand.

    def _per_day(self, rows) -> dict[date, dict[str, int]]:
        per_day: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CHANNELS, 0))
        for r in rows:
            per_day[r["day"]][r["channel"]] += r["n"]
        return per_day

    def _channel_columns(self):
        return [Column(c, "int") for c in self.period.channels] + (
            [Column("Total", "int")] if not self.period.channel else []
        )

    def _channel_values(self, counts: dict[str, int]) -> list[int]:
        values = [counts[c] for c in self.period.channels]
        return values + ([sum(values)] if not self.period.channel else [])

    @cached_property
    def demand_daily(self) -> Table:
        per_day = self._per_day(self._in_channel(self._daily))
        rows = [(d, *self._channel_values(per_day[d])) for d in self.period.days]
        return Table(
            "demand_daily", "Calls per day", [Column("Day", "date"), *self._channel_columns()], rows
        )

    @cached_property
    def demand_weekly(self) -> Table:
        per_day = self._per_day(self._in_channel(self._daily))
        rows = []
        for week in self.period.weeks:
            counts = dict.fromkeys(CHANNELS, 0)
            day = week.first
            while day <= week.last:
                for c in CHANNELS:
                    counts[c] += per_day[day][c]
                day += timedelta(days=1)
            rows.append(
                (week.monday, (week.last - week.first).days + 1, *self._channel_values(counts))
            )
        return Table(
            "demand_weekly",
            "Calls per week (weeks start on Monday)",
            [
                Column("Week commencing", "date"),
                Column("Days in range", "int"),
                *self._channel_columns(),
            ],
            rows,
            note="A week cut by the date range counts only its days inside the range.",
        )

    @cached_property
    def demand_hourly(self) -> Table:
        rows = (
            self._stats(HourlyCallStat)
            .values("hour", "channel")
            .annotate(n=Sum("calls"))
            .order_by()
        )
        per_hour: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CHANNELS, 0))
        for r in self._in_channel(rows):
            per_hour[r["hour"]][r["channel"]] += r["n"]
        return Table(
            "demand_hourly",
            "Calls by hour of day (London time)",
            [Column("Hour"), *self._channel_columns()],
            [(f"{h:02d}:00–{h:02d}:59", *self._channel_values(per_hour[h])) for h in range(24)],
        )

    @cached_property
    def demand_strand(self) -> Table:
        per_strand: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CHANNELS, 0))
        for r in self._outcomes:
            per_strand[r["concern_type"]][r["channel"]] += r["n"]
        total = sum(sum(v.values()) for v in per_strand.values())
        rows = sorted(
            (
                (concern_words(s), *self._channel_values(v), _pct(sum(v.values()), total))
                for s, v in per_strand.items()
            ),
            key=lambda row: (-row[-2], row[0].export),
        )
        return Table(
            "demand_strand",
            "Calls by strand (concern type)",
            [Column("Strand"), *self._channel_columns(), Column("Share", "pct")],
            rows,
        )

    # RCRP.

    @cached_property
    def agency(self) -> Table:
        suggested: dict[str, int] = defaultdict(int)
        final: dict[str, int] = defaultdict(int)
        suggested_decided: dict[str, int] = defaultdict(int)
        for r in self._outcomes:
            suggested[r["suggested_agency"]] += r["n"]
            if r["decided"]:
                suggested_decided[r["suggested_agency"]] += r["n"]
                final[r["final_agency"]] += r["n"]
        agencies = sorted(set(suggested) | set(final), key=lambda a: (-suggested.get(a, 0), a))
        rows = [
            (
                agency_words(a),
                suggested.get(a, 0),
                suggested_decided.get(a, 0),
                final.get(a, 0),
                final.get(a, 0) - suggested_decided.get(a, 0),
            )
            for a in agencies
        ]
        return Table(
            "agency",
            "RCRP: suggested agency and final agency",
            [
                Column("Agency"),
                Column("Suggested (all calls)", "int"),
                Column("Suggested (decided calls)", "int"),
                Column("Final (decided calls)", "int"),
                Column("Final − suggested", "int"),
            ],
            rows,
            note="Final agency is the current decision; undecided calls have none.",
        )

    @cached_property
    def agency_matrix(self) -> Table:
        cells: dict[tuple[str, str], int] = defaultdict(int)
        for r in self._outcomes:
            if r["decided"]:
                cells[(r["suggested_agency"], r["final_agency"])] += r["n"]
        suggested = sorted({s for s, _ in cells})
        finals = sorted({f for _, f in cells})
        rows = []
        for s in suggested:
            values = [cells.get((s, f), 0) for f in finals]
            rows.append((agency_words(s), *values, sum(values)))
        # The cells where the final agency is the one suggested: the suggestion was kept.
        kept = frozenset((r, 1 + finals.index(s)) for r, s in enumerate(suggested) if s in finals)
        return Table(
            "agency_matrix",
            "Suggested agency (rows) against final agency (columns), decided calls",
            [
                Column("Suggested (rows), final (columns)", export_label="Suggested \\ final"),
                *[Column(agency_label(f), "int", export_label=_label(f)) for f in finals],
                Column("Total", "int"),
            ],
            rows,
            note=(
                "Each row is the agency suggested; each column the agency finally chosen. "
                "Highlighted cells are calls where the suggestion was kept."
            ),
            empty="No call in this period has a decision yet, so there is nothing to compare.",
            marked=kept,
        )

    def _diversion_row(self, label, rows):
        decided = sum(r["n"] for r in rows if r["decided"])
        diverted = sum(r["n"] for r in rows if r["decided"] and not r["final_police_attend"])
        return (
            label,
            sum(r["n"] for r in rows),
            decided,
            diverted,
            _pct(diverted, decided),
            diverted * self.period.hours,
        )

    def _diversion_columns(self, first: Column):
        return [
            first,
            Column("Calls", "int"),
            Column("Decided", "int"),
            Column("Police did not attend", "int"),
            Column("Diversion rate", "pct"),
            Column(f"Officer hours saved (× {self.period.hours_label} h)", "hours"),
        ]

    @cached_property
    def _daily_by_day(self) -> dict[date, list[dict]]:
        by_day: dict[date, list[dict]] = defaultdict(list)
        for r in self._in_channel(self._daily):
            by_day[r["day"]].append(r)
        return by_day

    @cached_property
    def diversion_daily(self) -> Table:
        rows = [self._diversion_row(d, self._daily_by_day.get(d, [])) for d in self.period.days]
        return Table(
            "diversion_daily",
            "Diversion rate per day (police did not attend)",
            self._diversion_columns(Column("Day", "date")),
            rows,
        )

    @cached_property
    def diversion_weekly(self) -> Table:
        rows = []
        for week in self.period.weeks:
            days = [
                week.first + timedelta(days=i) for i in range((week.last - week.first).days + 1)
            ]
            rows.append(
                self._diversion_row(
                    week.monday, [r for d in days for r in self._daily_by_day.get(d, [])]
                )
            )
        return Table(
            "diversion_weekly",
            "Diversion rate and officer hours saved per week",
            self._diversion_columns(Column("Week commencing", "date")),
            rows,
            total=self._diversion_row("Total", self._in_channel(self._daily)),
        )

    # Decisions.

    @cached_property
    def overrides_by_rule(self) -> Table:
        per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for r in self._outcomes:
            counts = per_rule[r["rule_id"]]
            counts[0] += r["n"]
            if r["decided"]:
                counts[1] += r["n"]
                counts[2] += r["n"] if r["overridden"] else 0
                counts[3] += r["n"] if r["downgraded"] else 0
        rows = sorted(
            (
                (self.rule_words(rule), calls, decided, over, _pct(over, decided), down)
                for rule, (calls, decided, over, down) in per_rule.items()
            ),
            key=_override_rate_order,
        )
        return Table(
            "overrides_by_rule",
            "Override rate by rule (highest first)",
            [
                Column("Rule"),
                Column("Calls", "int"),
                Column("Decided", "int"),
                Column("Overridden", "int"),
                Column("Override rate", "pct"),
                Column("Downgraded", "int"),
            ],
            rows,
            note="Rules in order of override rate; rules with no decided call come last.",
            total=(
                "All rules",
                self.totals["calls"],
                self.totals["decided"],
                self.totals["overridden"],
                self.totals["override_rate"],
                self.totals["downgraded"],
            ),
        )

    @cached_property
    def overrides_by_handler(self) -> Table:
        rows = (
            self._stats(HandlerDailyStat)
            .values("handler_id", "channel", "decided", "overridden")
            .annotate(n=Sum("calls"))
            .order_by()
        )
        per_handler: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in self._in_channel(rows):
            counts = per_handler[r["handler_id"]]
            counts[0] += r["n"]
            if r["decided"]:
                counts[1] += r["n"]
                counts[2] += r["n"] if r["overridden"] else 0
        names = dict(
            get_user_model()
            .objects.filter(pk__in=[h for h in per_handler if h])
            .values_list("pk", get_user_model().USERNAME_FIELD)
        )
        table_rows = sorted(
            (
                (
                    names.get(h, f"user {h}") if h else "(no handler)",
                    calls,
                    decided,
                    over,
                    _pct(over, decided),
                )
                for h, (calls, decided, over) in per_handler.items()
            ),
            key=lambda row: (-row[2], row[0]),
        )
        return Table(
            "overrides_by_handler",
            "Override rate by handler (who took the call)",
            [
                Column("Handler"),
                Column("Calls", "int"),
                Column("Decided", "int"),
                Column("Overridden", "int"),
                Column("Override rate", "pct"),
            ],
            table_rows,
        )

    def overrides_list(self, *, limit: int | None = PAGE_ROWS) -> Table:
        decisions = (
            Decision.objects.filter(Q(accepted=False) | Q(downgraded=True))
            .filter(
                call__received_at__gte=self.period.start_at,
                call__received_at__lt=self.period.end_at,
                # True of every call with a decision (call_decide sets it); said so that
                # PostgreSQL walks the decided calls' index (call_decided_time), not the
                # undecided calls too.
                call__decided_at__isnull=False,
            )
            .select_related("call", "decided_by")
            .order_by("-call__received_at", "-id")
        )
        if self.period.channel:
            decisions = decisions.filter(call__channel=self.period.channel)
        if limit is not None:
            decisions = decisions[:limit]
        rows = (
            (
                d.call.received_at,
                Words(
                    f"Call {d.call_id}",
                    str(d.call_id),
                    href=reverse("triage:call-detail", args=[d.call_id]),
                ),
                d.call.channel,
                self.rule_words(d.call.rule_id),
                _decided_agency(d.call.suggested_agency, d.call.suggested_police_attend),
                _decided_agency(d.final_agency, d.final_police_attend),
                Words("Overridden", "override") if not d.accepted else "",
                Words("Downgraded", "downgraded") if d.downgraded else "",
                d.get_override_reason_display() if d.override_reason else "",
                d.decided_by.get_username() if d.decided_by else "",
                d.decided_at,
            )
            for d in (decisions if limit is not None else decisions.iterator(chunk_size=2000))
        )
        return Table(
            "overrides_list",
            "Overridden and downgraded decisions on calls received in the period",
            [
                Column("Received", "datetime"),
                Column("Call"),
                Column("Channel"),
                Column("Rule"),
                Column("Suggested"),
                Column("Final"),
                Column("Override"),
                Column("Downgrade"),
                Column("Reason"),
                Column("Decided by"),
                Column("Decided", "datetime"),
            ],
            list(rows) if limit is not None else rows,
            note=f"Newest first; the page shows {PAGE_ROWS}, the CSV every row.",
        )
