"""Dashboard figures about repeat callers, referrals and repeat-caller detection."""

from collections import defaultdict
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.urls import reverse

from callers.models import Dwelling
from referrals.models import DetectionRun, Referral

from ..models import DwellingDailyStat
from ..services import local_midnight, monday, repeat_share_days
from .tables import (
    AGE_BANDS,
    AGE_OLDEST,
    BUSIEST_CANDIDATES,
    PAGE_ROWS,
    TOP_DWELLINGS,
    Column,
    Table,
    Words,
    _pct,
)

# How a detection run was started, in words (DetectionRun.trigger; the CSV keeps the code).
TRIGGER_LABELS = {
    DetectionRun.NIGHTLY: "Nightly",
    "command": "Command line",
    "import": "After an import",
    "manual": "Started by hand",
    "bench": "Benchmark",
}


def _dwelling_words(pk: int, address: str | None) -> Words:
    """A dwelling by its standard address, linked to its page (which asks why first)."""
    if address is None:
        return Words("Erased", "(erased)")
    return Words(address, address, href=reverse("callers:dwelling-detail", args=[pk]))


class RepeatFigures:
    """Mixed into ``Dashboard``: needs ``period``, ``today``, ``_stats`` and ``_daily``."""

    # Repeat demand.

    @cached_property
    def _repeat_counts(self) -> dict[str, dict[date, int]]:
        """999 calls per week: all, and from dwellings referred by the end of that week."""
        all_999: dict[date, int] = defaultdict(int)
        for r in self._daily:
            if r["channel"] == "999":
                all_999[monday(r["day"])] += r["n"]
        referred: dict[date, int] = defaultdict(int)
        per_day = repeat_share_days(start=self.period.start, end=self.period.end, today=self.today)
        for day, n in per_day.items():
            referred[monday(day)] += n
        return {"all": all_999, "referred": referred}

    @cached_property
    def repeat_share(self) -> Table:
        counts = self._repeat_counts
        rows = []
        for week in self.period.weeks:
            total, referred = (
                counts["all"].get(week.monday, 0),
                counts["referred"].get(week.monday, 0),
            )
            rows.append(
                (
                    week.monday,
                    (week.last - week.first).days + 1,
                    total,
                    referred,
                    _pct(referred, total, 2),
                )
            )
        return Table(
            "repeat_share",
            "Repeat-caller share of 999 calls per week (Operation Farmington measure)",
            [
                Column("Week commencing", "date"),
                Column("Days in range", "int"),
                Column("999 calls", "int"),
                Column("From referred dwellings", "int"),
                Column("Repeat-caller share", "pct2"),
            ],
            rows,
            note=(
                "999 calls only, whatever the channel filter. A call counts when its dwelling "
                "had a referral (open or closed) triggered or created by the end of that week."
            ),
        )

    def _dwelling_counts(self, ids=None) -> list[dict]:
        stats = self._stats(DwellingDailyStat)
        if self.period.channel:
            stats = stats.filter(channel=self.period.channel)
        if ids is not None:
            stats = stats.filter(dwelling_id__in=ids)
        rows = (
            stats.values("dwelling_id")
            .annotate(n=Sum("calls"), n999=Sum("calls", filter=Q(channel="999")))
            .filter(n__gte=2)
            .order_by("-n", "dwelling_id")
        )
        return list(rows if ids is not None else rows[:TOP_DWELLINGS])

    @cached_property
    def _busiest(self) -> list[dict]:
        """The dwellings with the most calls (two or more) in the period, top 10.

        Ranking every dwelling would read about one aggregate row per call. Instead the
        candidates are the dwellings with the most repeat calls (see DwellingDailyStat);
        their exact counts add their other calls. A dwelling outside the candidates has at
        most the last candidate's repeat calls plus one call per 30 days (calls that are
        not repeat calls are over 30 days apart), so when the tenth count reaches that
        bound the list is exact; otherwise every dwelling is counted (slower, still exact).
        """
        stats = self._stats(DwellingDailyStat).filter(repeat=True)
        if self.period.channel:
            stats = stats.filter(channel=self.period.channel)
        ranked = stats.values("dwelling_id").annotate(r=Sum("calls")).order_by("-r", "dwelling_id")
        days = (self.period.end - self.period.start).days + 1
        most = list(ranked.values_list("dwelling_id", "r")[: BUSIEST_CANDIDATES[-1]])
        for limit in BUSIEST_CANDIDATES:
            candidates = most[:limit]
            counted = self._dwelling_counts([d for d, _ in candidates])[:TOP_DWELLINGS]
            bound = days // 30 + 1 + (candidates[-1][1] if len(candidates) == limit else 0)
            if len(counted) == TOP_DWELLINGS and counted[-1]["n"] >= bound:
                return counted
            if len(counted) < TOP_DWELLINGS and bound < 2:
                return counted
            if len(candidates) < limit:
                break  # more candidates would not lower the bound
        self.busiest_full_count = True
        return self._dwelling_counts()

    busiest_full_count = False  # set when the candidates could not prove the list exact

    @property
    def busiest_dwelling_ids(self) -> list[int]:
        return [r["dwelling_id"] for r in self._busiest]

    @cached_property
    def busiest_dwellings(self) -> Table:
        top = self._busiest
        ids = [r["dwelling_id"] for r in top]
        addresses = dict(Dwelling.objects.filter(pk__in=ids).values_list("pk", "address"))
        referrals: dict[int, str] = {}
        for dwelling_id, status in (
            Referral.objects.filter(dwelling_id__in=ids)
            .order_by("created_at", "id")
            .values_list("dwelling_id", "status")
        ):
            referrals[dwelling_id] = Referral.Status(status).label  # the newest wins
        rows = [
            (
                _dwelling_words(r["dwelling_id"], addresses.get(r["dwelling_id"])),
                r["n"],
                r["n999"] or 0,
                r["n"] - (r["n999"] or 0),
                referrals.get(r["dwelling_id"]) or Words("No referral", "none"),
            )
            for r in top
        ]
        return Table(
            "busiest_dwellings",
            f"Busiest dwellings in the period (top {TOP_DWELLINGS}, two calls or more)",
            [
                Column("Dwelling"),
                Column("Calls", "int"),
                Column("999", "int"),
                Column("101", "int"),
                Column("Latest referral"),
            ],
            rows,
            empty="No dwelling had two calls or more in this period.",
        )

    @cached_property
    def referral_backlog(self) -> Table:
        # Age in whole London days since created: "under 7 days" is created on or after the
        # day six days ago.
        aggregates = {}
        for lo, hi, _ in AGE_BANDS:
            newer = local_midnight(self.today - timedelta(days=lo - 1)) if lo else None
            older = local_midnight(self.today - timedelta(days=hi - 1))
            condition = Q(created_at__gte=older)
            if newer is not None:
                condition &= Q(created_at__lt=newer)
            aggregates[f"b{lo}"] = Count("id", filter=condition)
        oldest = local_midnight(self.today - timedelta(days=AGE_BANDS[-1][1] - 1))
        aggregates["old"] = Count("id", filter=Q(created_at__lt=oldest))
        per_status = {
            r["status"]: r
            for r in Referral.objects.open().values("status").annotate(**aggregates).order_by()
        }
        keys = [f"b{lo}" for lo, _, _ in AGE_BANDS] + ["old"]
        rows = []
        for status in Referral.Status:
            if status == Referral.Status.CLOSED:
                continue
            r = per_status.get(status.value, {})
            values = [r.get(k, 0) for k in keys]
            rows.append((status.label, *values, sum(values)))
        totals = [sum(row[i] for row in rows) for i in range(1, len(keys) + 2)]
        return Table(
            "referral_backlog",
            "Referral backlog now: open referrals by status and age",
            [
                Column("Status"),
                *[Column(label, "int") for _, _, label in AGE_BANDS],
                Column(AGE_OLDEST, "int"),
                Column("Total", "int"),
            ],
            rows,
            total=("All open", *totals),
            note="Age is whole London days since the referral was created; not limited by the dates.",
        )

    @property
    def _overdue(self):
        return Referral.objects.open().filter(review_due__lt=self.today)

    @cached_property
    def reviews_overdue(self) -> Table:
        return self.reviews_overdue_list(limit=PAGE_ROWS)

    def reviews_overdue_list(self, *, limit: int | None) -> Table:
        overdue = self._overdue.select_related("assignee").order_by("review_due", "id")
        rows = [
            (
                Words(
                    f"Referral {r.pk}", f"#{r.pk}", href=reverse("referrals:detail", args=[r.pk])
                ),
                r.get_status_display(),
                r.get_source_display(),
                r.assignee.get_username() if r.assignee else "(shared)",
                r.review_due,
                (self.today - r.review_due).days,
            )
            for r in (overdue if limit is None else overdue[:limit])
        ]
        return Table(
            "reviews_overdue",
            "Reviews overdue (review date before today)",
            [
                Column("Referral"),
                Column("Status"),
                Column("Source"),
                Column("Assignee"),
                Column("Review due", "date"),
                Column("Days overdue", "int"),
            ],
            rows,
            note=f"Oldest first; the page shows {PAGE_ROWS}, the CSV every row.",
            empty="No review is overdue.",
        )

    @cached_property
    def reviews_overdue_count(self) -> int:
        return self._overdue.count()

    # Detection runs.

    @cached_property
    def _runs(self) -> list[DetectionRun]:
        return list(DetectionRun.objects.order_by("-started_at", "-id")[:10])

    @cached_property
    def detection_runs(self) -> Table:
        runs = self._runs
        rows = [
            (
                run.started_at,
                run.finished_at,
                run.duration,
                run.get_status_display(),
                Words(TRIGGER_LABELS.get(run.trigger, run.trigger.capitalize()), run.trigger),
                run.calls_scanned,
                run.referrals_opened,
            )
            for run in runs
        ]
        return Table(
            "detection_runs",
            "Repeat-caller detection runs (latest 10)",
            [
                Column("Started", "datetime"),
                Column("Finished", "datetime"),
                Column("Duration", "duration"),
                Column("Status"),
                Column("Trigger"),
                Column("Calls scanned", "int"),
                Column("Referrals opened", "int"),
            ],
            rows,
            empty="No detection run recorded yet.",
        )

    @cached_property
    def last_run(self) -> DetectionRun | None:
        """The last nightly run: not a command's or an import's run, nor a duplicate that
        was skipped because another run was going."""
        nightly = [run for run in self._runs if _nightly(run)]
        if nightly:
            return nightly[0]
        return (
            DetectionRun.objects.filter(trigger=DetectionRun.NIGHTLY)
            .exclude(status=DetectionRun.Status.SKIPPED)
            .order_by("-started_at", "-id")
            .first()
        )


def _nightly(run: DetectionRun) -> bool:
    return run.trigger == DetectionRun.NIGHTLY and run.status != DetectionRun.Status.SKIPPED
