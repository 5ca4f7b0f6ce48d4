"""POST /api/calls/ latency, in process (one handler, sequential), on a throwaway database.

    python bench/bench_intake.py [--calls 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench python bench/bench_intake.py
    DATABASE_URL=... python bench/bench_intake.py --existing [--calls 200] [--seed 1]

Creates a test database (SQLite in memory, or test_<name> on PostgreSQL), takes warm-up
calls, then times each request through the whole stack below the web server: middleware,
DRF, validation, dwelling resolution, repeat-call count, engine, referral and save.

With --existing it uses the database DATABASE_URL names as it is (a seeded bench database:
it adds calls to it), and sends 10 of every 11 calls from dwellings already on file, as
bench_load does. Its CPU per intake varies with the machine's speed; for a comparison
that does not, count instructions, the difference of two runs under callgrind:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python bench/bench_intake.py --existing --calls 200   # and --calls 0
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.workload import call_body, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--existing", action="store_true", help="use DATABASE_URL's data")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.existing:
        existing(args.calls, random.Random(args.seed))
        return
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.contrib.auth.models import Group, User

        user = User.objects.create_user("bench-handler")
        user.groups.add(Group.objects.get(name="call_handler"))
        client = Client()
        client.force_login(user)
        rng = random.Random(7)
        timings = []
        for i in range(args.calls + 50):
            body = call_body(rng, houses=120)
            start = time.perf_counter()
            response = client.post("/api/calls/", body, content_type="application/json")
            elapsed = time.perf_counter() - start
            if response.status_code != 201:
                raise SystemExit(f"request {i}: HTTP {response.status_code} {response.content!r}")
            if i >= 50:  # warm-up excluded
                timings.append(elapsed * 1000)
        print(f"POST /api/calls/ on {connection.vendor}: {len(timings)} calls, one handler")
        print(f"  median {statistics.median(timings):.1f} ms")
        print(f"  p95    {percentile(timings, 95):.1f} ms")
        print(f"  p99    {percentile(timings, 99):.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def existing(calls: int, rng: random.Random) -> None:
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username="bench-intake-handler")
    user.groups.add(Group.objects.get(name="call_handler"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    with connection.cursor() as cursor:  # a sample of the dwellings on file
        cursor.execute(
            "SELECT address FROM callers_dwelling WHERE id %% 97 = %s LIMIT %s",
            [rng.randrange(97), calls + 50],
        )
        known = [row[0] for row in cursor.fetchall()]
    bodies = []
    for i in range(calls + 30):
        body = call_body(rng)
        if i % 11 and known:
            body["address"] = known[i % len(known)]
        bodies.append(body)

    def post(some):
        for body in some:
            response = client.post("/api/calls/", body, content_type="application/json")
            if response.status_code != 201:
                raise SystemExit(f"HTTP {response.status_code} {response.content!r}")

    post(bodies[:30])  # warm-up
    server = _server_pid()
    cpu, wall, server_cpu = time.process_time(), time.perf_counter(), _proc_cpu(server)
    post(bodies[30:])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    per = 1000 / max(calls, 1)
    print(f"POST /api/calls/ on {connection.vendor} (existing data): {calls} calls")
    print(f"  CPU {cpu * per:.2f} ms, wall {wall * per:.2f} ms per intake (this process)")
    if server is not None:
        server_cpu = _proc_cpu(server) - server_cpu
        print(f"  PostgreSQL CPU {server_cpu * per:.2f} ms per intake (its backend, from /proc)")


def _server_pid() -> int | None:
    """The PostgreSQL backend serving this process, when it runs on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def _proc_cpu(pid: int | None) -> float:
    """A process's user + system CPU seconds so far (0 when there is none)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
