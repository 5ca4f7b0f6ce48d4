"""Security events for the application log: logins, logouts, refusals (ASVS V16.3).

Staff accounts are named by id, never by what was typed: a failed login's "username" may
be a mistyped password. No personal data of callers is ever involved.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("core.security")


def _address(request) -> str:
    if request is None:
        return "-"
    from .auth import client_ip

    return client_ip(request) or "-"


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    log.info("login succeeded user_id=%s from=%s", user.pk, _address(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log.info("logout user_id=%s", getattr(user, "pk", None))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    user_id = (
        get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
        if username
        else None
    )
    log.warning(
        "login failed user_id=%s from=%s", user_id if user_id else "unknown", _address(request)
    )


def log_refusal(request, response) -> None:
    """A 401/403: who was refused what (path only, never the query)."""
    user = getattr(request, "user", None)
    user_id = user.pk if getattr(user, "is_authenticated", False) else "anonymous"
    log.warning(
        "access refused status=%s user_id=%s method=%s path=%s",
        response.status_code,
        user_id,
        request.method,
        request.path,
    )


def log_otp_failure(request) -> None:
    log.warning("second factor refused user_id=%s from=%s", request.user.pk, _address(request))


def log_password_change(request, sessions_ended: int) -> None:
    log.info(
        "password changed user_id=%s from=%s other_sessions_ended=%s",
        request.user.pk,
        _address(request),
        sessions_ended,
    )
