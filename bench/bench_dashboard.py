"""Supervisor dashboard server time on a realistic volume of calls in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench \\
        python bench/bench_dashboard.py [--calls 1000000] [--requests 40] [--explain]

Seeds the database with bench/seed.py (reused when already seeded with the same volume),
opens referrals with the repeat-caller detection when there are none, rebuilds the
dashboard aggregates (timed), then requests the dashboard in process through the whole
Django stack (middleware, session, role check, queries, templates, SVG) as a logged-in
supervisor, over a mix of date ranges and channel filters, and prints p50/p95 per range and
overall, for the page and for the busiest-dwellings panel it loads after itself (htmx).
Targets: page p95 < 500 ms at 1M calls, < 1.5 s at 5M. Exits 1 when missed.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from seed import ensure_seeded, setup_django  # noqa: E402

from bench.workload import percentile  # noqa: E402

TARGETS_MS = {1_000_000: 500, 5_000_000: 1500}
# (label, days, weight): most views are the default 28 days; some look back further.
RANGES = (("7 days", 7, 2), ("28 days", 28, 4), ("90 days", 90, 2), ("365 days", 365, 2))


def supervisor():
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username="bench_supervisor")
    user.groups.add(Group.objects.get_or_create(name="supervisor")[0])
    return user


def ensure_referrals(out):
    from django.core.management import call_command
    from django.db import connection

    from referrals.models import Referral

    if not Referral.objects.exists():
        t = time.perf_counter()
        call_command("detect_repeat_callers", "--full-history", stdout=out)
        print(f"detection (full history): {time.perf_counter() - t:.1f} s", file=out)
    with connection.cursor() as cur:  # as autovacuum would after a bulk of new referrals
        cur.execute(f"ANALYZE {Referral._meta.db_table}")
    print(f"referrals: {Referral.objects.count():,}", file=out)


def requests_plan(n: int, today, rng: random.Random) -> list[tuple[str, str]]:
    """(label, query string) for n requests: varied ranges, end dates and channels."""
    weighted = [r for r in RANGES for _ in range(r[2])]
    plan = []
    for i in range(n):
        label, days, _ = weighted[i % len(weighted)]
        end = today - timedelta(days=0 if i % 3 == 0 else rng.randint(0, 300 - days // 2))
        start = end - timedelta(days=days - 1)
        channel = ("", "", "999", "101")[i % 4]
        query = f"start={start}&end={end}" + (f"&channel={channel}" if channel else "")
        plan.append((label, query))
    return plan


def explain(out):
    """EXPLAIN ANALYZE of the three slowest queries behind a year-long view and its panel."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dashboards.selectors import Dashboard, Period

    today = timezone.localdate()
    dash = Dashboard(Period(today - timedelta(days=364), today), today=today)
    with CaptureQueriesContext(connection) as ctx:
        for name in Dashboard.TABLES:
            dash.table(name)
    slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for q in slowest:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            plan = "\n".join(r[0] for r in cur.fetchall())
        print(f"\n--- {q['time']} s: {q['sql'][:100]}...\n{plan}", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true", help="aggregates already built")
    args = parser.parse_args(argv)
    out = sys.stdout

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from dashboards.models import (
        DailyCallStat,
        DwellingDailyStat,
        HandlerDailyStat,
        HourlyCallStat,
        RepeatDayStat,
    )

    models = (DailyCallStat, HourlyCallStat, HandlerDailyStat, DwellingDailyStat)

    ensure_seeded(calls=args.calls, days=args.days, out=out)
    ensure_referrals(out)
    if not args.skip_rebuild or not DailyCallStat.objects.exists():
        t = time.perf_counter()
        call_command("rebuild_dashboard_stats", stdout=out)
        print(f"rebuild_dashboard_stats: {time.perf_counter() - t:.1f} s", file=out)
        with connection.cursor() as cur:
            for model in models:
                # As autovacuum would: statistics, and the visibility map for index-only scans.
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    print(
        "aggregate rows: " + ", ".join(f"{m.__name__} {m.objects.count():,}" for m in models),
        file=out,
    )
    if args.explain:
        explain(out)

    client = Client(HTTP_HOST="localhost")
    client.force_login(supervisor())
    url = reverse("dashboards:home")
    today = timezone.localdate()
    # The first views after a rebuild fill the repeat-share day cache: timed apart.
    RepeatDayStat.objects.all().delete()
    for label, query in (
        ("28 days", ""),
        ("365 days", f"start={today - timedelta(days=364)}&end={today}"),
    ):
        started = time.perf_counter()
        assert client.get(f"{url}?{query}").status_code == 200
        took = (time.perf_counter() - started) * 1000
        print(f"first view, cold cache, {label}: {took:.0f} ms", file=out)

    timings: dict[str, list[float]] = {}
    panel: dict[str, list[float]] = {}
    busiest = reverse("dashboards:busiest")
    for label, query in requests_plan(args.requests, today, random.Random(5)):
        started = time.perf_counter()
        response = client.get(f"{url}?{query}")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        timings.setdefault(label, []).append(elapsed)
        # The busiest-dwellings panel the page loads after itself (htmx).
        started = time.perf_counter()
        response = client.get(f"{busiest}?{query}", headers={"HX-Request": "true"})
        assert response.status_code == 200, response.status_code
        panel.setdefault(label, []).append((time.perf_counter() - started) * 1000)

    def line(label, values):
        return (
            f"{label:<10} n={len(values):>3}  p50 {statistics.median(values):7.1f} ms  "
            f"p95 {percentile(values, 95):7.1f} ms  max {max(values):7.1f} ms"
        )

    every = [v for values in timings.values() for v in values]
    print(f"\nDashboard server time, {args.calls:,} calls over {args.days} days:", file=out)
    for label, _, _ in RANGES:
        if label in timings:
            print("  " + line(label, timings[label]), file=out)
    print("  " + line("all", every), file=out)
    print("The busiest-dwellings panel (loaded after the page):", file=out)
    for label, _, _ in RANGES:
        if label in panel:
            print("  " + line(label, panel[label]), file=out)
    print("  " + line("all", [v for values in panel.values() for v in values]), file=out)
    print("Page and panel together:", file=out)
    both = {
        label: [a + b for a, b in zip(timings[label], panel[label], strict=True)]
        for label in timings
    }
    for label, _, _ in RANGES:
        if label in both:
            print("  " + line(label, both[label]), file=out)
    print("  " + line("all", [v for values in both.values() for v in values]), file=out)

    pack = []
    for weeks_ago in range(1, 11):
        week = today - timedelta(days=7 * weeks_ago)
        started = time.perf_counter()
        assert client.get(f"{reverse('dashboards:pack')}?week={week}").status_code == 200
        pack.append((time.perf_counter() - started) * 1000)
    print("  " + line("pack", pack), file=out)

    target = TARGETS_MS.get(args.calls)
    p95 = percentile(every, 95)
    if target is not None:
        verdict = "met" if p95 < target else "MISSED"
        print(f"\ntarget p95 < {target} ms: {verdict} ({p95:.0f} ms)", file=out)
        if p95 >= target:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
