"""The real web server: gunicorn as gunicorn.conf.py runs it (the app loaded in the
arbiter, workers forked from it) against PostgreSQL, with its workers replaced every few
requests while concurrent intakes arrive. Every call is answered and saved: no forked
worker shares a connection or state that a replacement breaks (issue 6)."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import facts
from tests.ops.processes import app_database_url, free_port
from triage.models import Call
from triage.services import ruleset_ensure_default

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CALLS = 40


def _serve(port, log):
    env = {**os.environ, "DATABASE_URL": app_database_url(), "GUNICORN_ACCESS_LOG": ""}
    return subprocess.Popen(  # noqa: S603 - our own server
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # Each worker replaced after 5 requests (gunicorn.conf.py says about 5,000).
            "--max-requests",
            "5",
            "--max-requests-jitter",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_workers_forked_from_the_loaded_app_and_replaced_under_load_save_every_call(
    handler, client, tmp_path
):
    ruleset_ensure_default()
    client.force_login(handler)  # a session row the server reads
    session, csrf = client.cookies[settings.SESSION_COOKIE_NAME].value, uuid.uuid4().hex
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = _serve(port, log)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > end or server.poll() is not None:
                    pytest.fail("gunicorn did not start:\n" + log_path.read_text()[-2000:])
                time.sleep(0.1)

        def intake(i):
            body = {
                "channel": "999",
                "address": f"{i} Test Street, Ely CB7 4AA",
                "facts": facts(),
                "client_token": str(uuid.uuid4()),
            }
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request(
                    "POST",
                    "/api/calls/",
                    json.dumps(body),
                    {
                        "Content-Type": "application/json",
                        "Cookie": f"sessionid={session}; csrftoken={csrf}",
                        "X-CSRFToken": csrf,
                        "Referer": f"http://127.0.0.1:{port}/",
                    },
                )
                response = conn.getresponse()
                return response.status, json.loads(response.read()).get("id")
            finally:
                conn.close()

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(intake, range(CALLS)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    assert [status for status, _ in answers] == [201] * CALLS
    assert set(Call.objects.values_list("id", flat=True)) == {pk for _, pk in answers}
    # 40 requests at 5 per worker: at least 8 workers served them, 2 at the start.
    assert log_path.read_text().count("Booting worker") >= CALLS // 5
