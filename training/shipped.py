"""The shipped practice scenarios (scenarios.yaml), loaded by a data migration."""

from pathlib import Path

import yaml

SCENARIOS_PATH = Path(__file__).resolve().parent / "scenarios.yaml"

# A neutral welfare call: each shipped scenario gives only the answers that differ.
NEUTRAL_FACTS = {
    "concern_type": "welfare_check",
    "caller_type": "public",
    "location_type": "home",
    "patient_status": "none",
    "crime": "none",
    "violence_or_weapon": False,
    "immediate_risk": "none",
    "child_at_risk": False,
    "medical_need": "none",
    "capacity": "unknown",
    "known_to_service": "none",
    "vulnerability_flags": [],
    "reasonable_steps_taken": None,
    "rave_risk": False,
    "entry_required": False,
    "hours_since_last_seen": None,
    "minutes_since_arrival": None,
    "handover_accepted": None,
}


def shipped_scenarios() -> list[dict]:
    """Each shipped scenario as {"title", "narrative", "facts"} with every fact present."""
    document = yaml.safe_load(SCENARIOS_PATH.read_text(encoding="utf-8"))
    return [
        {
            "title": item["title"],
            "narrative": item["narrative"].strip(),
            "facts": {**NEUTRAL_FACTS, **item["facts"]},
        }
        for item in document["scenarios"]
    ]
