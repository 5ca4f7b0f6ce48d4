"""Browser journeys: Debian's Chromium driven by pytest-playwright against live_server.

The live server runs in a thread while Playwright's sync API keeps an event loop in the
test thread; the ORM calls made by the tests themselves are synchronous and safe.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench" / "screenshots"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


@pytest.fixture
def screenshot(request, page):
    """screenshot(name): save the page under bench/screenshots/ when run with --screenshots."""

    def _take(name):
        if request.config.getoption("--screenshots"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _take


@pytest.fixture
def log_in(page, live_server):
    """log_in(user): through the login page, keyboard only."""

    from playwright.sync_api import expect

    def _log_in(user):
        page.goto(f"{live_server.url}/login/")
        # The username field takes the focus; on a busy machine only after "load", so wait
        # for it rather than type into whatever has the focus first.
        expect(page.locator("input[name=username]")).to_be_focused()
        page.keyboard.type(user.username)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return _log_in


def focused_name(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.name || ''")


def tab_to(page, name: str, value: str | None = None, limit: int = 150):
    """Press Tab until the named control (and value, for radios) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => [document.activeElement.name || '', document.activeElement.value || '']"
        )
        if here[0] == name and (value is None or here[1] == value):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def axe_violations(page, impacts=("serious", "critical")):
    """Serious and critical accessibility violations on the page (axe-core)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in impacts
    ]
