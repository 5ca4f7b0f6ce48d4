"""Precision and recall of the dwelling matcher on bench/address_pairs.csv, and its speed.

A pair is matched the way callers.services resolves an address: equal non-empty keys, or
same_dwelling() on the parsed parts. Exits 1 when a target is missed.
Run: python bench/bench_addresses.py
"""

import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callers.addresses import dwelling_key, parse_address, same_dwelling  # noqa: E402

PAIRS = ROOT / "bench" / "address_pairs.csv"
PRECISION_TARGET = 0.99
RECALL_TARGET = 0.97
SHOWN = 20


def matches(a: str, b: str) -> bool:
    key = dwelling_key(a)
    if key and key == dwelling_key(b):
        return True
    return same_dwelling(parse_address(a), parse_address(b))


def load_pairs(path: Path = PAIRS) -> list[dict]:
    with path.open(newline="") as f:
        return [dict(row, same=row["same"] == "1") for row in csv.DictReader(f)]


def keys_equal(a: str, b: str) -> bool:
    """The public key alone, as another tool calling dwelling_key() would compare."""
    key = dwelling_key(a)
    return bool(key) and key == dwelling_key(b)


def evaluate(pairs: list[dict], match=matches) -> dict:
    tp, fp, fn, tn = [], [], [], []
    for pair in pairs:
        said = match(pair["a"], pair["b"])
        {(True, True): tp, (True, False): fp, (False, True): fn, (False, False): tn}[
            (said, pair["same"])
        ].append(pair)
    precision = len(tp) / (len(tp) + len(fp)) if tp or fp else 1.0
    recall = len(tp) / (len(tp) + len(fn)) if tp or fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall}


def keys_per_second(texts: list[str], seconds: float = 1.0) -> float:
    done = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for text in texts:
            dwelling_key(text)
        done += len(texts)
    return done / elapsed


def main() -> int:
    pairs = load_pairs()
    result = evaluate(pairs)
    texts = [p["a"] for p in pairs] + [p["b"] for p in pairs]
    speed = keys_per_second(texts)

    for label, rows in (("False positives", result["fp"]), ("False negatives", result["fn"])):
        print(f"{label} ({len(rows)}):")
        for row in rows[:SHOWN]:
            print(f"  {row['a']!r} | {row['b']!r}  [{row['note']}]")
            print(f"      {dwelling_key(row['a'])!r} | {dwelling_key(row['b'])!r}")
    print(
        f"pairs={len(pairs)} tp={len(result['tp'])} fp={len(result['fp'])} "
        f"fn={len(result['fn'])} tn={len(result['tn'])}"
    )
    print(f"precision={result['precision']:.4f} (target {PRECISION_TARGET})")
    print(f"recall={result['recall']:.4f} (target {RECALL_TARGET})")
    keys_only = evaluate(pairs, keys_equal)
    print(
        f"dwelling_key() alone: precision={keys_only['precision']:.4f} "
        f"recall={keys_only['recall']:.4f} (no typo tolerance, town vs postcode differ)"
    )
    print(f"keys/s={speed:,.0f}")
    met = result["precision"] >= PRECISION_TARGET and result["recall"] >= RECALL_TARGET
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
