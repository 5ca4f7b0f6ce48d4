"""Load: concurrent handlers taking calls and supervisors polling the dashboard, against
gunicorn + PostgreSQL on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench \\
        python bench/bench_load.py [--seed 1000000] [--handlers 50] [--supervisors 20] \\
        [--duration 30] [--workers 5] [--url http://127.0.0.1:8001]

Starts gunicorn itself (unless --url names a running server), logs the simulated users in
by creating their sessions, then runs closed loops for --duration seconds: each handler
POSTs /api/calls/ back to back, each supervisor GETs /dashboard/ every --poll seconds.
Prints intake throughput, intake latency p50/p95/p99, dashboard p95 and errors. With
--seed N it first bulk-loads N calls with bench/seed.py. Not a test: it prints figures.
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.workload import call_body, percentile  # noqa: E402


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


async def drive(args, host, port, handler_sessions, supervisor_sessions):
    csrf = secrets.token_hex(16)
    intake, dashboard, errors = [], [], []
    deadline = time.perf_counter() + args.duration
    rng = random.Random(1)
    bodies = [json.dumps(call_body(rng)).encode() for _ in range(2000)]

    async def handler(session):
        conn = Connection(host, port, f"sessionid={session}; csrftoken={csrf}")
        headers = (
            "Content-Type: application/json",
            f"X-CSRFToken: {csrf}",
            f"Referer: http://{host}:{port}/",
        )
        while time.perf_counter() < deadline:
            body = bodies[random.randrange(len(bodies))]
            start = time.perf_counter()
            try:
                status = await conn.request("POST", "/api/calls/", body, headers)
            except Exception as exc:  # noqa: BLE001 - counted, never hidden
                errors.append(repr(exc))
                conn.writer = None
                continue
            intake.append(time.perf_counter() - start)
            if status != 201:
                errors.append(f"intake HTTP {status}")

    async def supervisor(session):
        conn = Connection(host, port, f"sessionid={session}")
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                status = await conn.request("GET", "/dashboard/")
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
                conn.writer = None
                continue
            dashboard.append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"dashboard HTTP {status}")
            await asyncio.sleep(args.poll)

    started = time.perf_counter()
    await asyncio.gather(
        *(handler(s) for s in handler_sessions), *(supervisor(s) for s in supervisor_sessions)
    )
    return intake, dashboard, errors, time.perf_counter() - started


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
    parser.add_argument("--poll", type=float, default=5.0, help="dashboard poll interval (s)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--url", help="a running server instead of starting gunicorn")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench_load: set DATABASE_URL to a PostgreSQL database (triage_bench)")
    if args.seed:
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, str(ROOT / "bench" / "seed.py"), "--calls", str(args.seed)], check=True
        )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    handler_sessions, supervisor_sessions = prepare_users(args.handlers, args.supervisors)
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
                "--backlog",
                "2048",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_LOG_LEVEL": "ERROR"},
            stderr=subprocess.DEVNULL,
        )
    try:
        wait_for(host, port)
        intake, dashboard, errors, elapsed = asyncio.run(
            drive(args, host, port, handler_sessions, supervisor_sessions)
        )
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    ms = [1000 * t for t in intake]
    print(
        f"load: {args.handlers} handlers, {args.supervisors} supervisors, {elapsed:.0f} s, "
        f"gunicorn x{args.workers}"
    )
    print(f"  intake: {len(intake)} calls, {len(intake) / elapsed:.0f}/s")
    print(
        f"  intake latency: p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
        f"p99 {percentile(ms, 99):.0f} ms"
    )
    dash = [1000 * t for t in dashboard]
    print(f"  dashboard: {len(dash)} views, p95 {percentile(dash, 95):.0f} ms")
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
