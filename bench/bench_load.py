"""Load: concurrent handlers taking calls and supervisors polling the dashboard, against
gunicorn + PostgreSQL on loopback, then the nightly detection on the same database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench \\
        python bench/bench_load.py [--seed 1000000] [--handlers 50] [--supervisors 20] \\
        [--rate 0] [--duration 30] [--workers N] [--known 20000] [--new 2000] \\
        [--url http://127.0.0.1:8001]

Starts gunicorn itself (unless --url names a running server), logs the simulated users in
by creating their sessions, then runs for --duration seconds: each supervisor GETs
/dashboard/ every --poll seconds; each handler POSTs /api/calls/

- back to back (--rate 0, the default: a closed loop, so latency = handlers / throughput
  once the server is saturated), or
- on a schedule that adds up to --rate calls per second across the handlers (an open loop:
  each call's latency runs from the moment it was due, so a server that falls behind is
  charged for the wait too).

The calls come from --known addresses of dwellings already on file (sampled afresh each
run, so that repeated runs do not pile calls onto the same few homes) and --new addresses
typed for the first time; the facts are random and valid.

Prints intake throughput, intake latency p50/p95/p99, dashboard p95, errors and where the
CPU went over the window (cores busy for gunicorn, PostgreSQL and the load generator, and
each one's CPU per intake; read from /proc, so Linux only); then times
the nightly detection run (the last 30 days) and a full-history re-detection. With --seed N
it first bulk-loads N calls with bench/seed.py (use another DATABASE_URL for 5M). A database
first gets a full-history detection run (a backfill the first time), so that the nightly
figure is the steady state, and once, the dashboard aggregates of its seeded history
(rebuild_dashboard_stats), so that the supervisors read a year of figures as in service.
Not a test: it prints figures.
"""

import argparse
import asyncio
import json
import os
import random
import runpy
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.workload import call_body, cpu_snapshot, cpu_window, percentile  # noqa: E402


def prepare_users(handlers: int, supervisors: int) -> tuple[list[str], list[str]]:
    """Bench users and ready-made sessions (no password round trips in the measurement)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    from triage.services import ruleset_ensure_default

    ruleset_ensure_default()

    def sessions(prefix, group, n):
        keys = []
        role = Group.objects.get(name=group)
        for i in range(n):
            user, _ = User.objects.get_or_create(username=f"{prefix}{i}")
            user.groups.add(role)
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "core.auth.RoleAwareBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            keys.append(store.session_key)
        return keys

    return sessions("bench-handler-", "call_handler", handlers), sessions(
        "bench-supervisor-", "supervisor", supervisors
    )


class Connection:
    """A minimal HTTP/1.1 keep-alive client: cheap enough not to starve the server."""

    def __init__(self, host, port, cookie):
        self.host, self.port, self.cookie = host, port, cookie
        self.reader = self.writer = None

    async def request(self, method, path, body=b"", headers=()):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Cookie: {self.cookie}",
            f"Content-Length: {len(body)}",
            *headers,
        ]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.writer = None
        return status


async def drive(args, host, port, handler_sessions, supervisor_sessions, bodies):
    csrf = secrets.token_hex(16)
    intake, dashboard, errors = [], [], []
    # Calls during the warm-up (each worker's first requests load the app) are not timed.
    measured_from = time.perf_counter() + args.warmup
    deadline = measured_from + args.duration

    # Open loop: each handler's calls are due every `interval` seconds, handlers staggered.
    interval = len(handler_sessions) / args.rate if args.rate else 0.0

    async def handler(index, session):
        conn = Connection(host, port, f"sessionid={session}; csrftoken={csrf}")
        headers = (
            "Content-Type: application/json",
            f"X-CSRFToken: {csrf}",
            f"Referer: http://{host}:{port}/",
        )
        due = time.perf_counter() + interval * index / max(1, len(handler_sessions))
        while time.perf_counter() < deadline:
            body = bodies[random.randrange(len(bodies))]
            if interval:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                start, due = due, due + interval
                if start >= deadline:
                    break
            else:
                start = time.perf_counter()
            try:
                status = await conn.request("POST", "/api/calls/", body, headers)
            except Exception as exc:  # noqa: BLE001 - counted, never hidden
                errors.append(repr(exc))
                conn.writer = None
                continue
            if start >= measured_from:
                intake.append(time.perf_counter() - start)
            if status != 201:
                errors.append(f"intake HTTP {status}")

    async def supervisor(index, session):
        conn = Connection(host, port, f"sessionid={session}")
        # Supervisors poll independently: spread over the poll interval, not all at once.
        await asyncio.sleep(args.poll * index / max(1, len(supervisor_sessions)))
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                status = await conn.request("GET", "/dashboard/")
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
                conn.writer = None
                continue
            if start >= measured_from:
                dashboard.append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"dashboard HTTP {status}")
            await asyncio.sleep(max(0.0, min(args.poll, deadline - time.perf_counter())))

    async def cpu():
        await asyncio.sleep(max(0.0, measured_from - time.perf_counter()))
        # Read off the event loop: a /proc scan would hold up the simulated users.
        before = await asyncio.to_thread(cpu_snapshot)
        await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
        return cpu_window(before, await asyncio.to_thread(cpu_snapshot))

    *_, cores = await asyncio.gather(
        *(handler(i, s) for i, s in enumerate(handler_sessions)),
        *(supervisor(i, s) for i, s in enumerate(supervisor_sessions)),
        cpu(),
    )
    # Throughput over the measured window: the calls started in it (the last few finish
    # just after it), not over the wait for the last supervisor to wake up.
    return intake, dashboard, errors, deadline - measured_from, cores


def known_addresses(n: int) -> list[str]:
    """n addresses of dwellings already in the database, drawn afresh each run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM callers_dwelling")
        top = cursor.fetchone()[0] or 0
        if not top:
            return []
        # A random sample of ids (gaps skipped), cheaper than ORDER BY random() at 1M rows.
        ids = random.sample(range(1, top + 1), min(top, 3 * n))
        cursor.execute("SELECT address FROM callers_dwelling WHERE id = ANY(%s)", [ids])
        return [row[0] for row in cursor.fetchall()][:n]


