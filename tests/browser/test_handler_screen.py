"""The handler's screen at 1366×768: the suggestion stays in view while the questions are
answered; and the README's pictures (New call, dashboard), refreshed by --screenshots."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from callers.services import dwelling_find
from tests.browser.conftest import (
    PASSWORD,
    expected_rule,
    htmx_settled,
    in_viewport,
    internal_codes,
    readable_text,
    suggestion_panel,
)
from tests.factories import UserFactory, take_call
from tests.referrals.factories import ResponsePlanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 768}
ANSWERS = {"concern_type": "welfare_check", "caller_type": "public"}
REPEAT = (
    "Flat 2, 10 High St, Ely CB7 4AA",
    "10 high street flat 2 ely cb74aa",
    "2/10 High St, Ely",
)
TYPED = "flat 2 10 High Street Ely CB7 4AA"
PLAN = "Speak calmly; offer the mental-health crisis line (NHS 111, option 2)."

# The last question of the form: the last answerable fact field before the Decision section
# (hidden questions, such as the Section 136 ones for another strand, are not answerable).
MARK_LAST_QUESTION = """() => {
    const decision = document.getElementById('decision')
        || document.getElementById('h-decision')?.closest('section');
    const before = (el) => !decision
        || (decision.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING);
    const questions = [...document.querySelectorAll('form [name^="fact_"]')].filter(
        (el) => el.type !== 'hidden' && !el.disabled && el.checkVisibility() && before(el));
    const last = questions.at(-1);
    last.setAttribute('data-last-question', '');
    return last.name;
}"""


def _repeat_caller():
    """Three calls from one flat, typed three ways (its referral opens), and its plan."""
    for days, address in enumerate(REPEAT):
        take_call(
            address=address,
            received_at=timezone.now() - timedelta(days=9 - 3 * days),
            known_to_service="mental_health",
        )
    ResponsePlanFactory(
        dwelling=dwelling_find(REPEAT[0]),
        what_to_do=PLAN,
        what_not_to_do="Do not send officers for a welfare check alone.",
        whom_to_call="Community mental-health team duty worker.",
    )


def _new_call(page, live_server, address, **more):
    """The New call form with the address typed and the questions that must be chosen
    answered; returns once the suggestion for them shows."""
    from playwright.sync_api import expect

    page.set_viewport_size(VIEWPORT)
    page.goto(f"{live_server.url}/calls/new/")
    page.locator("input[name=address]").fill(address)
    answers = {**ANSWERS, **more}
    for name, value in answers.items():
        page.select_option(f"select[name=fact_{name}]", value)
    expect(suggestion_panel(page)).to_contain_text(expected_rule(answers))
    htmx_settled(page)
    return page


@pytest.mark.parametrize(
    "address",
    ["14 Station Road, March PE15 8NH", TYPED],
    ids=["a new address", "a repeat caller with a response plan"],
)
def test_suggestion_in_view(log_in, live_server, address):
    """With the focus on the form's last question at 1366×768, the whole "Suggestion"
    region is on the screen: the handler never scrolls to see what the answers suggest."""
    from playwright.sync_api import expect

    if address == TYPED:
        _repeat_caller()
    page = _new_call(log_in(UserFactory(role="call_handler")), live_server, address)
    if address == TYPED:  # the dwelling panel at its tallest: banners and the plan
        expect(page.get_by_text(PLAN).first).to_be_visible()
    last = page.evaluate(MARK_LAST_QUESTION)
    question = page.locator("[data-last-question]")
    question.focus()
    htmx_settled(page)
    expect(question).to_be_focused()
    assert in_viewport(page, question) == "", f"the last question ({last}) is not on screen"
    region = suggestion_panel(page)
    expect(region).to_have_count(1)
    why = in_viewport(page, region)
    assert why == "", f"with the focus on {last}, the Suggestion region is out of view: {why}"


def test_the_new_call_screen_with_a_repeat_caller(log_in, live_server, readme_screenshot):
    """The README's picture of the New call screen: a repeat caller's address typed, the
    dwelling's plan and the suggestion showing, all in words."""
    from playwright.sync_api import expect

    _repeat_caller()
    page = log_in(UserFactory(role="call_handler", username="handler"))
    _new_call(page, live_server, TYPED, known_to_service="mental_health")
    expect(page.get_by_text(PLAN).first).to_be_visible()
    page.evaluate("() => window.scrollTo(0, 0)")
    readme_screenshot(page, "new-call")
    assert internal_codes(readable_text(page)) == {}
    assert in_viewport(page, suggestion_panel(page)) == ""


def test_the_supervisor_dashboard(log_in, live_server, readme_screenshot, monkeypatch):
    """The README's picture of the supervisor's dashboard, over four weeks of demo calls,
    as the demo's supervisor sees it."""
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", days=28, per_day=10, stdout=StringIO())
    page = log_in(User.objects.get(username="supervisor"))
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{live_server.url}/dashboard/")
    htmx_settled(page)
    calls = page.locator(".kpi").filter(has_text="Calls").locator(".stat").first
    assert int(calls.inner_text().replace(",", "")) > 100
    assert page.locator("main svg").count() >= 3  # charts drawn by the app itself
    readme_screenshot(page, "dashboard")
    assert internal_codes(readable_text(page)) == {}
