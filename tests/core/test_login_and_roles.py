import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_served_to_anonymous_users(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.parametrize(
    ("role_fixture", "home"),
    [
        ("handler", "triage:call-new"),
        ("triage_staff", "referrals:queue"),
        ("supervisor", "dashboards:home"),
    ],
)
def test_each_role_lands_on_its_home_after_login(client, request, role_fixture, home):
    user = request.getfixturevalue(role_fixture)
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": "correct-horse-battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, handler):
    response = client.post(reverse("login"), {"username": handler.username, "password": "nope"})
    assert response.status_code == 200
    assert b"enter a correct username and password" in response.content


def test_a_user_without_a_role_is_told_so(login, no_role_user):
    response = login(no_role_user).get(reverse("core:home"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role_fixture", "shown", "hidden"),
    [
        ("handler", ["New call"], ["Referral queue", "Dashboard", "Review queue"]),
        ("triage_staff", ["Referral queue"], ["New call", "Dashboard", "Review queue"]),
        ("supervisor", ["Dashboard", "Review queue", "Referral queue"], ["New call"]),
    ],
)
def test_navigation_shows_only_what_the_role_may_use(login, request, role_fixture, shown, hidden):
    user = request.getfixturevalue(role_fixture)
    html = login(user).get(reverse("core:home"), follow=True).content.decode()
    nav = html.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for label in shown:
        assert f">{label}<" in nav
    for label in hidden:
        assert f">{label}<" not in nav


@pytest.mark.parametrize(
    ("role_fixture", "url", "current"),
    [
        ("handler", "triage:call-new", "New call"),
        ("handler", "triage:call-list", "Calls"),
        ("supervisor", "triage:review-queue", "Review queue"),
        ("supervisor", "triage:ruleset-list", "Rule sets"),
        ("supervisor", "referrals:review", "Weekly review"),
        ("supervisor", "referrals:queue", "Referral queue"),
    ],
)
def test_navigation_marks_one_item_as_the_current_page(login, request, role_fixture, url, current):
    user = request.getfixturevalue(role_fixture)
    html = login(user).get(reverse(url)).content.decode()
    nav = html.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert nav.count('aria-current="page"') == 1
    assert f'aria-current="page">{current}<' in nav


def test_logout_ends_the_session(login, handler):
    client = login(handler)
    client.post(reverse("logout"))
    response = client.get(reverse("triage:call-new"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
