"""The call handler's journey in a real browser, keyboard only."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callers.models import ResponsePlan
from tests.browser.conftest import axe_violations, tab_to
from tests.factories import UserFactory, take_call
from triage.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = "Flat 2, 10 High St, Ely CB7 4AA"
THIRD = "2/10 high street ely"
# THRIVE chosen by typing the first letters of each element's choice, and what is saved.
THRIVE_TYPED = {
    "threat": "low",
    "harm": "med",
    "risk": "low",
    "investigation": "none",
    "vulnerability": "high",
    "engagement": "low",
}
THRIVE_SAVED = {
    "threat": "Low",
    "harm": "Medium",
    "risk": "Low",
    "investigation": "None needed",
    "vulnerability": "High",
    "engagement": "Low",
}


def _new_call(page, live_server):
    """Open the new-call page and wait until the address field has the focus."""
    page.goto(f"{live_server.url}/calls/new/")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.name === 'address'"
    )


def _choose(page, name, typed):
    """Focus a <select> by Tab and pick an option by typing its first letters."""
    tab_to(page, name)
    page.keyboard.type(typed)


def _suggestion_time_ms(page, key):
    """Press ``key`` and return ms until the suggestion panel next changes."""
    page.evaluate(
        """() => {
            window.__changed = null;
            const target = document.getElementById('suggestion');
            new MutationObserver((m, obs) => { window.__changed = performance.now(); obs.disconnect(); })
                .observe(target, {childList: true, subtree: true, characterData: true});
            window.__pressed = performance.now();
        }"""
    )
    page.keyboard.press(key)
    page.wait_for_function("() => window.__changed !== null")
    return page.evaluate("() => window.__changed - window.__pressed")


def test_a_handler_triages_overrides_and_sees_the_repeat_caller_keyboard_only(
    log_in, live_server, screenshot, capsys
):
    handler = UserFactory(role="call_handler")
    page = log_in(handler)
    _new_call(page, live_server)  # the cursor starts in the address
    page.keyboard.type(FIRST)
    tab_to(page, "channel")
    page.keyboard.press("Space")  # 999 is the first choice
    _choose(page, "fact_concern_type", "concern")  # Concern for someone's welfare
    _choose(page, "fact_caller_type", "a member")  # A member of the public
    _choose(page, "fact_known_to_service", "mental")
    suggestion = page.locator("#suggestion")
    suggestion.get_by_text("Mental-health crisis team").wait_for()
    assert "CFW-KNOWN-SERVICE" in suggestion.inner_text()  # the rule's id beside its title

    # A new answer raises the risk: the suggestion changes without a reload.
    tab_to(page, "fact_immediate_risk")
    elapsed = _suggestion_time_ms(page, "ArrowDown")  # none → serious harm
    suggestion.get_by_text("GEN-IMMEDIATE-RISK").wait_for()
    with capsys.disabled():  # printed in every run, not only with -s
        print(f"\nlast answer → updated suggestion: {elapsed:.0f} ms (target < 200 ms)")
    screenshot("handler-new-call")
    page.keyboard.press("ArrowUp")  # back to none: crisis line again
    suggestion.get_by_text("Mental-health crisis team").wait_for()

    # Override: the handler sends the GP instead, with a reason and a note.
    tab_to(page, "decision", "accept")
    page.keyboard.press("ArrowDown")
    _choose(page, "final_agency", "the p")  # The person's GP
    _choose(page, "final_police_attend", "no")
    _choose(page, "override_reason", "following")
    tab_to(page, "override_note")
    page.keyboard.type("Plan says the GP surgery leads.")
    for element, level in THRIVE_TYPED.items():
        _choose(page, f"thrive_{element}", level)
    tab_to(page, "grade")  # the grades are radios: the arrows choose
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=grade][value='4']")
    tab_to(page, "caller_told")
    page.keyboard.press("Space")
    # Pre-filled with the advice for the agency the handler chose, not the suggestion's.
    assert "GP practice will follow up" in page.input_value("textarea[name=caller_told_text]")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: "/calls/new/" not in url)

    call = Call.objects.get()
    decision = call.decisions.get()
    assert (call.suggested_agency, decision.final_agency) == ("MENTAL_HEALTH_CRISIS", "GP")
    assert (decision.accepted, decision.override_reason) == (False, "response_plan")
    assert decision.caller_told and "GP practice will follow up" in decision.caller_told_text
    assert decision.thrive == THRIVE_SAVED
    assert decision.grade == 4

    # Two more calls from the same flat, typed differently: banner and plan as it is typed.
    take_call(address="10 high street flat 2 ely cb74aa")
    ResponsePlan.objects.create(
        dwelling=call.dwelling,
        version=1,
        what_to_do="Ring the community mental health team duty line first.",
        author=UserFactory(role="triage_staff"),
        review_by=timezone.localdate() + timezone.timedelta(days=60),
    )
    _new_call(page, live_server)
    page.keyboard.type(THIRD)
    page.locator("#repeat-banner").wait_for()
    assert "number 3" in page.locator("#repeat-banner").inner_text()
    assert "community mental health team" in page.locator("#response-plan").inner_text()
    _choose(page, "fact_concern_type", "concern")
    _choose(page, "fact_caller_type", "a member")
    suggestion.get_by_text("Repeat caller: referred for help").wait_for()


def test_a_reload_keeps_the_draft_and_a_double_click_saves_one_call(log_in, live_server):
    page = log_in(UserFactory(role="call_handler"))
    _new_call(page, live_server)
    page.keyboard.type("14 Station Road, March PE15 8NH")
    page.fill("textarea[name=narrative]", "Neighbour has not been seen for two days.")
    page.select_option("select[name=fact_concern_type]", "welfare_check")
    page.select_option("select[name=fact_caller_type]", "public")
    # The draft is written 150 ms after the last change: wait until it holds the answers.
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith('-draft')"
        " && localStorage.getItem(k).includes('welfare_check')"
        " && localStorage.getItem(k).includes('public'))"
    )
    page.reload()
    assert page.input_value("input[name=address]") == "14 Station Road, March PE15 8NH"
    assert "two days" in page.input_value("textarea[name=narrative]")
    assert page.input_value("select[name=fact_concern_type]") == "welfare_check"

    page.check("input[name=channel][value='101']")
    for element, level in THRIVE_SAVED.items():
        page.select_option(f"select[name=thrive_{element}]", level)
    page.check("input[name=grade][value='4']")
    page.locator("#suggestion").get_by_text("Advice to the caller (no deployment)").wait_for()
    page.check("input[name=caller_told]")
    page.locator("button[type=submit].primary").dblclick()
    page.wait_for_url(lambda url: "/calls/new/" not in url)
    assert Call.objects.count() == 1
    # The saved call clears the draft: a new call starts empty.
    page.goto(f"{live_server.url}/calls/new/")
    assert page.input_value("input[name=address]") == ""


def test_the_new_call_page_has_no_serious_accessibility_violations(log_in, live_server):
    page = log_in(UserFactory(role="call_handler"))
    page.goto(f"{live_server.url}/calls/new/")
    assert axe_violations(page) == []


def test_a_failed_save_focuses_the_error_summary_and_keeps_the_dwelling(log_in, live_server):
    """After a failed save the handler starts from what to fix, with the repeat caller
    still on the screen; each link in the summary moves to its question."""
    take_call(address=FIRST)
    take_call(address="10 high street flat 2 ely cb74aa")
    page = log_in(UserFactory(role="call_handler"))
    _new_call(page, live_server)
    page.keyboard.type(THIRD)
    page.locator("#repeat-banner").wait_for()
    page.select_option("select[name=fact_concern_type]", "welfare_check")
    page.select_option("select[name=fact_caller_type]", "public")
    page.locator("#suggestion-body").wait_for()
    page.keyboard.press("Control+Enter")  # no channel, THRIVE or grade yet
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    assert "number 3" in page.locator("#repeat-banner").inner_text()
    expect(page.get_by_role("region", name="Dwelling")).to_contain_text("Repeat caller")
    page.keyboard.press("Tab")  # the first link: the channel
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "id_channel_0"
