"""A live consult in two browsers: the handler asks, a practitioner sees it in the queue
within 2 s, answers, and the handler sees the answer within 2 s; both times printed."""

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, SCREENSHOTS, axe_violations
from tests.factories import UserFactory, take_call
from triage.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITHIN = 2.0  # seconds: the promise, each way


def _screenshot(request, page, name):
    """With --screenshots, the page as it stands, under bench/screenshots/."""
    if request.config.getoption("--screenshots"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _logged_in(browser, live_server, user):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="en-GB", timezone_id="Europe/London"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def test_a_question_reaches_the_practitioner_and_the_answer_the_handler_within_2s(
    browser, live_server, request
):
    handler = UserFactory(role="call_handler")
    nurse = UserFactory(role="mh_practitioner")
    call = take_call(handler=handler)
    Call.objects.filter(pk=call.pk).update(narrative="Son says his mother has stopped eating.")
    handler_context, handler_page = _logged_in(browser, live_server, handler)
    nurse_context, nurse_page = _logged_in(browser, live_server, nurse)
    try:
        nurse_page.goto(f"{live_server.url}/consults/")  # the practitioner's home: the queue
        expect(nurse_page.get_by_text("No questions are waiting")).to_be_visible()

        handler_page.goto(f"{live_server.url}/calls/{call.pk}/")
        question = handler_page.locator("#consult-question")
        expect(question).to_be_visible()
        handler_page.keyboard.press("Alt+m")  # the shortcut shown beside the question
        expect(question).to_be_focused()
        handler_page.keyboard.type("Is she known to the crisis team?")
        asked = time.monotonic()
        handler_page.get_by_role("button", name="Ask the mental-health team").click()
        link = nurse_page.get_by_role("link", name="Is she known to the crisis team?")
        link.wait_for(timeout=5_000)
        to_queue = time.monotonic() - asked
        expect(handler_page.get_by_text("Waiting for a practitioner")).to_be_visible()

        link.click()
        expect(nurse_page.get_by_text("Son says his mother has stopped eating.")).to_be_visible()
        nurse_page.get_by_label("Yes").check()
        nurse_page.get_by_label("Which service").fill("Crisis team")
        nurse_page.get_by_label("Advice to the handler").fill(
            "Known to the crisis team; they will ring her within the hour."
        )
        nurse_page.get_by_label("Recommended agency (optional)").select_option(
            label="Mental-health crisis team"
        )
        assert axe_violations(nurse_page) == []
        _screenshot(request, nurse_page, "consult-answer-form")
        answered = time.monotonic()
        nurse_page.get_by_role("button", name="Send the answer to the handler").click()
        cue = handler_page.get_by_text("Answered by")
        cue.wait_for(timeout=5_000)
        to_handler = time.monotonic() - answered
        expect(handler_page.get_by_text("they will ring her within the hour")).to_be_visible()
        expect(handler_page.get_by_text("Mental-health crisis team")).to_be_visible()
        assert axe_violations(handler_page) == []
        _screenshot(request, handler_page, "consult-answered-on-the-call-page")

        print(f"\nquestion in the practitioner's queue after {to_queue:.2f} s")
        print(f"answer on the handler's screen after {to_handler:.2f} s")
        assert to_queue < WITHIN, f"the queue showed the question after {to_queue:.2f} s"
        assert to_handler < WITHIN, f"the handler saw the answer after {to_handler:.2f} s"
    finally:
        handler_context.close()
        nurse_context.close()
