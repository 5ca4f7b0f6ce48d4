"""Settings come from the environment; bad values stop start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; from django.conf import settings; django.setup();"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
    " 'name': str(settings.DATABASES['default']['NAME']),"
    " 'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL,"
    " 'cache': settings.CACHES['default']['BACKEND'],"
    " 'options': settings.DATABASES['default'].get('OPTIONS', {})}))"
)


def _settings_with(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DJANGO_DEBUG",
            "DB_PREPARED_STATEMENTS",
        }
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sqlite_and_eager_tasks_are_the_default_with_nothing_set():
    import json

    result = _settings_with()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["eager"] is True
    assert values["cache"].endswith("LocMemCache")


def test_database_url_selects_postgresql():
    import json

    result = _settings_with(DATABASE_URL="postgres://alice@db.example:5433/triage")
    values = json.loads(result.stdout)
    assert values["engine"] == "core.postgresql"  # Django's, with a cheaper health check
    assert values["name"] == "triage"


@pytest.mark.parametrize(
    ("flag", "options"),
    [
        (None, {"server_side_binding": True, "prepare_threshold": 5}),
        ("0", {}),  # behind a pooler: Django's defaults, nothing prepared
    ],
)
def test_postgresql_prepares_statements_unless_turned_off(flag, options):
    import json

    env = {"DATABASE_URL": "postgres://alice@db.example:5433/triage"}
    if flag is not None:
        env["DB_PREPARED_STATEMENTS"] = flag
    result = _settings_with(**env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["options"] == options


def test_a_mistyped_prepared_statements_flag_stops_start_up():
    result = _settings_with(
        DATABASE_URL="postgres://alice@db.example:5433/triage", DB_PREPARED_STATEMENTS="maybe"
    )
    assert result.returncode != 0
    assert "DB_PREPARED_STATEMENTS must be true or false" in result.stderr


def test_redis_url_feeds_the_broker_and_the_cache_and_turns_off_eager_tasks():
    import json

    result = _settings_with(REDIS_URL="redis://127.0.0.1:6379/3")
    values = json.loads(result.stdout)
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["eager"] is False
    assert values["cache"].endswith("RedisCache")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysqlx://nobody@nowhere/db"),
        ("REDIS_URL", "localhost:6379"),
        ("DJANGO_DEBUG", "perhaps"),
        ("SESSION_IDLE_MINUTES", "half an hour"),
        ("DASHBOARD_CACHE_SECONDS", "soon"),
        ("DASHBOARD_CACHE_SECONDS", "-1"),
        ("REDIS_URL", "redis://127.0.0.1:63xx/0"),
        ("REDIS_URL", "redis://127.0.0.1:6379/cache"),
        ("LOG_LEVEL", "bogus"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("CELERY_TASK_SOFT_TIME_LIMIT", "0"),
        ("CELERY_TASK_TIME_LIMIT", "300"),  # not more than the soft limit (600)
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(name, value):
    result = _settings_with(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://u:s3cret-pw@h/db"),
        ("DATABASE_URL", "postgres://u:s3cret-pw@h:54xx/db"),
        ("REDIS_URL", "http://:s3cret-pw@h"),
        ("REDIS_URL", "redis://:s3cret-pw@h:6379/cache"),
        ("DATABASE_URL", "postgres://app:s3cret-pw#x@db:5432/triage"),  # a # unencoded
        ("REDIS_URL", "redis://:s3cret-pw/x@cache:6379/0"),  # a / unencoded
        ("DATABASE_URL", "app:s3cret-pw@db.example:5432/triage"),  # no scheme
    ],
)
def test_a_refused_url_is_named_without_its_password(name, value):
    result = _settings_with(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr and "***" in result.stderr
    assert "s3cret-pw" not in result.stderr


def test_a_postgis_url_is_refused_with_the_schemes_it_takes():
    result = _settings_with(DATABASE_URL="postgis://u@h/db")
    assert "DATABASE_URL must be a URL with scheme sqlite or postgres" in result.stderr


@pytest.mark.django_db
def test_the_suite_runs_against_postgresql_when_database_url_says_so():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL does not name PostgreSQL")
        pytest.skip("DATABASE_URL is not PostgreSQL")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_a_log_level_is_read_whatever_its_case():
    assert _settings_with(LOG_LEVEL="debug").returncode == 0
