"""Access rules for the supervisor dashboards (merged by tests/core/test_access.py)."""

S = "supervisor"
ACCESS = {
    "dashboards:home": {S},
    "dashboards:pack": {S},
    "dashboards:busiest": {S},
    "dashboards:export": {S},
    "dashboards:export-shared": {S},
}
SAMPLE_KWARGS = {"dashboards:export": {"table": "demand_daily"}}
