from django.urls import reverse

from .roles import Role, user_roles

# (label, url name, roles that may use it); the server enforces the same roles.
NAV_ITEMS = (
    ("New call", "triage:call-new", {Role.HANDLER}),
    ("Calls", "triage:call-list", {Role.HANDLER, Role.SUPERVISOR}),
    ("Referral queue", "referrals:queue", {Role.TRIAGE, Role.SUPERVISOR}),
    ("Weekly review", "referrals:review", {Role.TRIAGE, Role.SUPERVISOR}),
    ("Dwellings", "callers:dwelling-search", {Role.TRIAGE, Role.SUPERVISOR}),
    ("Possible same dwelling", "consolidation:possible-list", {Role.TRIAGE, Role.SUPERVISOR}),
    ("Dashboard", "dashboards:home", {Role.SUPERVISOR}),
    ("Farmington impact", "dashboards:impact", {Role.TRIAGE, Role.SUPERVISOR}),
    ("Review queue", "triage:review-queue", {Role.SUPERVISOR}),
    ("Rule sets", "triage:ruleset-list", {Role.SUPERVISOR}),
    ("Repeat policy", "referrals:policy-list", {Role.SUPERVISOR}),
    ("Training", "training:home", {Role.HANDLER, Role.TRIAGE, Role.SUPERVISOR}),
    ("Processing log", "core:log-search", {Role.SUPERVISOR, Role.AUDITOR}),
    ("Consult queue", "consults:queue", {Role.MH_PRACTITIONER}),
    ("My consults", "consults:mine", {Role.MH_PRACTITIONER}),
    ("Consult figures", "consults:figures", {Role.SUPERVISOR}),
)


def navigation(request):
    roles = user_roles(getattr(request, "user", None))
    if not roles:
        return {"nav_items": (), "user_roles": roles}
    items = [
        {"label": label, "url": reverse(name), "active": False}
        for label, name, allowed in NAV_ITEMS
        if roles & allowed
    ]
    # The page is the item with the longest URL it is under: /calls/new/ is "New call", not
    # also "Calls"; one item at most is the current page.
    under = [item for item in items if request.path.startswith(item["url"])]
    if under:
        max(under, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items, "user_roles": roles}
