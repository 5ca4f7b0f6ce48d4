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


def _policy(user):
    """A draft version of the repeat-caller policy."""
    from referrals import farmington

    return {"pk": farmington.policy_draft_create(threshold=4, window_days=28).pk}


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
    # The repeat-caller policy is the supervisors' to change.
    "referrals:policy-list": frozenset({S}),
    "referrals:policy-detail": frozenset({S}),
    "referrals:policy-publish": frozenset({S}),
    "referral-list": TEAM,
    "referral-detail": TEAM,
    "referral-actions": TEAM,
    "referral-notes": TEAM,
    "referral-plans": TEAM,
    # The Farmington impact report (issue 24).
    "farmington-impact": TEAM,
}
SAMPLE_KWARGS = {
    name: _referral
    for name in ACCESS
    if name
    not in (
        "referrals:queue",
        "referrals:new",
        "referrals:review",
        "referral-list",
        "referrals:policy-list",
        "referrals:policy-detail",
        "referrals:policy-publish",
        "farmington-impact",
    )
}
SAMPLE_KWARGS["referrals:policy-detail"] = _policy
SAMPLE_KWARGS["referrals:policy-publish"] = _policy
