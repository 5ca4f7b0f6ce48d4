import os

import pytest
from django.conf import settings
from django.db import connection

from tests import factories

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _missing(item, what):
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available", pytrace=False)
    pytest.skip(f"needs {what}")


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="browser tests refresh the README pictures (docs/screenshots/) and save the journeys under bench/screenshots/",
    )


def _browser_available() -> bool:
    import shutil

    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return False
    return bool(os.environ.get("CHROMIUM_PATH") or shutil.which("chromium"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The fast core first: the browser journeys and the slow tests (the real address
    matcher) run last, so that a broken core fails in minutes, not after them. A stable
    sort, after pytest-django's own ordering."""
    items.sort(
        key=lambda item: bool(item.get_closest_marker("browser") or item.get_closest_marker("slow"))
    )


def pytest_runtest_setup(item):
    """Service-bound tests skip locally without the service, and fail in CI."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing(item, "PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        _missing(item, "Redis (set REDIS_URL)")
    if item.get_closest_marker("browser") and not _browser_available():
        _missing(item, "Chromium and pytest-playwright (apt-get install -y chromium)")


@pytest.fixture(autouse=True)
def _fresh_dashboards(settings):
    """Every dashboard view counts afresh unless a test turns the shared cache on."""
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def handler(db):
    return factories.UserFactory(role="call_handler")


@pytest.fixture
def triage_staff(db):
    return factories.UserFactory(role="triage_staff")


@pytest.fixture
def supervisor(db):
    return factories.UserFactory(role="supervisor")


@pytest.fixture
def no_role_user(db):
    return factories.UserFactory(role=None)


@pytest.fixture
def login(client):
    """login(user) -> a test client logged in as user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
