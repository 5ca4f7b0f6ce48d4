"""config/wsgi.py, as gunicorn's preload_app loads it in the arbiter before forking the
workers: every view imported and reverse()'s map built, and no connection open that the
forked workers would then share (issue 6)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, threading
from config.wsgi import application
from django.core.cache import caches
from django.db import connections
from django.urls import get_resolver
from config.celery import app

cache = caches["default"]
print(json.dumps({
    "views": [m for m in ("triage.api.views", "referrals.views", "dashboards.views")
              if m in sys.modules],
    "reverse_map": get_resolver()._populated,
    "databases": [c.alias for c in connections.all() if c.connection is not None],
    "redis_pools": len(getattr(getattr(cache, "_cache", None), "_pools", {}) or {}),
    "broker_pool": app._pool is not None,
    "cache": type(cache).__name__,
    "threads": threading.active_count(),
}))
"""


def test_the_app_forked_into_workers_is_warm_and_holds_no_connection():
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        # Every service on a closed port: a connection opened at import fails loudly,
        # and the Redis cache and broker are the real backends, not LocMem and memory://.
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "views": ["triage.api.views", "referrals.views", "dashboards.views"],
        "reverse_map": True,
        "databases": [],
        "redis_pools": 0,
        "broker_pool": False,
        "cache": "RedisCache",
        "threads": 1,
    }


def test_gunicorn_loads_the_app_before_forking():
    from tests.core.test_compose import _gunicorn_config

    assert _gunicorn_config({})["preload_app"] == "True"


def test_gunicorn_freezes_the_loaded_app_before_each_fork():
    import gc
    import runpy

    from tests.core.test_compose import ROOT

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        conf["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
