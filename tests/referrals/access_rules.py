"""Access rules for the referral pages and API (merged by tests/core/test_access.py).

Only the Farmington team (triage staff and supervisors) may open referrals; call handlers
see an open referral's status at intake and nothing more.
"""

T, S = "triage_staff", "supervisor"
TEAM = frozenset({T, S})


def _referral(user):
    """A referral, with the reader's justification already given (so reads show data)."""
    from tests.referrals.factories import ReferralFactory, justify

    referral = ReferralFactory()
    if user is not None:
        justify(user, referral)
    return {"pk": referral.pk}


ACCESS = {
    "referrals:queue": TEAM,
    "referrals:new": TEAM,
    "referrals:review": TEAM,
    "referrals:detail": TEAM,
    "referrals:assign": TEAM,
    "referrals:transition": TEAM,
    "referrals:note-add": TEAM,
    "referrals:action-add": TEAM,
    "referrals:plan-publish": TEAM,
    "referrals:review-record": TEAM,
    "referral-list": TEAM,
    "referral-detail": TEAM,
    "referral-actions": TEAM,
    "referral-notes": TEAM,
    "referral-plans": TEAM,
}
SAMPLE_KWARGS = {
    name: _referral
    for name in ACCESS
    if name not in ("referrals:queue", "referrals:new", "referrals:review", "referral-list")
}
