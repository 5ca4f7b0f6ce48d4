"""Access rules for the dwelling pages (merged by tests/core/test_access.py)."""

T, S = "triage_staff", "supervisor"


def _dwelling(user):
    from tests.referrals.factories import DwellingFactory, justify

    dwelling = DwellingFactory()
    if user is not None:
        justify(user, dwelling=dwelling)
    return {"pk": dwelling.pk}


ACCESS = {
    "callers:dwelling-search": {T, S},
    "callers:dwelling-detail": {T, S},
}
SAMPLE_KWARGS = {"callers:dwelling-detail": _dwelling}
