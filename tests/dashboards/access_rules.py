"""Access rules for the supervisor dashboards (merged by tests/core/test_access.py)."""

S = "supervisor"
T = "triage_staff"
ACCESS = {
    "dashboards:home": {S},
    "dashboards:pack": {S},
    "dashboards:busiest": {S},
    "dashboards:export": {S},
    "dashboards:export-shared": {S},
    # The Farmington impact report (issue 24): the referrals team and supervisors.
    "dashboards:impact": {T, S},
    "dashboards:impact-print": {T, S},
    "dashboards:impact-export": {T, S},
}
SAMPLE_KWARGS = {"dashboards:export": {"table": "demand_daily"}}
