"""What the intake benchmarks send, and how they summarise timings (no Django here)."""

import random

from bench.bench_engine import random_facts

STREETS = ["High Street", "Station Road", "Mill Lane", "Church Road", "Victoria Road", "Park Road"]
TOWNS = [("Ely", "CB7 4AA"), ("March", "PE15 8NH"), ("Wisbech", "PE13 1AB"), ("Soham", "CB7 5AB")]


def call_body(rng: random.Random, *, houses: int = 400) -> dict:
    """A POST /api/calls/ body: a typed address (30% flats) and random valid facts."""
    town, postcode = rng.choice(TOWNS)
    flat = f"Flat {rng.randint(1, 8)}, " if rng.random() < 0.3 else ""
    return {
        "channel": rng.choice(["999", "101"]),
        "address": f"{flat}{rng.randint(1, houses)} {rng.choice(STREETS)}, {town} {postcode}",
        "narrative": "Caller concerned for a neighbour.",
        "facts": random_facts(rng),
    }


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
