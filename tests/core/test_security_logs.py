"""No personal data in the application logs: addresses, narratives, phone numbers.

Calls with distinctive details go through the intake API and pages, including refused (400)
and failing (500) requests, with every logger at DEBUG; none of the details may appear in
what was logged, tracebacks included.
"""

import logging
import uuid

import pytest
from django.urls import reverse

from core.log_filters import StripQueryString, WithholdExceptionDetail, format_exception_safely
from tests.factories import facts
from tests.triage.test_intake_screen import _form

pytestmark = pytest.mark.django_db

ADDRESS = "Flat 3, 41 Zanzibar Crescent, Wisbech PE13 9QQ"
NARRATIVE = "Mrs Quennell-Oduya says her son Barnaby threatened to jump; call back 07700 900417"
SECRETS = ("Zanzibar", "PE13 9QQ", "Quennell", "Barnaby", "07700 900417", "900417")


@pytest.fixture
def all_logs(caplog):
    """Every logger at DEBUG, captured; levels restored afterwards."""
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    saved = [(logger, logger.level) for logger in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level in saved:
        logger.setLevel(level)


def _captured(caplog) -> str:
    """Everything a handler could write: messages, arguments and formatted tracebacks."""
    formatter = logging.Formatter()
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
    return "\n".join(parts)


def assert_no_personal_data(caplog):
    text = _captured(caplog)
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == [], f"personal data in the logs: {leaked}"


def _api_body(**changes):
    body = {
        "channel": "999",
        "address": ADDRESS,
        "narrative": NARRATIVE,
        "facts": facts(),
        "client_token": str(uuid.uuid4()),
    }
    body.update(changes)
    return body


def test_intake_through_the_api_logs_no_personal_data(login, handler, all_logs):
    client = login(handler)
    response = client.post("/api/calls/", _api_body(), content_type="application/json")
    assert response.status_code == 201
    call_id = response.json()["id"]
    assert client.get(f"/api/calls/{call_id}/").status_code == 200
    assert client.get("/api/calls/").status_code == 200
    assert_no_personal_data(all_logs)


def test_a_refused_api_intake_logs_no_personal_data(login, handler, all_logs):
    body = _api_body(facts={**facts(), "concern_type": f"not a strand {ADDRESS}"})
    response = login(handler).post("/api/calls/", body, content_type="application/json")
    assert response.status_code == 400
    assert_no_personal_data(all_logs)


def test_a_failing_api_intake_logs_no_personal_data(login, handler, all_logs, monkeypatch):
    import triage.api.views

    def fail(**kwargs):
        # As a database error would: the message quotes the values it refused.
        raise RuntimeError(f"duplicate key (address)=({kwargs['address']}) {kwargs['narrative']}")

    monkeypatch.setattr(triage.api.views.services, "call_intake", fail)
    client = login(handler)
    client.raise_request_exception = False
    response = client.post("/api/calls/", _api_body(), content_type="application/json")
    assert response.status_code == 500
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in all_logs.records)
    assert_no_personal_data(all_logs)
    # The traceback is still there for the developer: type and frames, not the message.
    assert "RuntimeError" in all_logs.text
    assert "fail" in all_logs.text


def test_intake_through_the_pages_logs_no_personal_data(login, handler, all_logs):
    client = login(handler)
    client.get(reverse("triage:dwelling-panel"), {"address": ADDRESS})
    client.post(reverse("triage:call-suggest"), _form(address=ADDRESS, narrative=NARRATIVE))
    response = client.post(reverse("triage:call-new"), _form(address=ADDRESS, narrative=NARRATIVE))
    assert response.status_code == 302
    client.get(response.url)
    client.get(reverse("triage:dwelling-panel"), {"address": ADDRESS})
    assert_no_personal_data(all_logs)


def test_a_refused_page_intake_logs_no_personal_data(login, handler, all_logs):
    data = _form(address=ADDRESS, narrative=NARRATIVE, grade="9")
    response = login(handler).post(reverse("triage:call-new"), data)
    assert response.status_code == 400
    assert_no_personal_data(all_logs)


def test_a_failing_page_logs_no_personal_data(login, handler, all_logs, monkeypatch):
    import triage.views

    def fail(**kwargs):
        raise ValueError(f"cannot save {kwargs['address']}: {kwargs['narrative']}")

    monkeypatch.setattr(triage.views.services, "call_take", fail)
    client = login(handler)
    client.raise_request_exception = False
    response = client.post(reverse("triage:call-new"), _form(address=ADDRESS, narrative=NARRATIVE))
    assert response.status_code == 500
    assert_no_personal_data(all_logs)


def test_a_missing_page_logs_its_path_without_the_query(client, all_logs):
    client.get("/no-such-page/", {"address": ADDRESS})
    assert "Not Found: /no-such-page/" in all_logs.text
    assert_no_personal_data(all_logs)


# The filters themselves, for the request logs the test client does not produce -------------


def _record(name, msg, args, exc_info=None):
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, exc_info)


def test_runserver_request_lines_lose_their_query_strings():
    record = _record(
        "django.server",
        '"%s" %s %s',
        (f"GET /calls/new/dwelling/?address={ADDRESS} HTTP/1.1", 200, 5),
    )
    StripQueryString().filter(record)
    assert record.getMessage() == '"GET /calls/new/dwelling/ HTTP/1.1" 200 5'


def test_gunicorn_access_lines_lose_their_query_strings_and_referers():
    from urllib.parse import quote

    atoms = {
        "h": "10.0.0.1",
        "r": f"GET /calls/new/dwelling/?address={quote(ADDRESS)} HTTP/1.1",
        "U": "/calls/new/dwelling/",
        "q": f"address={quote(ADDRESS)}",
        "f": f"https://triage/calls/new/?address={quote(ADDRESS)}",
        "s": "200",
    }
    record = _record("gunicorn.access", '%(h)s "%(r)s" %(s)s "%(f)s" %(q)s', atoms)
    StripQueryString().filter(record)
    message = record.getMessage()
    assert "Zanzibar" not in message
    assert "GET /calls/new/dwelling/ HTTP/1.1" in message


def test_a_traceback_keeps_its_frames_but_not_its_messages():
    try:
        try:
            raise KeyError(ADDRESS)
        except KeyError as exc:
            raise RuntimeError(NARRATIVE) from exc
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    text = format_exception_safely(exc_info)
    assert "KeyError" in text and "RuntimeError" in text
    assert "test_a_traceback_keeps_its_frames_but_not_its_messages" in text
    assert not any(secret in text for secret in SECRETS)
    record = _record("django.request", "Internal Server Error: %s", ("/calls/new/",), exc_info)
    WithholdExceptionDetail().filter(record)
    assert record.exc_info is None
    assert "RuntimeError" in record.exc_text


def test_gunicorn_loggers_carry_the_filters():
    filters = logging.getLogger("gunicorn.access").filters
    assert any(isinstance(f, StripQueryString) for f in filters)
