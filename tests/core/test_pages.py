"""The core pages people read: the API docs inside the app's frame, the processing log and
the account page in words and one date style, the error pages with a way back."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from core.services import api_token_create, processing_log
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


# The API docs ------------------------------------------------------------------------------


def test_the_api_docs_sit_inside_the_app_s_frame_with_its_navigation(login, handler):
    html = login(handler).get(reverse("api-docs")).content.decode()
    assert '<nav aria-label="Main">' in html
    assert f'href="{reverse("triage:call-new")}"' in html  # a way back into the app
    assert 'class="skip-link"' in html and '<main id="main"' in html
    assert "<title>API documentation · Triage Desk</title>" in html
    assert '<div id="swagger-ui"' in html
    assert "aria-current" not in html  # no menu item claims to be this page


def test_the_api_docs_load_swagger_ui_from_this_app_s_static_files(login, handler):
    from django.contrib.staticfiles import finders

    html = login(handler).get(reverse("api-docs")).content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in assets
    assert "/static/css/swagger.css" in assets and "/static/css/app.css" in assets
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # no CDN


def test_the_swagger_stylesheet_keeps_its_rules_to_the_widget():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/swagger.css").read_text()
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selector in re.findall(r"([^{}]+)\{", rules):
        for part in selector.split(","):
            assert "swagger-ui" in part or "api-docs" in part, part.strip()


def test_the_account_page_links_to_the_api_docs_for_the_roles_that_may_read_them(login, handler):
    assert reverse("api-docs") in login(handler).get(reverse("core:account")).content.decode()
    auditor = UserFactory(role="auditor")
    assert reverse("api-docs") not in login(auditor).get(reverse("core:account")).content.decode()


# The account page --------------------------------------------------------------------------


def test_the_account_page_writes_token_dates_in_one_style(login, handler, monkeypatch):
    made = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: made)
    api_token_create(user=handler, name="CAD link")
    monkeypatch.undo()
    text = _visible(login(handler).get(reverse("core:account")).content.decode())
    assert "7 Dec 2026 14:05" in text
    assert "Never" in text and "Active" in text
    assert not re.search(r"\b07 Dec\b|\d{4}-\d\d-\d\d", text)


# The processing log ------------------------------------------------------------------------


@pytest.fixture
def logged(handler):
    at = datetime(2026, 7, 3, 13, 4, 5, tzinfo=UTC)  # 14:04:05 in London (BST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: at)
        processing_log(
            user=handler,
            operation="consultation",
            object_type="referralaction",
            object_id=12,
            justification="weekly review",
        )
        processing_log(user=None, operation="collection", object_type="dashboard_export")
    return at


def test_the_log_names_roles_records_and_operations_in_words(login, supervisor, logged):
    text = _visible(login(supervisor).get(reverse("core:log-search")).content.decode())
    assert "Call handler" in text and "call_handler" not in text
    assert "The system (automatic)" in text
    assert "Referral action 12" in text and "referralaction" not in text
    assert "Dashboard export" in text and "dashboard_export" not in text
    assert "Consultation" in text and "Weekly review" in text


def test_the_log_gives_times_in_london_in_the_one_date_style(login, supervisor, logged):
    html = login(supervisor).get(reverse("core:log-search")).content.decode()
    assert '<time datetime="2026-07-03T13:04:05+00:00">3 Jul 2026 14:04:05</time>' in html
    assert not re.search(r"\d{4}-\d\d-\d\d", _visible(html))


def test_the_log_export_keeps_the_codes(login, supervisor, logged):
    import csv
    import io

    response = login(supervisor).post(
        reverse("core:log-export"), {"recipient": "ICO", "justification": "Request 1"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["call_handler", "consultation", "referralaction", "12"] in [r[2:6] for r in rows]


# Error pages -------------------------------------------------------------------------------


def test_the_not_found_page_is_in_the_frame_with_a_way_home(login, handler):
    response = login(handler).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and '<nav aria-label="Main">' in html
    assert f'<a href="{reverse("core:home")}">Go to your home page</a>' in html


def test_the_server_error_page_has_the_app_s_look_and_a_way_home(client, handler, monkeypatch):
    import core.views

    def boom(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(core.views.selectors, "api_tokens_of", boom)
    client.raise_request_exception = False
    client.force_login(handler)
    response = client.get(reverse("core:account"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and 'href="/static/css/app.css"' in html
    assert '<a href="/">Go to your home page</a>' in html


def test_an_account_with_no_role_is_told_to_ask_for_one(login, no_role_user):
    html = login(no_role_user).get(reverse("core:home")).content.decode()
    assert "Your account has no Triage Desk role yet" in html
