"""Login plumbing: the client address that django-axes counts failures against, the
per-address ceiling on failures, and the per-request user load."""

import functools

from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from .roles import remember_roles
from .rows import instance_from_row, model_columns


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, so
    a client cannot forge it by sending its own header)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def address_failures(address: str) -> int:
    """Failed logins from this address, for any username, within the cool-off."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()


class AddressCeilingBackend:
    """Refuses every login from an address with LOGIN_FAILURES_PER_ADDRESS failed logins
    (any usernames) within AXES_COOLOFF_TIME: one address trying many usernames.

    django-axes counts per (username, address) only, with one limit for all its
    parameters, so this second, higher ceiling is counted here from axes' own failure log
    (AXES_ENABLE_ACCESS_FAILURE_LOG). It answers with axes' lockout page. It has no
    get_user: it authenticates nobody, so no session is ever bound to it.
    """

    def authenticate(self, request, **credentials):
        if request is None or settings.LOGIN_FAILURES_PER_ADDRESS <= 0:
            return None
        if address_failures(client_ip(request)) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise PermissionDenied("Too many failed logins from this address.")
        return None


class RoleAwareBackend(ModelBackend):
    """ModelBackend whose per-request user load also reads the user's roles and whether
    they have a confirmed second-factor device, in the same query.

    Every request loads its user; without this it would then ask for the user's groups
    (``core.roles.user_roles``) and devices (``core.middleware.OTPRequiredMiddleware``)
    in two more queries. The query is written out (``_user_sql``): it runs on every
    request, and building the same thing with the ORM costs more than the two queries.
    """

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        with connection.cursor() as cursor:
            cursor.execute(_user_sql(), [user_id])
            rows = cursor.fetchall()
        if not rows:
            return None
        user = instance_from_row(get_user_model(), rows[0])
        if not self.user_can_authenticate(user):
            return None
        remember_roles(user, (row[-2] for row in rows))
        user._triage_has_otp_device = bool(rows[0][-1])
        return user


@functools.cache
def _user_sql() -> str:
    """The user, one row per group they hold (a NULL name for none), and whether they have
    a confirmed TOTP device. Names come from model metadata."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user_model = get_user_model()
    qn = connection.ops.quote_name
    users = qn(user_model._meta.db_table)
    memberships = user_model.groups.through._meta
    groups = qn(user_model.groups.field.related_model._meta.db_table)
    devices = qn(TOTPDevice._meta.db_table)
    member_user = qn(memberships.get_field("user").column)
    member_group = qn(memberships.get_field("group").column)
    columns = model_columns(user_model, "u")
    return (
        f"SELECT {columns}, g.{qn('name')} AS role_name, EXISTS ("  # noqa: S608 - no user input
        f"SELECT 1 FROM {devices} d WHERE d.{qn('user_id')} = u.{qn('id')} "
        f"AND d.{qn('confirmed')}) AS has_otp_device "
        f"FROM {users} u "
        f"LEFT JOIN {qn(memberships.db_table)} m ON m.{member_user} = u.{qn('id')} "
        f"LEFT JOIN {groups} g ON g.{qn('id')} = m.{member_group} "
        f"WHERE u.{qn('id')} = %s"
    )
