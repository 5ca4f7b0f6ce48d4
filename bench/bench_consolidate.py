"""The nightly consolidation of dwellings over 100,000 dwellings: how long, how many
merged and queued, and the false merges against the known truth (must be 0).

    python bench/bench_consolidate.py [--known 90000] [--new 10000] [--seed 28]

An invented world of its own (post towns and villages, streets of several types sharing
names, numbered houses, named houses, flats in numbered houses and in named blocks, floor
flats) gives ``--known`` households, each a dwelling in its Royal Mail form, created before
the last run's watermark. Then ``--new`` dwellings created since: about 70% are other
spellings of known households (recording errors that keep the identity: type words
abbreviated or dropped, the postcode dropped, the street dropped beside a house name, the
street number dropped beside a block name, "2/10" and "Apartment 2" for Flat 2, floor
short forms, a slipped letter in the street name, the town dropped or a village added,
case), some households twice; the rest are new households next to known ones (the
neighbouring number, another flat or floor of the building, the same street name with
another type, the same street in another town) that must never merge.

Runs ``consolidation.consolidate.consolidate`` with the real matcher on a database of its
own (SQLite at /tmp/bench_consolidate.sqlite3 unless DATABASE_URL names another, e.g.
postgres://postgres@127.0.0.1:5432/lead_c_bench; never a shared one), and prints the time,
merges, queued pairs, false merges and false queued pairs, the share of duplicate
spellings joined, and, for choosing the thresholds, how many true and false pairs the
matcher scored at or above each weight after the veto. Exits 1 on any false merge.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOWNS = {
    "Ely": ("CB7", ["Littleport", "Soham", "Witchford", "Stretham"]),
    "March": ("PE15", ["Wimblington", "Doddington", "Benwick"]),
    "Wisbech": ("PE13", ["Leverington", "Elm", "Tydd St Giles"]),
    "Huntingdon": ("PE29", ["Godmanchester", "Brampton", "Hartford"]),
    "St Ives": ("PE27", ["Hemingford Grey", "Fenstanton", "Houghton"]),
    "St Neots": ("PE19", ["Eaton Socon", "Eynesbury", "Little Paxton"]),
    "Peterborough": ("PE1", ["Werrington", "Orton", "Bretton"]),
    "Cambridge": ("CB1", ["Cherry Hinton", "Trumpington", "Histon"]),
    "Chatteris": ("PE16", ["Manea", "Wimblington"]),
    "Whittlesey": ("PE7", ["Eastrea", "Coates", "Pondersbridge"]),
}
NAMES = [
    "High",
    "Mill",
    "Church",
    "Station",
    "Acorn",
    "Orchard",
    "Willow",
    "Chapel",
    "Park",
    "Victoria",
    "Albert",
    "Market",
    "Bridge",
    "Meadow",
    "Oak",
    "Elm",
    "Cedar",
    "Rose",
    "Hawthorn",
    "Field",
    "Manor",
    "Priory",
    "Abbey",
    "Castle",
    "Kings",
    "Queens",
    "Forest",
    "Brook",
    "Green",
    "Hill",
    "Spring",
    "Summer",
    "Windmill",
    "Granary",
    "Fen",
    "Broad",
    "Long",
    "North",
    "South",
    "West",
    "East",
    "New",
    "School",
    "Vicarage",
    "Rectory",
    "Cromwell",
    "Nelson",
    "Milton",
    "Hereward",
    "Lancaster",
    "York",
]
TYPES = ["Road", "Street", "Lane", "Close", "Avenue", "Crescent", "Drive", "Gardens", "Way"]
SHORT = {"Road": "Rd", "Street": "St", "Lane": "Ln", "Avenue": "Ave", "Crescent": "Cres",
         "Drive": "Dr", "Gardens": "Gdns", "Close": "Cl", "Way": "Wy"}  # fmt: skip
HOUSES = [
    "Hill Farm",
    "Rose Cottage",
    "The Old Rectory",
    "Ivy House",
    "Orchard House",
    "The Granary",
    "Low Barn",
    "Willow Cottage",
    "The Laurels",
    "Fen View",
    "Manor Farm",
    "The Stables",
    "Holly Lodge",
    "Mill House",
]
BLOCKS = "Abbey Mansions|Priory Court|Victoria House|Cromwell Court|Riverside House|Kings Lodge"
FLOORS = ["Basement Flat", "Ground Floor Flat", "First Floor Flat", "Second Floor Flat"]
FLOOR_SHORT = {
    "Ground Floor Flat": ["Gnd Flr Flat", "Ground Flr Flat", "Grd Floor Flat"],
    "First Floor Flat": ["1st Floor Flat", "1st Flr Flat", "First Flr Flat"],
    "Second Floor Flat": ["2nd Floor Flat", "2nd Flr Flat"],
    "Basement Flat": ["Bsmt Flat", "Basement"],
}
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class World:
    """Households with parts; ``text(h)`` is the Royal Mail form."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.households: list[dict] = []
        self._codes: set[str] = set()
        self._identity: dict[tuple, dict] = {}

    def postcode(self, outward: str) -> str:
        while True:
            code = (
                f"{outward} {self.rng.randint(1, 9)}"
                f"{self.rng.choice(LETTERS)}{self.rng.choice(LETTERS)}"
            )
            if code not in self._codes:
                self._codes.add(code)
                return code

    def street(self, town: str) -> dict:
        outward, villages = TOWNS[town]
        place = town if self.rng.random() < 0.7 else self.rng.choice(villages)
        return {
            "name": self.rng.choice(NAMES),
            "type": self.rng.choice(TYPES),
            "place": place,
            "town": town,
            "outward": outward,
        }

    def add(self, street: dict, postcode: str, **parts) -> dict:
        """A household, or the one already at that address (the truth is by address:
        the same street, number, house, block, flat and floor in the same place)."""
        h = {"id": len(self.households), **street, "postcode": postcode, **parts}
        for part in ("number", "house", "block", "flat", "floor"):
            h.setdefault(part, "")
        identity = tuple(
            h[k]
            for k in ("name", "type", "place", "town", "number", "house", "block", "flat", "floor")
        )
        if identity in self._identity:
            return self._identity[identity]
        self._identity[identity] = h
        self.households.append(h)
        return h

    def fill(self, target: int) -> None:
        seen_streets = set()
        while len(self.households) < target:
            town = self.rng.choice(list(TOWNS))
            street = self.street(town)
            key = (street["name"], street["type"], street["place"])
            if key in seen_streets:
                continue
            seen_streets.add(key)
            homes = self.rng.randint(20, 90)
            code, in_code = self.postcode(street["outward"]), 0
            number = 1
            while homes > 0 and len(self.households) < target:
                if in_code >= 15:
                    code, in_code = self.postcode(street["outward"]), 0
                kind = self.rng.random()
                if kind < 0.62:
                    self.add(street, code, number=str(number))
                    homes -= 1
                    in_code += 1
                elif kind < 0.70:
                    self.add(street, code, house=self.rng.choice(HOUSES))
                    homes -= 1
                    in_code += 1
                elif kind < 0.85:
                    for flat in range(1, self.rng.randint(2, 6) + 1):
                        self.add(street, code, number=str(number), flat=str(flat))
                        homes -= 1
                        in_code += 1
                elif kind < 0.93:
                    for floor in self.rng.sample(FLOORS, self.rng.randint(2, 3)):
                        self.add(street, code, number=str(number), floor=floor)
                        homes -= 1
                        in_code += 1
                else:
                    block = self.rng.choice(BLOCKS.split("|"))
                    for flat in range(1, self.rng.randint(4, 12) + 1):
                        self.add(street, code, number=str(number), block=block, flat=str(flat))
                        homes -= 1
                        in_code += 1
                number += self.rng.choice((1, 1, 2))


