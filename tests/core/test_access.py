"""Least privilege: every URL pattern has an access rule, checked for every role.

The list of routes comes from the URL resolver, so a new page or endpoint without an
entry in ACCESS fails ``test_every_route_has_an_access_rule``.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

H, T, S = "call_handler", "triage_staff", "supervisor"
EVERYONE = frozenset({H, T, S})
# Checked too: the auditor (reads the processing log and nothing else) and an account
# that holds no role at all.
AUDITOR, NO_ROLE = "auditor", "no role"
# The mental-health practitioner: live consults and the calls under consult only.
MHP = "mh_practitioner"
PUBLIC = "public"


def _own_call(user):
    from tests.factories import take_call

    return {"pk": take_call(handler=user).pk}


SAMPLE_KWARGS: dict = {
    "triage:call-detail": _own_call,
    "call-detail": _own_call,
    "call-decision": _own_call,
}
# url name -> roles allowed (PUBLIC: anonymous too). Sample kwargs where a route needs them.
ACCESS = {
    "login": PUBLIC,
    "logout": PUBLIC,
    "core:home": EVERYONE | {AUDITOR, MHP},  # each role's home; the auditor's is the log
    "triage:call-new": {H},
    "triage:call-suggest": {H},
    "triage:dwelling-panel": {H},
    "triage:call-detail": {H, S},
    "triage:call-list": {H, S},
    "triage:review-queue": {S},
    "referrals:queue": {T, S},
    "dashboards:home": {S},
    "triage-evaluate": EVERYONE,
    "call-list": {H, S},
    "call-detail": {H, S},
    "call-decision": {H},
    "api-schema": EVERYONE,
    "api-docs": EVERYONE,
}
# Each app may keep its routes' rules beside its own tests.
for _module in (
    "tests.referrals.access_rules",
    "tests.callers.access_rules",
    "tests.dashboards.access_rules",
    "tests.core.access_rules",
    "tests.triage.access_rules",
    "tests.training.access_rules",
    "tests.consults.access_rules",
    "tests.consolidation.access_rules",
):
    try:
        _extra = __import__(_module, fromlist=["ACCESS"])
    except ModuleNotFoundError:
        continue
    ACCESS.update(_extra.ACCESS)
    SAMPLE_KWARGS.update(getattr(_extra, "SAMPLE_KWARGS", {}))

# Routes outside the app's own access model (Django admin keeps its own staff check).
EXEMPT_PREFIXES = ("admin:",)


def _named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _named_routes(entry, ns)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}"
                if entry.name
                else f"{namespace}<unnamed {entry.pattern}>"
            )


def _routes():
    return sorted({r for r in _named_routes() if not r.startswith(EXEMPT_PREFIXES)})


def test_every_route_has_an_access_rule():
    missing = [r for r in _routes() if r not in ACCESS]
    assert missing == [], f"routes without an access rule in tests/core/test_access.py: {missing}"


def _get(client, name, user=None):
    kwargs = SAMPLE_KWARGS.get(name)
    if callable(kwargs):
        kwargs = kwargs(user)
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    if response.status_code == 405:
        # A POST-only route: the role check must hold for the method it takes too.
        response = client.post(url, {})
    return response


@pytest.mark.parametrize("name", sorted(n for n, rule in ACCESS.items() if rule != PUBLIC))
def test_anonymous_users_are_sent_to_log_in_or_refused(client, name):
    response = _get(client, name)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", sorted(EVERYONE | {AUDITOR, NO_ROLE, MHP}))
@pytest.mark.parametrize("name", sorted(n for n, rule in ACCESS.items() if rule != PUBLIC))
def test_each_role_is_allowed_or_refused_as_designed(login, role, name):
    from tests.factories import UserFactory

    user = UserFactory(role=None if role == NO_ROLE else role)
    response = _get(login(user), name, user)
    if role in ACCESS[name]:
        # 400: the role passed and the empty POST body was refused as invalid.
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 403
