"""Login hardening: Argon2, password rules, lockout per (account, address), idle expiry, TOTP."""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _attempt(client, username, password, ip):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _code(device, offset=0):
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"
    )


def test_argon2_is_the_first_password_hasher():
    # Read from the module: the suite itself swaps in MD5 for speed (tests/conftest.py).
    from config import settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_new_passwords_are_hashed_with_argon2(settings):
    from config import settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    user = UserFactory(role=None)
    user.set_password("a long passphrase of words")
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize(
    "password",
    ["short-pw-11", "password1234", "12345678901234", "user12345678x"],
    ids=["shorter-than-12", "common", "all-numeric", "like-the-username"],
)
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="user12345678x")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted():
    validate_password("tidal-copper-lantern-97", UserFactory.build(username="jo"))


def test_ten_failures_lock_that_account_from_that_address(client, handler):
    for _ in range(9):
        assert _attempt(client, handler.username, "wrong", "10.1.1.1").status_code == 200
    assert _attempt(client, handler.username, "wrong", "10.1.1.1").status_code == 429
    response = _attempt(client, handler.username, PASSWORD, "10.1.1.1")
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_nine_failures_do_not_lock_the_account(client, handler):
    for _ in range(9):
        _attempt(client, handler.username, "wrong", "10.1.1.1")
    response = _attempt(client, handler.username, PASSWORD, "10.1.1.1")
    assert response.status_code == 302


def test_a_lockout_from_elsewhere_does_not_lock_the_colleague_out(client, handler):
    for _ in range(12):
        _attempt(client, handler.username, "wrong", "10.9.9.9")
    response = _attempt(client, handler.username, PASSWORD, "10.1.1.1")
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_a_lockout_ends_after_the_cool_off(client, handler, settings):
    from datetime import timedelta

    for _ in range(10):
        _attempt(client, handler.username, "wrong", "10.1.1.1")
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    assert _attempt(client, handler.username, PASSWORD, "10.1.1.1").status_code == 302


def test_the_lockout_is_ten_failures_in_fifteen_minutes_per_username_and_address():
    from datetime import timedelta

    assert django_settings.AXES_FAILURE_LIMIT == 10
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_behind_a_trusted_proxy_the_forwarded_address_counts(rf, settings):
    from core.auth import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.2.3.4", REMOTE_ADDR="172.16.0.1")
    assert client_ip(request) == "10.2.3.4"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.16.0.1"


def test_sessions_end_after_30_idle_minutes_and_when_the_browser_closes():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert "core.middleware.SessionTouchMiddleware" in django_settings.MIDDLEWARE


def _stored_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_pushes_the_idle_deadline_on_at_most_once_a_minute(login, handler):
    from core.middleware import SESSION_TOUCH_SECONDS

    client = login(handler)
    client.get(reverse("triage:call-new"))  # the first request after log-in touches
    touched = _stored_expiry(client)
    time.sleep(0.01)
    client.get(reverse("triage:call-new"))
    assert _stored_expiry(client) == touched  # within the minute: no session write
    session = client.session
    session["_touched_at"] -= SESSION_TOUCH_SECONDS  # the last push was a minute ago
    session.save()
    pushed_from = _stored_expiry(client)
    time.sleep(0.01)
    client.get(reverse("triage:call-new"))
    assert _stored_expiry(client) > pushed_from
    assert _stored_expiry(client) > touched


