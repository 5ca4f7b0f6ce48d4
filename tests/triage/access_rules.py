"""Access rules for the rule-set pages (merged by tests/core/test_access.py)."""


def _ruleset(user):
    from triage.selectors import ruleset_current

    return {"pk": ruleset_current()[0].pk}


S = "supervisor"
ACCESS = {
    "triage:ruleset-list": {S},
    "triage:ruleset-detail": {S},
    "triage:ruleset-publish": {S},
}
SAMPLE_KWARGS = {
    "triage:ruleset-detail": _ruleset,
    "triage:ruleset-publish": _ruleset,
}
