"""How fast manage.py import_calls loads a historical CSV, phase by phase.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench_import \\
        python bench/bench_import.py [--rows 100000] [--dwellings N]

Writes a CSV of --rows realistic calls (every RCRP fact column, addresses typed several
ways, a year of history) to a temporary file, empties the calls, dwellings, referrals and
dashboard aggregates of the database (so use a database of its own, not the shared
triage_bench), imports it with triage.importing.import_calls, and prints rows/s for each
phase and the extrapolated time for a million rows. PostgreSQL only.
"""

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import _aggregate_tables, _dwelling, _variant, setup_django  # noqa: E402


def write_csv(path: Path, rows: int, dwellings: int, rng: random.Random):
    from triage import engine
    from triage.demo import NARRATIVES, _facts

    names = [s.name for s in engine.FACT_FIELDS if s.name != "repeat_calls_30d"]
    end = datetime.now(UTC) - timedelta(hours=1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["received_at", "channel", "address", "narrative", *names])
        for _ in range(rows):
            facts = _facts(rng)
            cells = []
            for name in names:
                value = facts[name]
                if value is None:
                    cells.append("")
                elif isinstance(value, bool):
                    cells.append("true" if value else "false")
                elif isinstance(value, list):
                    cells.append(";".join(value))
                else:
                    cells.append(str(value))
            received = end - timedelta(seconds=rng.random() * 365 * 86400)
            writer.writerow(
                [
                    received.isoformat(),
                    "999" if rng.random() < 0.55 else "101",
                    _variant(_dwelling(rng.randrange(dwellings))[0], rng),
                    rng.choice(NARRATIVES[facts["concern_type"]]),
                    *cells,
                ]
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dwellings", type=int, default=None, help="default: rows / 4")
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    from triage.importing import import_calls

    if "bench" in connection.settings_dict["NAME"] and connection.settings_dict["NAME"] == (
        "triage_bench"
    ):
        sys.exit("use a database of its own (it is emptied), e.g. triage_bench_import")
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "calls.csv"
        t = time.perf_counter()
        write_csv(path, args.rows, args.dwellings or max(100, args.rows // 4), rng)
        size = path.stat().st_size / 1e6
        print(f"wrote {args.rows:,} rows ({size:.0f} MB) in {time.perf_counter() - t:.1f} s")
        with connection.cursor() as cur:
            # The dashboard's aggregates count the calls being replaced: they go too.
            cur.execute(
                "TRUNCATE triage_decision, triage_call, callers_dwelling, "
                f"{', '.join(_aggregate_tables())} RESTART IDENTITY CASCADE"
            )
        report = import_calls(path, progress_every=max(args.rows // 4, 1))
    print(
        f"imported {report.imported:,} rows in {report.seconds:.1f} s "
        f"({report.imported / report.seconds:,.0f} rows/s)"
    )
    for phase, seconds in report.timings.items():
        print(f"  {phase:<14} {seconds:7.1f} s")
    run = report.detection_run
    print(f"detection: {run.dwellings_found:,} dwellings found, {run.referrals_opened:,} opened")
    print(f"a million rows: about {report.seconds * 1_000_000 / args.rows / 60:.1f} min")


if __name__ == "__main__":
    main()
