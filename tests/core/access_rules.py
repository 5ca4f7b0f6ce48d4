"""Access rules for core's routes, merged into tests/core/test_access.py."""

H, T, S = "call_handler", "triage_staff", "supervisor"
AUDITOR = "auditor"
EVERYONE = frozenset({H, T, S})
# Whoever is logged in, whatever they hold (an auditor, an account with no role yet).
LOGGED_IN = EVERYONE | {AUDITOR, "no role", "mh_practitioner"}


def _own_token(user):
    from core.models import ApiToken
    from tests.factories import UserFactory

    owner = user or UserFactory(role=None)
    token = ApiToken.objects.create(
        user=owner, name="t", prefix="abcd1234", key_hash=f"h{owner.pk}"
    )
    return {"pk": token.pk}


ACCESS = {
    "core:account": LOGGED_IN,
    "core:password-change": LOGGED_IN,
    "core:token-revoke": LOGGED_IN,
    "core:otp-setup": LOGGED_IN,
    "core:otp-verify": LOGGED_IN,
    # The processing log: supervisors and the auditor role (checked in test_processing_log).
    "core:log-search": {S, AUDITOR},
    "core:log-export": {S, AUDITOR},
}
SAMPLE_KWARGS = {"core:token-revoke": _own_token}
