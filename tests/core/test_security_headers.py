"""Security headers on every route, and nothing a strict Content-Security-Policy would block.

The routes come from the URL resolver through tests/core/test_access.py (its ACCESS table
and sample kwargs), so a new page is checked here as soon as it has an access rule.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.core.test_access import ACCESS, PUBLIC, _get
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ROUTES = sorted(ACCESS)
REQUIRED_CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
)
# What a strict CSP blocks in markup: inline scripts and styles, event-handler attributes,
# javascript: URLs, and htmx's eval-based attributes.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
VIOLATIONS = {
    "inline <script>": INLINE_SCRIPT,
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "on*= handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on eval": re.compile(r"\shx-on\b|\sdata-hx-on\b", re.I),
    "js: in hx-vals": re.compile(r"hx-vals\s*=\s*['\"]\s*js:", re.I),
}


def _user_for(name):
    rule = ACCESS[name]
    if rule == PUBLIC:
        return None
    roles = {"call_handler", "triage_staff", "supervisor", "auditor", "mh_practitioner"}
    role = sorted(rule & roles)[0]
    return UserFactory(role=role)


def _response(client, name):
    user = _user_for(name)
    if user is not None:
        client.force_login(user)
    return _get(client, name, user)


def _violations(html: str) -> list[str]:
    return [label for label, pattern in VIOLATIONS.items() if pattern.search(html)]


def assert_security_headers(response):
    csp = response.get("Content-Security-Policy", "")
    for directive in REQUIRED_CSP:
        assert directive in csp, f"CSP lacks {directive!r}: {csp!r}"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.get("X-Content-Type-Options") == "nosniff"
    assert response.get("Referrer-Policy") in ("same-origin", "no-referrer")
    assert "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("name", ROUTES)
def test_every_route_sends_the_security_headers_to_its_users(client, name):
    response = _response(client, name)
    assert_security_headers(response)


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if ACCESS[n] != PUBLIC))
def test_every_route_sends_the_security_headers_to_anonymous_users(client, name):
    assert_security_headers(_get(client, name))


@pytest.mark.parametrize("name", ROUTES)
def test_no_page_holds_markup_a_strict_csp_would_block(client, name):
    response = _response(client, name)
    if "text/html" not in response.get("Content-Type", "") or response.streaming:
        return
    assert _violations(response.content.decode()) == []


@pytest.mark.parametrize("name", ROUTES)
def test_hsts_is_sent_on_every_route_over_https(client, settings, name):
    # As in production behind the force's TLS terminator (DJANGO_SECURE=1).
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    user = _user_for(name)
    if user is not None:
        client.force_login(user)
    client.defaults["HTTP_X_FORWARDED_PROTO"] = "https"
    response = _get(client, name, user)
    assert response.get("Strict-Transport-Security", "").startswith("max-age=31536000")


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/no-such-page/", "/api/nothing/"])
def test_the_admin_and_error_pages_send_the_security_headers(client, path):
    assert_security_headers(client.get(path))


def test_a_server_error_page_sends_the_security_headers(client, handler, monkeypatch):
    import core.views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    # Any page that fails will do: the account page, failing to read the user's tokens.
    monkeypatch.setattr(core.views.selectors, "api_tokens_of", boom)
    client.raise_request_exception = False
    client.force_login(handler)
    response = client.get(reverse("core:account"))
    assert response.status_code == 500
    assert_security_headers(response)
    assert _violations(response.content.decode()) == []


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _templates():
    return sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_markup_a_strict_csp_would_block(path):
    source = re.sub(r"{#.*?#}", "", path.read_text(), flags=re.S)
    assert _violations(source) == []


def test_no_static_script_uses_eval():
    for path in (ROOT / "static" / "js").rglob("*.js"):
        source = path.read_text()
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", source), path


def test_swagger_ui_works_under_the_csp(login, handler):
    client = login(handler)
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert _violations(html) == []
    assert_security_headers(page)
    # Its start-up script is a URL of its own, served as JavaScript from this origin.
    script_url = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    from django.contrib.staticfiles import finders

    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), asset
