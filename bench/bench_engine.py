"""RCRP engine speed: evaluations per second, with and without fact validation.

    python bench/bench_engine.py [--n 200000]

Pure Python, no database: the engine is what every keystroke of the handler's screen
and every call intake runs.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage import engine  # noqa: E402


def random_facts(rng: random.Random) -> dict:
    """Random facts that satisfy the specification's cross-field rules."""
    facts = {}
    for spec in engine.FACT_FIELDS:
        if spec.kind == "enum":
            facts[spec.name] = rng.choice(spec.choices)
        elif spec.kind == "bool":
            facts[spec.name] = rng.choice([True, False, None] if spec.nullable else [True, False])
        elif spec.kind == "flags":
            facts[spec.name] = rng.sample(spec.choices, rng.randint(0, 3))
        elif spec.kind == "int":
            facts[spec.name] = rng.randint(1, 6)
        else:
            facts[spec.name] = rng.choice([None, round(rng.uniform(0, 72), 1)])
    concern = facts["concern_type"]
    if concern == "s136_handover":
        facts["patient_status"] = "detained_s136"
    else:
        facts["minutes_since_arrival"] = facts["handover_accepted"] = None
    if concern == "awol":
        facts["patient_status"] = rng.choice(["detained_mha", "detained_mha_restricted"])
    if concern == "walkout" and facts["patient_status"].startswith("detained"):
        facts["patient_status"] = "informal_patient"
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="evaluations to time")
    args = parser.parse_args()
    rng = random.Random(42)
    rules = engine.load_default_ruleset()
    raw = [random_facts(rng) for _ in range(5_000)]
    parsed = [engine.parse_facts(f) for f in raw]
    rounds = max(1, args.n // len(raw))

    start = time.perf_counter()
    for _ in range(rounds):
        for facts in parsed:
            engine.evaluate(facts, rules)
    evaluate_s = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(rounds):
        for facts in raw:
            engine.evaluate(engine.parse_facts(facts), rules)
    full_s = time.perf_counter() - start

    n = rounds * len(raw)
    print(f"engine: {n} evaluations of random valid facts against {len(rules.rules)} rules")
    print(
        f"  evaluate only:       {n / evaluate_s:>10,.0f} /s  ({1e6 * evaluate_s / n:.1f} µs each)"
    )
    print(f"  validate + evaluate: {n / full_s:>10,.0f} /s  ({1e6 * full_s / n:.1f} µs each)")


if __name__ == "__main__":
    main()
