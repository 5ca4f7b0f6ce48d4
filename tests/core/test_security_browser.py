"""The Content-Security-Policy in a real browser: nothing on the main pages is refused, and
Swagger UI renders under it."""

import pytest

from tests.browser.conftest import browser_type_launch_args, log_in  # noqa: F401 (fixtures)
from tests.factories import UserFactory, take_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every CSP refusal the page meets, collected before any of the page's own scripts run.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
});
"""


def _visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("() => window.__csp")


def test_no_page_of_a_handler_is_refused_by_the_csp(page, log_in, live_server):  # noqa: F811
    handler = UserFactory(role="call_handler")
    call = take_call(handler=handler)
    page.add_init_script(WATCH_CSP)
    console = []
    page.on("console", lambda message: console.append(message.text))
    log_in(handler)
    for path in ("/calls/new/", f"/calls/{call.pk}/", "/calls/", "/account/", "/account/2fa/"):
        assert _visit(page, live_server.url + path) == [], path
    # htmx still works under the policy: typing an address fetches the dwelling panel.
    page.goto(live_server.url + "/calls/new/")
    page.fill("input[name=address]", "Flat 2, 10 High St, Ely CB7 4AA")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__csp") == []
    assert not [text for text in console if "Content Security Policy" in text]


def test_swagger_ui_renders_under_the_csp(page, log_in, live_server):  # noqa: F811
    page.add_init_script(WATCH_CSP)
    log_in(UserFactory(role="supervisor"))
    assert _visit(page, live_server.url + "/api/docs/") == []
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() >= 4


def test_supervisor_pages_are_not_refused_by_the_csp(page, log_in, live_server):  # noqa: F811
    page.add_init_script(WATCH_CSP)
    log_in(UserFactory(role="supervisor"))
    for path in ("/dashboard/", "/referrals/", "/processing-log/", "/calls/review/"):
        assert _visit(page, live_server.url + path) == [], path
