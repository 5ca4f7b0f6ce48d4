"""`make bench`: the benchmarks that need nothing but Python, then the PostgreSQL ones.

    python bench/run_all.py            # engine, addresses, intake (SQLite unless DATABASE_URL)
    DATABASE_URL=postgres://... python bench/run_all.py --postgres [--calls 1000000]

With --postgres it also seeds N calls (bench/seed.py, through bench_detection, which reuses
a database already seeded alike) and runs the detection, dashboard and load benchmarks
against that database (the load twice: back to back, then paced at 300 intakes/s). Each
benchmark prints its own figures.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def run(*args: str) -> None:
    print(f"\n$ python bench/{' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(BENCH / args[0]), *args[1:]], check=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="also the 1M-call benchmarks")
    parser.add_argument("--calls", type=int, default=1_000_000)
    args = parser.parse_args()
    run("bench_engine.py")
    run("bench_addresses.py")
    run("bench_intake.py")
    if not args.postgres:
        print("\n(add --postgres with DATABASE_URL set for detection, dashboard and load)")
        return
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("--postgres needs DATABASE_URL pointing at a PostgreSQL database")
    # bench_detection seeds the calls, or reuses a database seeded with the same parameters
    # (seed.py on its own refuses a database that has data, so a second run_all would stop).
    run("bench_detection.py", "--calls", str(args.calls))
    run("bench_dashboard.py", "--calls", str(args.calls))
    run("bench_load.py")  # 50 handlers back to back: the most the server takes
    run("bench_load.py", "--rate", "300", "--duration", "60")  # the latency targets' load


if __name__ == "__main__":
    main()
