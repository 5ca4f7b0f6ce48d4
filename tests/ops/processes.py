"""For the fault tests that run real processes (gunicorn, a Celery worker, a Redis)."""

import socket

from django.db import connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_database_url() -> str:
    """The test database as a DATABASE_URL, for a process of the app started by a test."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )


def private_redis(port: int):
    """A redis-server of the test's own on ``port`` (no disk), started and answering; the
    caller kills it. Nothing another test or run left behind can reach it."""
    import shutil
    import subprocess
    import time

    import pytest

    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is needed to run a private Redis")
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail("private redis-server did not start")
