"""bench/seed.py, the load benchmark's first step, seeds a scratch PostgreSQL database from
scratch: creates it, migrates it, bulk-loads the calls and records what it seeded (issue 6).
The record is DDL, which takes no bound parameters while the server binds them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_url():
    params = connection.settings_dict
    name = f"{params['NAME']}_seed"
    server = {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
    }

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    drop()
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    yield f"postgres://{params['USER']}{password}@{host}:{port}/{name}", server, name
    drop()


def seed(url, *args):
    """bench/seed.py against the scratch database; it must succeed."""
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "bench/seed.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_LOG_LEVEL": "ERROR"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_seed_creates_migrates_and_loads_a_new_database(scratch_url):
    url, server, name = scratch_url
    seed(url, "--calls", "2000", "--days", "40")
    with psycopg.connect(dbname=name, **server) as conn:
        calls = conn.execute("SELECT count(*) FROM triage_call").fetchone()[0]
        dwellings = conn.execute("SELECT count(*) FROM callers_dwelling").fetchone()[0]
        comment = conn.execute(
            "SELECT obj_description('triage_call'::regclass, 'pg_class')"
        ).fetchone()[0]
    assert calls == 2000
    assert dwellings == 500  # a quarter of the calls, by default
    assert comment.startswith("seed:")
    info = json.loads(comment[len("seed:") :])
    assert (info["calls"], info["days"], info["dwellings"]) == (2000, 40, 500)


def test_reseeding_also_empties_the_dashboard_aggregates_of_the_calls_it_replaces(scratch_url):
    """Left behind, they counted calls that no longer exist (a bench_load run's figures
    piled up day after day) and slowed the dashboards under load."""
    url, server, name = scratch_url
    seed(url, "--calls", "500", "--days", "20")
    with psycopg.connect(dbname=name, autocommit=True, **server) as conn:
        conn.execute(
            "INSERT INTO dashboards_dwellingdailystat (day, dwelling_id, channel, repeat, calls) "
            "VALUES ('2026-11-01', 1, '999', false, 40)"
        )
        conn.execute("INSERT INTO dashboards_repeatdaystat (day, calls) VALUES ('2026-11-02', 7)")
        conn.execute(
            "INSERT INTO dashboards_dailycallstat (day, channel, concern_type, rule_id, "
            "suggested_agency, suggested_police_attend, decided, final_agency, "
            "final_police_attend, overridden, downgraded, calls) VALUES ('2026-11-01', '999', "
            "'welfare', 'R1', 'police', true, false, '', false, false, false, 40)"
        )
        conn.execute(
            "INSERT INTO dashboards_hourlycallstat (day, hour, channel, calls) "
            "VALUES ('2026-11-01', 9, '999', 40)"
        )
        conn.execute(
            "INSERT INTO dashboards_handlerdailystat (day, channel, handler_id, decided, "
            "overridden, calls) VALUES ('2026-11-01', '999', 0, false, false, 40)"
        )
        conn.execute(
            "INSERT INTO dashboards_repeatstatmark (id, referral_max_id, referral_count) "
            "VALUES (1, 9, 9)"
        )
    seed(url, "--calls", "500", "--days", "20", "--truncate")
    with psycopg.connect(dbname=name, **server) as conn:
        left = [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in (
                "dashboards_dailycallstat",
                "dashboards_hourlycallstat",
                "dashboards_handlerdailystat",
                "dashboards_dwellingdailystat",
                "dashboards_repeatdaystat",
                "dashboards_repeatstatmark",
            )
        ]
        calls = conn.execute("SELECT count(*) FROM triage_call").fetchone()[0]
    assert left == [0] * 6
    assert calls == 500