def workload(rng: random.Random, known: int, new: int) -> list[dict]:
    """Calls from `known` dwellings already on file (most calls come from an address seen
    before, each only now and then) and `new` freshly typed addresses (first sight)."""
    bodies = [call_body(rng) for _ in range(new)]
    for address in known_addresses(known):
        body = call_body(rng)
        body["address"] = address
        bodies.append(body)
    rng.shuffle(bodies)
    return bodies


def wait_for(host, port, timeout=60):
    import socket

    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not start on {host}:{port}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="bulk-load N calls first")
    parser.add_argument("--handlers", type=int, default=50)
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument(
        "--known", type=int, default=20_000, help="addresses of dwellings on file, sampled"
    )
    parser.add_argument("--new", type=int, default=2_000, help="addresses typed afresh")
    parser.add_argument("--warmup", type=float, default=5, help="seconds not timed, first")
    parser.add_argument("--poll", type=float, default=5.0, help="dashboard poll interval (s)")
    parser.add_argument(
        "--rate", type=float, default=0, help="intakes/s across all handlers (0: back to back)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers (default: gunicorn.conf.py's, as deployed)",
    )
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--url", help="a running server instead of starting gunicorn")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench_load: set DATABASE_URL to a PostgreSQL database (triage_bench)")
    if args.workers is None and not args.url:
        # gunicorn.conf.py's own count (WEB_CONCURRENCY, or from the cores), as deployed.
        args.workers = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
    if args.seed:
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, str(ROOT / "bench" / "seed.py"), "--calls", str(args.seed)], check=True
        )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    handler_sessions, supervisor_sessions = prepare_users(args.handlers, args.supervisors)
    steady_state()
    bodies = [json.dumps(b).encode() for b in workload(random.Random(1), args.known, args.new)]
    server = None
    url = args.url or "http://127.0.0.1:8001"
    host, port = urlsplit(url).hostname, urlsplit(url).port or 80
    if not args.url:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(args.workers),
                *(
                    ["--worker-class", "gthread", "--threads", str(args.threads)]
                    if args.threads > 1
                    else []
                ),
            ],
            cwd=ROOT,
            # gunicorn.conf.py's settings, without its access log (as the earlier figures).
            env={**os.environ, "DJANGO_LOG_LEVEL": "ERROR", "GUNICORN_ACCESS_LOG": ""},
            stderr=subprocess.DEVNULL,
        )
    try:
        wait_for(host, port)
        intake, dashboard, errors, elapsed, cores = asyncio.run(
            drive(args, host, port, handler_sessions, supervisor_sessions, bodies)
        )
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    ms = [1000 * t for t in intake]
    mode = f"paced at {args.rate:g} intakes/s" if args.rate else "back to back"
    served = f"gunicorn x{args.workers}" + (f" x{args.threads} threads" if args.threads > 1 else "")
    print(
        f"load: {args.handlers} handlers ({mode}), {args.supervisors} supervisors, "
        f"{elapsed:.0f} s, {f'the server at {args.url}' if args.url else served}"
    )
    print(f"  intake: {len(intake)} calls, {len(intake) / elapsed:.0f}/s")
    print(
        f"  intake latency: p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
        f"p99 {percentile(ms, 99):.0f} ms"
    )
    dash = [1000 * t for t in dashboard]
    print(f"  dashboard: {len(dash)} views, p95 {percentile(dash, 95):.0f} ms")
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if cores:
        print(
            f"  CPU, cores busy over the window (of {os.cpu_count()}): "
            f"web {cores['web']:.2f}, PostgreSQL {cores['database']:.2f}, "
            f"load generator {cores['load']:.2f}, other {cores['other']:.2f}, "
            f"idle {cores['idle']:.2f}"
        )
        if intake:
            per = {role: 1000 * busy * elapsed / len(intake) for role, busy in cores.items()}
            print(
                f"  CPU per intake (web includes the dashboards): web {per['web']:.1f} ms, "
                f"PostgreSQL {per['database']:.1f} ms, load generator {per['load']:.1f} ms"
            )
    detection()


