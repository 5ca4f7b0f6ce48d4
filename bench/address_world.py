"""An invented gazetteer for bench/bench_addresses.py: post towns and their villages, streets
of several types (one street name in a village and in its post town, one name with two
types), numbered houses with suffixes, houses known by name only or by name and number,
blocks of flats with and without a street number, and houses split into floor flats.

Rows are in the component form ``address_errors`` corrupts (OS NGD-like, upper case) and
carry the Royal Mail fields, from which ``royal_mail`` writes each dwelling's address.
Nothing here is a real address; postcodes have the UK format in areas no town here has.
"""

import random

POST_TOWNS = {
    "Marlbridge": ("MB", ["Little Hadley", "Coldwell", "Ashby Fen"], ["Northgate", "Eastfield"]),
    "Southmoor": ("SV", ["Westerby", "Thornbury Green"], ["Riverside"]),
}
STREET_NAMES = [
    "Acorn",
    "Birch",
    "Cedar",
    "Fir",
    "Hazel",
    "Larch",
    "Maple",
    "Rowan",
    "Willow",
    "Alder",
    "Mill",
    "Hill",
    "Church",
    "Station",
    "Manor",
    "Priory",
    "Abbey",
    "Orchard",
    "Meadow",
    "Kingfisher",
    "Heron",
    "Swallow",
    "Victoria",
    "Albert",
    "Granville",
    "Pelham",
    "Cavendish",
    "Ashdown",
    "Beacon",
    "Chantry",
    "Foxglove",
    "Harebell",
    "Juniper",
    "Lavender",
    "Primrose",
]
TYPES = ["Road", "Street", "Lane", "Close", "Avenue", "Crescent", "Drive", "Gardens", "Way"]
TYPES += ["Terrace", "Grove", "Place"]
VILLAGE_TYPES = ["Lane", "Road", "Close", "Street"]
HOUSE_NAMES = [
    "Rose Cottage",
    "Ivy Cottage",
    "Hill Farm",
    "Low Barn",
    "The Old Rectory",
    "The Granary",
    "Orchard House",
    "Meadow View",
    "Wren Cottage",
    "Fox Lodge",
    "The Old Forge",
    "Holly Barn",
    "Church Farm",
    "The Old School House",
    "Brook Cottage",
    "Manor Farmhouse",
    "Owl Barn",
    "The Coach House",
    "Elm Lodge",
    "Stable Cottage",
    "Yew Tree Cottage",
    "The Old Dairy",
    "Windy Ridge",
    "Greystones",
    "Kestrel House",
    "Hollies",
    "Beech House",
    "Well Cottage",
]
BLOCK_NAMES = [
    "Maple Court",
    "Abbey Mansions",
    "Kingsley House",
    "Riverside Court",
    "Cedar Lodge",
    "Beaumont House",
    "Tennyson Court",
    "Priory Heights",
    "Clarendon House",
    "Wellington Court",
]
FLOORS = ["Basement Flat", "Ground Floor Flat", "First Floor Flat", "Second Floor Flat"]
FLOOR_LEVEL = {"Basement Flat": "-1", "Ground Floor Flat": "0", "First Floor Flat": "1"}
FLOOR_LEVEL["Second Floor Flat"] = "2"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class _Postcodes:
    """Postcodes of about 15 homes each, one sector per place."""

    def __init__(self, area: str, rng: random.Random):
        self.area, self.rng, self.district, self.used = area, rng, 0, set()

    def sector(self):
        self.district += 1
        return f"{self.area}{self.district}"

    def new(self, outward: str) -> str:
        while True:
            letters = "".join(self.rng.choice(_INWARD_LETTERS) for _ in range(2))
            code = f"{outward} {self.rng.randint(1, 9)}{letters}"
            if code not in self.used:
                self.used.add(code)
                return code