def test_an_expired_session_is_sent_to_log_in(login, handler):
    client = login(handler)
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get(reverse("triage:call-new"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Second factor --------------------------------------------------------------------------


def _confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_without_the_setting_a_supervisor_needs_no_second_factor(login, supervisor, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = False
    assert login(supervisor).get(reverse("dashboards:home")).status_code == 200


def test_with_the_setting_an_unenrolled_supervisor_is_sent_to_enrol(login, supervisor, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    response = login(supervisor).get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:otp-setup"))


def test_with_the_setting_an_enrolled_supervisor_must_verify(login, supervisor, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    _confirmed_device(supervisor)
    response = login(supervisor).get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:otp-verify"))


@pytest.mark.parametrize("superuser", [True, False], ids=["superuser", "staff"])
def test_with_the_setting_admins_must_verify_before_the_admin(client, settings, superuser):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    admin = UserFactory(role=None, is_superuser=superuser, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:otp-setup"))


def test_with_the_setting_unverified_supervisors_are_refused_by_the_api(
    login, supervisor, settings
):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    assert login(supervisor).get("/api/calls/").status_code == 403


def test_with_the_setting_handlers_are_not_asked_for_a_second_factor(login, handler, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    assert login(handler).get(reverse("triage:call-new")).status_code == 200


def test_a_correct_code_verifies_the_session(login, supervisor, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    device = _confirmed_device(supervisor)
    client = login(supervisor)
    response = client.post(
        reverse("core:otp-verify"), {"token": _code(device), "next": reverse("dashboards:home")}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboards:home")
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_a_wrong_code_is_refused(login, supervisor, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    device = _confirmed_device(supervisor)
    client = login(supervisor)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("core:otp-verify"), {"token": wrong})
    assert response.status_code == 400
    assert client.get(reverse("dashboards:home")).status_code == 302


def test_repeated_wrong_codes_are_throttled(login, supervisor):
    device = _confirmed_device(supervisor)
    client = login(supervisor)
    for _ in range(3):
        client.post(reverse("core:otp-verify"), {"token": "000000x"})
    device.refresh_from_db()
    assert device.throttling_failure_count >= 3
    # Even the right code waits out the throttle.
    response = client.post(reverse("core:otp-verify"), {"token": _code(device)})
    assert response.status_code == 400


def test_the_verify_page_never_redirects_off_site(login, supervisor):
    device = _confirmed_device(supervisor)
    response = login(supervisor).post(
        reverse("core:otp-verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(login, supervisor, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = True
    client = login(supervisor)
    page = client.get(reverse("core:otp-setup"))
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    response = client.post(reverse("core:otp-setup"), {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_a_user_who_enrolled_voluntarily_must_use_it(login, handler, settings):
    settings.OTP_REQUIRED_FOR_SUPERVISORS = False
    _confirmed_device(handler)
    response = login(handler).get(reverse("triage:call-new"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:otp-verify"))


def test_the_qr_code_has_no_inline_style(login, handler):
    html = login(handler).get(reverse("core:otp-setup")).content.decode()
    assert "style=" not in html


def test_passwords_built_on_context_words_are_refused():
    with pytest.raises(ValidationError):
        validate_password("Farmington2026!", UserFactory.build(username="jo"))


def test_a_forces_own_words_are_refused_too(settings):
    from core.validators import ContextWordsValidator

    settings.PASSWORD_CONTEXT_WORDS = ["fenland"]
    with pytest.raises(ValidationError):
        ContextWordsValidator().validate("Fenland12345")
    ContextWordsValidator().validate("fenland is a lovely flat place")


def test_with_otp_for_all_every_role_must_enrol(login, handler, settings):
    settings.OTP_REQUIRED_FOR_ALL = True
    response = login(handler).get(reverse("triage:call-new"))
    assert response.url.startswith(reverse("core:otp-setup"))


# Security events ------------------------------------------------------------------------


def test_logins_are_logged_by_user_id_never_by_what_was_typed(client, handler, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="core.security"):
        _attempt(client, handler.username, "my-secret-typo", "10.1.1.1")
        _attempt(client, "my-password-in-the-wrong-box", "x", "10.1.1.1")
        _attempt(client, handler.username, PASSWORD, "10.1.1.1")
    messages = [r.getMessage() for r in caplog.records if r.name == "core.security"]
    assert f"login failed user_id={handler.pk} from=10.1.1.1" in messages
    assert "login failed user_id=unknown from=10.1.1.1" in messages
    assert f"login succeeded user_id={handler.pk} from=10.1.1.1" in messages
    assert "my-password-in-the-wrong-box" not in caplog.text
    assert "my-secret-typo" not in caplog.text


def test_a_refusal_is_logged_with_who_and_the_path_only(login, handler, caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="core.security"):
        login(handler).get(reverse("dashboards:home"), {"q": "secret"})
    assert (
        f"access refused status=403 user_id={handler.pk} method=GET path=/dashboard/" in caplog.text
    )
    assert "secret" not in caplog.text


def test_a_role_taken_away_is_gone_at_the_next_request(login, handler):
    from django.contrib.auth.models import Group

    client = login(handler)
    assert client.get(reverse("triage:call-new")).status_code == 200
    handler.groups.remove(Group.objects.get(name="call_handler"))
    assert client.get(reverse("triage:call-new")).status_code == 403


def test_a_deactivated_user_is_logged_out_at_the_next_request(login, handler):
    client = login(handler)
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    response = client.get(reverse("triage:call-new"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_one_address_trying_many_usernames_meets_the_address_ceiling(client, handler, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    for n in range(5):
        assert _attempt(client, f"someone{n}", "wrong", "10.5.5.5").status_code == 200
    response = _attempt(client, handler.username, PASSWORD, "10.5.5.5")
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    # Elsewhere the same account logs in.
    assert _attempt(client, handler.username, PASSWORD, "10.6.6.6").status_code == 302


def test_under_the_address_ceiling_a_login_from_that_address_succeeds(client, handler, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    for n in range(4):
        _attempt(client, f"someone{n}", "wrong", "10.5.5.5")
    assert _attempt(client, handler.username, PASSWORD, "10.5.5.5").status_code == 302


def test_the_address_ceiling_is_fifty_failures_in_the_same_fifteen_minutes(settings):
    from datetime import timedelta

    from config import settings as configured

    assert configured.LOGIN_FAILURES_PER_ADDRESS == 50
    assert timedelta(minutes=15) == configured.AXES_COOLOFF_TIME
    assert "core.auth.AddressCeilingBackend" in configured.AUTHENTICATION_BACKENDS