def royal_mail(h: dict) -> str:
    parts = []
    if h["flat"]:
        parts.append(f"Flat {h['flat']}")
    if h["floor"]:
        parts.append(h["floor"])
    if h["block"]:
        parts.append(h["block"])
    if h["house"]:
        parts.append(h["house"])
    line = " ".join(p for p in (h["number"], f"{h['name']} {h['type']}") if p)
    parts.append(line)
    if h["place"] != h["town"]:
        parts.append(h["place"])
    parts.append(h["town"])
    return f"{', '.join(parts)} {h['postcode']}"


def _slip(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1) if len(word) > 3 else 1
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i] + word[i:]


def variant(h: dict, rng: random.Random) -> str:
    """Another spelling of the same household: one to three identity-keeping errors."""
    h = dict(h)
    flat_form, drop_number = f"Flat {h['flat']}" if h["flat"] else "", False
    street_type, keep_code, town = h["type"], True, h["town"]
    street_name = h["name"]
    floor = h["floor"]
    for change in rng.sample(range(9), rng.randint(1, 3)):
        if change == 0:
            street_type = SHORT.get(street_type, street_type)
        elif change == 1 and h["flat"] and not h["block"]:
            flat_form = rng.choice([f"Apartment {h['flat']}", f"Flat {h['flat']}"])
        elif change == 2:
            keep_code = False
        elif change == 3 and keep_code:
            street_type = ""
        elif change == 4 and h["block"]:
            drop_number = True
        elif change == 5 and floor:
            floor = rng.choice(FLOOR_SHORT[floor])
        elif change == 6 and keep_code and len(street_name) > 4:
            street_name = _slip(street_name, rng)
        elif change == 7 and keep_code and h["place"] == h["town"]:
            town = ""
        elif change == 8:
            h["_case"] = rng.choice(["upper", "lower"])
    parts = []
    if flat_form:
        parts.append(flat_form)
    if floor:
        parts.append(floor)
    if h["block"]:
        parts.append(h["block"])
    if h["house"]:
        parts.append(h["house"])
    number = "" if drop_number else h["number"]
    street = " ".join(p for p in (street_name, street_type) if p)
    if h["house"] and keep_code and rng.random() < 0.3:
        street = ""  # "Hill Farm, Southfield, Exampletown" and its postcode
    line = " ".join(p for p in (number, street) if p)
    if line:
        parts.append(line)
    if h["place"] != h["town"]:
        parts.append(h["place"])
    if town:
        parts.append(town)
    text = ", ".join(parts)
    if keep_code:
        text = f"{text} {h['postcode']}"
    if h.get("_case") == "upper":
        text = text.upper()
    elif h.get("_case") == "lower":
        text = text.lower()
    return text


