import pytest
from tests.browser.test_handler_screen import _new_call, MARK_LAST_QUESTION, _repeat_caller, TYPED
from tests.browser.conftest import in_viewport
from tests.factories import UserFactory
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
def test_dbg(log_in, live_server):
    _repeat_caller()
    page = _new_call(log_in(UserFactory(role="call_handler")), live_server, TYPED)
    page.add_style_tag(content=".intake-aside, .intake-aside * {position: static !important; max-height: none !important}")
    print("LAST", page.evaluate(MARK_LAST_QUESTION))
    page.locator("[data-last-question]").focus()
    print("WHY", in_viewport(page, page.get_by_role("region", name="Suggestion")))
    page.screenshot(path="/tmp/nosticky.png")