def build(seed: int = 2028) -> list[dict]:
    """The gazetteer rows, each with a unique uprn."""
    rng = random.Random(seed)
    rows: list[dict] = []
    usrn = [5000]

    def add(**fields) -> dict:
        row = {
            "uprn": str(910000000001 + len(rows)),
            "feature_type": "builtaddress",
            "classificationcode": fields.pop("classificationcode", "RD04"),
            "easting": str(400000 + len(rows) % 977),
            "northing": str(300000 + len(rows) % 613),
            "in_council_la": "true",
        }
        row.update({k: str(v).upper() if isinstance(v, str) else v for k, v in fields.items()})
        rows.append(row)
        return row

    for post_town, (area, villages, suburbs) in POST_TOWNS.items():
        codes = _Postcodes(area, rng)
        places = [(post_town, suburb, "") for suburb in suburbs] + [(post_town, "", "")]
        places += [(village, "", village) for village in villages]
        names = rng.sample(STREET_NAMES, len(STREET_NAMES))
        for town, locality, village in places:
            outward = codes.sector()
            n_streets = 3 if village else 5
            street_names = [names.pop() for _ in range(n_streets)]
            if village:
                street_names[0] = "Mill"  # also a street of the post town: two streets
            else:
                street_names[-1] = street_names[0]  # one name, two types
            used_types: set[tuple[str, str]] = set()
            for s_index, name in enumerate(street_names):
                kinds = VILLAGE_TYPES if village else TYPES
                kind = rng.choice(kinds)
                while (name, kind) in used_types:
                    kind = rng.choice(kinds)
                used_types.add((name, kind))
                street = f"{name} {kind}"
                usrn[0] += 1
                common = {
                    "streetname": street,
                    "locality": locality,
                    "townname": town,
                    "usrn": str(usrn[0]),
                    "rm_thoroughfare": street,
                    "rm_dependentlocality": village or locality,
                    "rm_posttown": post_town,
                }
                postcode, in_postcode = codes.new(outward), 0
                houses = rng.randint(14, 30) if not village else rng.randint(6, 12)
                number = 0
                for _ in range(houses):
                    number += 1
                    if in_postcode >= 15:
                        postcode, in_postcode = codes.new(outward), 0
                    in_postcode += 1
                    house = {**common, "postcode": postcode}
                    roll = rng.random()
                    if village and roll < 0.45:
                        # Known by name only.
                        name_ = rng.choice(HOUSE_NAMES)
                        while any(
                            r.get("name") == name_.upper() and r["usrn"] == common["usrn"]
                            for r in rows[-40:]
                        ):
                            name_ = rng.choice(HOUSE_NAMES)
                        number -= 1
                        add(**house, name=name_, number="", rm_buildingname=name_)
                        continue
                    text = str(number)
                    if roll < 0.06:
                        add(**house, number=text, rm_buildingnumber=text)
                        text = f"{number}A"
                        add(**house, number=text, rm_buildingnumber=text)
                        continue
                    if roll < 0.16:
                        name_ = rng.choice(HOUSE_NAMES)
                        add(
                            **house,
                            name=name_,
                            number=text,
                            rm_buildingname=name_,
                            rm_buildingnumber=text,
                        )
                        continue
                    if not village and roll < 0.22:
                        # A house of floor flats.
                        parent = add(
                            **house, number=text, rm_buildingnumber=text, classificationcode="RD06"
                        )
                        for floor in FLOORS[rng.randint(0, 1) :][: rng.randint(2, 3)]:
                            add(
                                **house,
                                subname=floor,
                                number=text,
                                parentuprn=parent["uprn"],
                                rootuprn=parent["uprn"],
                                floorlevel=FLOOR_LEVEL[floor],
                                rm_subbuildingname=floor,
                                rm_buildingnumber=text,
                                classificationcode="RD06",
                            )
                        continue
                    if not village and s_index == 1 and roll < 0.4 and BLOCK_NAMES:
                        # A block of flats, with its own postcode, some without a number.
                        block = BLOCK_NAMES.pop()
                        block_postcode = codes.new(outward)
                        numbered = rng.random() < 0.7
                        parent = add(
                            **{**house, "postcode": block_postcode},
                            name=block,
                            number=text if numbered else "",
                            rm_buildingname=block,
                            rm_buildingnumber=text if numbered else "",
                            classificationcode="RD06",
                        )
                        for flat in range(1, rng.randint(6, 14)):
                            add(
                                **{**house, "postcode": block_postcode},
                                subname=f"Flat {flat}",
                                name=block,
                                number=text if numbered else "",
                                parentuprn=parent["uprn"],
                                rootuprn=parent["uprn"],
                                rm_subbuildingname=f"Flat {flat}",
                                rm_buildingname=block,
                                rm_buildingnumber=text if numbered else "",
                                classificationcode="RD06",
                            )
                        if not numbered:
                            number -= 1
                        continue
                    add(**house, number=text, rm_buildingnumber=text)
    return rows


def dwellings(rows: list[dict]) -> list[dict]:
    """The rows that are households: a block or a house split into flats is not one."""
    parents = {r.get("parentuprn") for r in rows if r.get("parentuprn")}
    return [r for r in rows if r["uprn"] not in parents]


def royal_mail(row: dict) -> str:
    """The Royal Mail (PAF) form of a row: sub-building, building, number and street,
    dependent locality, post town and postcode."""
    line = " ".join(p for p in (row.get("rm_buildingnumber", ""), row["rm_thoroughfare"]) if p)
    parts = [
        row.get("rm_subbuildingname", ""),
        row.get("rm_buildingname", ""),
        line,
        row.get("rm_dependentlocality", ""),
        row["rm_posttown"],
    ]
    return f"{', '.join(p for p in parts if p)} {row['postcode']}".title()