def neighbour(world: World, h: dict, rng: random.Random) -> dict:
    """A new household next to ``h``: never the same one."""
    street = {k: h[k] for k in ("name", "type", "place", "town", "outward")}
    choice = rng.random()
    if h["flat"] and choice < 0.3:
        return world.add(street, h["postcode"], number=h["number"], block=h["block"],
                         flat=str(int(h["flat"]) + 20))  # fmt: skip
    if h["floor"] and choice < 0.5:
        other = next(f for f in FLOORS if f != h["floor"])
        return world.add(street, h["postcode"], number=h["number"], floor=other)
    if choice < 0.65:
        other = dict(street, type=next(t for t in TYPES if t != h["type"]))
        return world.add(other, world.postcode(h["outward"]), number=h["number"] or "1")
    if choice < 0.8:
        town = rng.choice([t for t in TOWNS if t != h["town"]])
        other = dict(street, town=town, place=town, outward=TOWNS[town][0])
        return world.add(other, world.postcode(other["outward"]), number=h["number"] or "1")
    return world.add(street, h["postcode"], number=str(int(h["number"] or "0") + 1000))


def build(known: int, new: int, seed: int):
    rng = random.Random(seed)
    world = World(rng)
    world.fill(known)
    originals = list(world.households)
    fresh = []  # (text, household id)
    while len(fresh) < new:
        h = rng.choice(originals)
        if rng.random() < 0.7:
            fresh.append((variant(h, rng), h["id"]))
            if rng.random() < 0.1 and len(fresh) < new:
                fresh.append((variant(h, rng), h["id"]))
        else:
            n = neighbour(world, h, rng)
            fresh.append((royal_mail(n) if rng.random() < 0.5 else variant(n, rng), n["id"]))
    return [(royal_mail(h), h["id"]) for h in originals], fresh


