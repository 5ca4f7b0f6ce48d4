"""Triage staff work a referral from the weekly review to its close, in a real browser."""

import pytest
from django.utils import timezone

from referrals.models import Referral, ReferralAction
from tests.browser.conftest import axe_violations
from tests.factories import UserFactory, take_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _repeat_caller_referral():
    for address in (
        "Flat 2, 10 High St, Ely CB7 4AA",
        "10 high street flat 2 ely",
        "2/10 High St, Ely",
    ):
        take_call(address=address, known_to_service="mental_health")
    return Referral.objects.get()


def test_triage_staff_review_assign_meet_plan_and_close(log_in, live_server, screenshot):
    referral = _repeat_caller_referral()
    staff = UserFactory(role="triage_staff", username="triage-amy")
    page = log_in(staff)

    page.goto(f"{live_server.url}/referrals/review/")
    agenda = page.locator("main")
    agenda.get_by_text("10 High St").first.wait_for()
    screenshot("triage-weekly-review")

    page.goto(f"{live_server.url}/referrals/")
    assert axe_violations(page) == []
    screenshot("triage-referral-queue")

    # The full history asks why it is being opened, and records the answer.
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    page.get_by_text("Why are you opening this?").first.wait_for()
    page.fill("[name=justification]", "Weekly Farmington review meeting")
    page.get_by_role("button", name="Open the record").click()
    page.locator("#h-summary").wait_for()

    page.select_option("#holder select[name=assignee]", label="triage-amy")
    page.locator("#holder button[type=submit]").click()
    page.wait_for_load_state()
    referral.refresh_from_db()
    assert referral.assignee == staff

    # A CPN is refused until a multi-agency meeting has been recorded.
    today = timezone.localdate().isoformat()
    page.select_option("#action select[name=kind]", "cpn")
    page.fill("#action [name=taken_on]", today)
    page.locator("#action button[type=submit]").click()
    # The refusal itself, in the form's errors (the form's hint names the meeting too).
    page.locator("#action .errorlist").get_by_text("can be recorded only after").wait_for()
    assert not ReferralAction.objects.filter(kind="cpn").exists()

    page.select_option("#action select[name=kind]", "multi_agency_meeting")
    page.fill("#action [name=taken_on]", today)
    page.fill("#action [name=care_plan]", "GP and crisis team agree weekly contact.")
    page.locator("#action button[type=submit]").click()
    page.get_by_text("GP and crisis team agree weekly contact.").first.wait_for()

    page.locator("#plan summary").click()
    page.fill("#plan [name=what_to_do]", "Call the crisis team duty line before deploying.")
    page.fill(
        "#plan [name=review_by]", (timezone.localdate() + timezone.timedelta(days=90)).isoformat()
    )
    page.locator("#plan button[type=submit]").click()
    page.locator("#plan").get_by_text("Version 1").wait_for()
    assert referral.dwelling.plans.get().what_to_do.startswith("Call the crisis team")

    page.select_option("#status select[name=status]", "closed")
    page.select_option("#status select[name=outcome]", "support_in_place")
    page.locator("#status button[type=submit]").click()
    page.wait_for_load_state()
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "support_in_place")
    assert ReferralAction.objects.filter(kind="multi_agency_meeting").count() == 1