def steady_state():
    """The database as a service would hold it before the load: referrals for every window
    in the history so far (a full-history run: a backfill the first time, about a second
    after that, so that the nightly run after the load times the steady state), the
    dashboard aggregates of the seeded history, and fresh planner statistics."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from dashboards.models import DailyCallStat
    from referrals.farmington import detect_repeat_callers
    from triage.models import Call

    run = detect_repeat_callers(full_history=True, trigger="bench")
    print(f"full-history detection before the load: {run.referrals_opened:,} referrals opened")
    # The supervisors' dashboard counts from the aggregates, as in service: built for the
    # seeded history (seed.py leaves them empty), or the dashboards would read nothing.
    first_call = Call.objects.order_by("received_at").values_list("received_at", flat=True)[:1]
    if (
        first_call
        and not DailyCallStat.objects.filter(day__lte=timezone.localdate(first_call[0])).exists()
    ):
        start = time.perf_counter()
        call_command("rebuild_dashboard_stats", stdout=sys.stderr)
        print(
            f"dashboard aggregates built for the seeded calls: {time.perf_counter() - start:.0f} s"
        )
    # Autovacuum keeps a service's planner statistics and visibility maps current; this
    # machine's PostgreSQL runs without it, so the rows the setup and earlier runs wrote are
    # vacuumed and analysed here as it would have (at 5M calls, a dashboard query planned on
    # the statistics of before the setup took 200 ms instead of 50).
    start = time.perf_counter()
    with connection.cursor() as cursor:  # autocommit: VACUUM runs outside a transaction
        cursor.execute("VACUUM (ANALYZE)")
    print(f"vacuum analyze: {time.perf_counter() - start:.1f} s")


def detection():
    """The nightly run over the last 30 days (after the load), then a full-history run."""
    from referrals.farmington import detect_repeat_callers
    from triage.models import Call

    calls = Call.objects.count()
    for label, full_history in (("nightly (last 30 days)", False), ("full history", True)):
        start = time.perf_counter()
        run = detect_repeat_callers(full_history=full_history, trigger="bench")
        seconds = time.perf_counter() - start
        print(
            f"  detection, {label}, {calls:,} calls: {seconds:.2f} s "
            f"(scanned {run.calls_scanned:,}, opened {run.referrals_opened:,})"
        )


if __name__ == "__main__":
    main()