def load(known_rows, new_rows) -> tuple[dict[int, int], datetime]:
    """The dwellings in the database as intake would leave them (one per spelling, each
    with a key of its own); returns {dwelling id: household} and the watermark."""
    from callers.addresses import match_fields, parse_address, standard_address
    from callers.models import Dwelling
    from consolidation.models import ConsolidationRun

    watermark = datetime(2026, 12, 1, tzinfo=UTC)
    rows, truth = [], []
    for i, (text, household) in enumerate([*known_rows, *new_rows]):
        parsed = parse_address(text)
        if parsed is None or not parsed.key:
            continue  # intake makes no dwelling of an address that names none
        fields = match_fields(parsed)
        fields["key"] = f"{fields['key']}#{i}"
        created = watermark + timedelta(seconds=i - len(known_rows) + 1)
        rows.append(
            Dwelling(
                **fields,
                address=standard_address(parsed),
                building_name=parsed.building_name,
                created_at=created,
            )
        )
        truth.append(household)
    created = Dwelling.objects.bulk_create(rows, batch_size=2000)
    ConsolidationRun.objects.create(
        status=ConsolidationRun.Status.FINISHED, started_at=watermark, until=watermark,
        finished_at=watermark, trigger="bench",
    )  # fmt: skip
    return {d.pk: h for d, h in zip(created, truth, strict=True)}, watermark


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--known", type=int, default=90_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=28)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 60)
    sqlite = Path(tempfile.gettempdir()) / "bench_consolidate.sqlite3"
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from callers.models import Dwelling
    from consolidation import matcher as ukam
    from consolidation.consolidate import consolidate
    from consolidation.models import DwellingMerge, PossibleSameDwelling
    from consolidation.services import conflict

    if Dwelling.objects.exists():
        sys.exit("bench_consolidate needs an empty database of its own (lead_c_bench).")
    known_rows, new_rows = build(args.known, args.new, args.seed)
    truth, _ = load(known_rows, new_rows)
    duplicates = Counter(h for _, h in new_rows)
    known_households = {h for _, h in known_rows}
    dup_total = sum(n for h, n in duplicates.items() if h in known_households)
    print(
        f"{len(truth):,} dwellings: {len(known_rows):,} known, {len(new_rows):,} new "
        f"({dup_total:,} other spellings of known households)"
    )

    scored = []

    def recording(new, known, **kwargs):
        pairs = ukam.match(new, known, **kwargs)
        scored.extend(pairs)
        return pairs

    started = time.perf_counter()
    outcome = consolidate(trigger="bench", matcher=recording)
    seconds = time.perf_counter() - started

    merges = list(DwellingMerge.objects.values_list("survivor_id", "merged_id"))
    false_merges = [(a, b) for a, b in merges if truth[a] != truth[b]]
    queued = list(PossibleSameDwelling.objects.values_list("first_id", "second_id"))
    false_queued = sum(truth[a] != truth[b] for a, b in queued)
    joined = sum(truth[a] == truth[b] for a, b in merges)
    print(
        f"consolidation: {seconds:.1f} s; {outcome.considered:,} dwellings considered; "
        f"{len(merges):,} merged ({joined / dup_total if dup_total else 0:.3f} of the other "
        f"spellings); {len(queued):,} queued ({false_queued:,} of them two households); "
        f"{outcome.vetoed:,} pairs vetoed; false merges: {len(false_merges)}"
    )
    print(
        f"thresholds: merge at weight {settings.CONSOLIDATION_MERGE_WEIGHT} with a gap of "
        f"{settings.CONSOLIDATION_MERGE_GAP}, queue from {settings.CONSOLIDATION_SUGGEST_WEIGHT}"
    )
    dwellings = Dwelling.objects.in_bulk([i for p in scored for i in (p.new_id, p.known_id)])
    allowed = [
        p for p in scored
        if p.new_id != p.known_id and not conflict(dwellings[p.new_id], dwellings[p.known_id])
    ]  # fmt: skip
    print("weight  true pairs  false pairs (scored by the matcher, after the veto)")
    for weight in (0, 5, 10, 15, 20, 25, 30, 40):
        above = [p for p in allowed if p.score >= weight]
        wrong = sum(truth[p.new_id] != truth[p.known_id] for p in above)
        print(f"{weight:>6}  {len(above) - wrong:>10,}  {wrong:>11,}")
    for a, b in false_merges[:10]:
        print(f"FALSE MERGE: {Dwelling.objects.get(pk=b).address} into "
              f"{Dwelling.objects.get(pk=a).address}")  # fmt: skip
    return 1 if false_merges else 0


if __name__ == "__main__":
    sys.exit(main())
