"""Roles and least-privilege checks.

A role is a Django auth group. Superusers hold every role. Views state the roles they
allow with ``role_required``; API views with ``HasRole`` and an ``allowed_roles`` attribute.
"""

from enum import StrEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class Role(StrEnum):
    HANDLER = "call_handler"
    TRIAGE = "triage_staff"
    SUPERVISOR = "supervisor"
    # Information governance / professional standards: reads the processing log, nothing else.
    AUDITOR = "auditor"
    # A mental-health nurse practitioner in the control room: answers live consults and
    # sees the calls under consult, nothing else (not in ALL_ROLES or CASEWORK_ROLES).
    MH_PRACTITIONER = "mh_practitioner"


# The operational roles: every role that works with calls and referrals. The auditor is
# deliberately not among them, so "any staff role" never lets an auditor read casework.
ALL_ROLES = frozenset({Role.HANDLER, Role.TRIAGE, Role.SUPERVISOR})
KNOWN_ROLES = frozenset(Role)
# Who may see referral notes, actions and full dwelling histories.
CASEWORK_ROLES = frozenset({Role.TRIAGE, Role.SUPERVISOR})
# Who may search and export the DPA 2018 s62 processing log.
LOG_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR})
# Who must verify a TOTP device when OTP_REQUIRED_FOR_SUPERVISORS is on (and superusers).
OTP_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR})


def user_roles(user) -> frozenset[str]:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_triage_roles", None)
    if cached is None:
        names = () if user.is_superuser else user.groups.values_list("name", flat=True)
        cached = remember_roles(user, names)
    return cached


def remember_roles(user, group_names) -> frozenset[str]:
    """Cache on ``user`` the roles its groups (named) give it: every role for a superuser."""
    user._triage_roles = (
        KNOWN_ROLES if user.is_superuser else frozenset(n for n in group_names if n in KNOWN_ROLES)
    )
    return user._triage_roles


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def role_label(user) -> str:
    """The roles recorded in the processing log: every role held, or "superuser"."""
    if getattr(user, "is_superuser", False):
        return "superuser"
    return ",".join(sorted(user_roles(user)))


def primary_role(user) -> str | None:
    """The role whose home page a user lands on (most senior first)."""
    roles = user_roles(user)
    for role in (Role.SUPERVISOR, Role.TRIAGE, Role.HANDLER, Role.MH_PRACTITIONER, Role.AUDITOR):
        if role in roles:
            return role
    return None


def role_required(*roles: str):
    """Allow only users holding one of ``roles``; anonymous users go to the login page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


class HasRole(BasePermission):
    """DRF permission: the view's ``allowed_roles`` (required) against the user's groups."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        allowed = getattr(view, "allowed_roles", None)
        if allowed is None:
            raise AssertionError(f"{view.__class__.__name__} must declare allowed_roles")
        return has_role(request.user, *allowed)


class HasOperationalRole(BasePermission):
    """DRF permission for views with no ``allowed_roles`` of their own (the API schema and
    its docs): any operational role (``ALL_ROLES``); not the auditor, not an account with
    no role."""

    message = HasRole.message

    def has_permission(self, request, view):
        return has_role(request.user, *ALL_ROLES)
