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
