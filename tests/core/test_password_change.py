"""Every user changes their own password (ASVS 6.2.2): the current one required, the same
rules, and their other sessions end."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW = "tidal-copper-lantern-97"
URL = "/account/password/"


def _logged_in_client(user, password=PASSWORD):
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    return client


def _change(client, current=PASSWORD, new=NEW, again=None):
    return client.post(
        URL, {"old_password": current, "new_password1": new, "new_password2": again or new}
    )


def test_the_url_is_account_password():
    assert reverse("core:password-change") == URL


def test_a_user_changes_their_own_password_and_stays_logged_in(handler):
    client = _logged_in_client(handler)
    response = _change(client)
    assert response.status_code == 302 and response.url == reverse("core:account")
    handler.refresh_from_db()
    assert handler.check_password(NEW)
    assert client.get(reverse("core:account")).status_code == 200


def test_their_other_sessions_end(handler, supervisor):
    here, elsewhere = _logged_in_client(handler), _logged_in_client(handler)
    colleague = _logged_in_client(supervisor)
    _change(here)
    assert elsewhere.get(reverse("core:account")).status_code == 302  # to log in
    assert colleague.get(reverse("core:account")).status_code == 200
    assert here.get(reverse("core:account")).status_code == 200
    owners = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert owners.count(str(handler.pk)) == 1


def test_the_current_password_is_required(handler):
    client = _logged_in_client(handler)
    response = _change(client, current="not-my-password")
    assert response.status_code == 200
    assert "Your current password is not right" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short-pw-11", "password1234", "12345678901234"])
def test_the_same_password_rules_apply(handler, weak):
    client = _logged_in_client(handler)
    response = _change(client, new=weak)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)


def test_the_two_new_passwords_must_match(handler):
    response = _change(_logged_in_client(handler), again=NEW + "x")
    assert "The two new passwords are not the same" in response.content.decode()


def test_any_logged_in_user_may_change_theirs_even_without_a_role():
    user = UserFactory(role=None)
    assert _change(_logged_in_client(user)).status_code == 302


def test_logged_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url


def test_wrong_current_passwords_count_towards_the_lockout(handler, settings):
    """A stolen session cannot guess the current password freely: each wrong one counts as
    a failed login, and after the limit even the right one is refused."""
    from axes.models import AccessAttempt

    client = _logged_in_client(handler)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _change(client, current="a-guess-at-it")
    assert AccessAttempt.objects.filter(username=handler.username).exists()
    response = _change(client)
    assert response.status_code == 429  # locked out, as a login would be
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)
