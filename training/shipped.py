"""The shipped practice scenarios (scenarios.yaml), loaded by a data migration."""

from pathlib import Path

import yaml

from triage.engine import neutral_facts

SCENARIOS_PATH = Path(__file__).resolve().parent / "scenarios.yaml"

# A neutral welfare call: each shipped scenario gives only the answers that differ.
NEUTRAL_FACTS = {k: v for k, v in neutral_facts().items() if k != "repeat_calls_30d"}


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
