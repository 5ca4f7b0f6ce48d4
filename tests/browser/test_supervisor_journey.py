"""The supervisor's journey: dashboard, date range, charts and figures, CSV, review queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations
from tests.factories import THRIVE, UserFactory, take_call
from triage import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _calls():
    """Five calls this week, two forty days ago; one override with a note."""
    now = timezone.now()
    handler = UserFactory(role="call_handler", username="handler-bo")
    for days in (0, 1, 2, 3):
        take_call(
            address=f"{days + 1} Mill Lane, Ely CB7 4AA", received_at=now - timedelta(days=days)
        )
    overridden = take_call(address="9 Mill Lane, Ely CB7 4AA", handler=handler)
    services.call_decide(
        call=overridden,
        user=handler,
        accept=False,
        final_agency="POLICE",
        final_police_attend=True,
        override_reason="risk_higher",
        override_note="Caller mentioned a knife.",
        grade=1,
        thrive=THRIVE,
    )
    for days in (40, 41):
        take_call(address=f"{days} Station Road, March", received_at=now - timedelta(days=days))


def test_a_supervisor_filters_the_dashboard_exports_and_reviews_overrides(
    log_in, live_server, screenshot
):
    _calls()
    page = log_in(UserFactory(role="supervisor"))
    assert page.url.rstrip("/").endswith("/dashboard")
    calls_kpi = page.locator(".kpi").filter(has_text="Calls").locator(".stat").first
    assert calls_kpi.inner_text() == "5"
    assert page.locator("svg").count() >= 3  # charts drawn by the app itself
    assert axe_violations(page) == []
    screenshot("supervisor-dashboard")

    # A longer period takes in the older calls; the URL keeps the filters.
    start = (timezone.localdate() - timedelta(days=60)).isoformat()
    page.fill("[name=start]", start)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: f"start={start}" in url)
    page.wait_for_function("() => document.querySelector('.kpi .stat').textContent.trim() === '7'")

    # The numbers behind a chart are one click away, and the CSV downloads.
    first = page.locator("details.numbers").first
    first.locator("summary").click()
    assert first.locator("table").is_visible()
    with page.expect_download() as download:
        page.locator("a", has_text="Download CSV").first.click()
    path = download.value.path()
    with open(path, encoding="utf-8") as handle:
        header = handle.readline()
    assert "," in header

    page.get_by_role("link", name="Open the review queue").click()
    page.get_by_text("Caller mentioned a knife.").wait_for()
    assert "handler-bo" in page.locator("main").inner_text()
