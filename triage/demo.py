"""Realistic demo calls for `seed_demo`: a seeded mix of channels, strands and repeat callers."""

import random
from datetime import datetime, timedelta

BASE_FACTS = {
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
    "reasonable_steps_taken": None,
    "rave_risk": False,
    "entry_required": False,
    "hours_since_last_seen": None,
    "minutes_since_arrival": None,
    "handover_accepted": None,
    "vulnerability_flags": [],
    "repeat_calls_30d": 1,
}

TOWNS = [
    ("Ely", "CB7"),
    ("March", "PE15"),
    ("Wisbech", "PE13"),
    ("Huntingdon", "PE29"),
    ("St Neots", "PE19"),
    ("Cambridge", "CB1"),
    ("Peterborough", "PE1"),
    ("St Ives", "PE27"),
]
STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Victoria Street",
    "Park Avenue",
    "The Crescent",
    "Orchard Close",
    "Queens Road",
    "Market Street",
    "Broad Street",
    "Greenfield Way",
    "Newnham Road",
    "Sandpit Lane",
    "Fen Road",
    "Willow Gardens",
]

# Dwellings that call again and again, each under several spellings.
REPEAT_DWELLINGS = [
    [
        "Flat 2, 10 High St, Ely CB7 4AA",
        "10 high street flat 2 ely cb74aa",
        "2/10 High Street, Ely",
        "flat 2 10 High Street Ely CB7 4AA",
    ],
    [
        "14 Station Road, March PE15 8NH",
        "14 station rd march pe158nh",
        "the address is 14 Station Road, March",
    ],
    [
        "Rose Cottage, 3 Mill Lane, Wisbech PE13 2AB",
        "3 mill lane wisbech PE13 2AB",
        "3 Mill Ln, Wisbech, PE13 2AB",
    ],
    [
        "Apartment 5, Cedar House, 21 Park Avenue, Huntingdon PE29 3RT",
        "apt 5 cedar house 21 park ave huntingdon pe29 3rt",
        "Flat 5, 21 Park Avenue, Huntingdon PE29 3RT",
    ],
    [
        "7 Orchard Close, St Neots PE19 1QX",
        "7 orchard cl st neots pe19 1qx",
        "outside 7 Orchard Close, St Neots PE19 1QX",
    ],
]

NARRATIVES = {
    "welfare_check": [
        "Neighbour worried, has not seen occupant for days.",
        "Relative cannot reach person, no answer to phone.",
        "Caller distressed, says they cannot cope.",
    ],
    "walkout": ["Voluntary patient left the ward without telling staff."],
    "awol": ["Detained patient did not return from section 17 leave."],
    "medical": ["Person collapsed in the street, breathing.", "Caller feels unwell, dizzy."],
    "conveyance": ["Ward asks for transport of a patient to another hospital."],
    "s136_handover": ["Officers at place of safety awaiting handover."],
}


def _facts(rng: random.Random) -> dict:
    facts = dict(BASE_FACTS)
    strand = rng.choices(
        ["welfare_check", "medical", "walkout", "awol", "conveyance", "s136_handover"],
        weights=[45, 25, 10, 7, 6, 7],
    )[0]
    facts["concern_type"] = strand
    facts["caller_type"] = rng.choice(
        ["public", "public", "self", "health_professional", "social_care", "ambulance"]
    )
    if strand == "welfare_check":
        facts["location_type"] = rng.choice(["home", "home", "public_place", "unknown"])
        facts["known_to_service"] = rng.choice(["none", "none", "mental_health", "social_care"])
        if rng.random() < 0.25:
            facts["vulnerability_flags"] = ["mental_distress"]
        if rng.random() < 0.12:
            facts["immediate_risk"] = rng.choice(["serious_harm", "life"])
        if rng.random() < 0.08:
            facts["medical_need"] = "urgent"
            facts["entry_required"] = rng.random() < 0.5
    elif strand == "medical":
        facts["medical_need"] = rng.choice(["urgent", "non_urgent", "none"])
        facts["location_type"] = rng.choice(["home", "public_place"])
    elif strand == "walkout":
        facts["location_type"] = rng.choice(["unknown", "home", "public_place"])
        facts["patient_status"] = "informal_patient"
        facts["known_to_service"] = rng.choice(["mental_health", "primary_care"])
    elif strand == "awol":
        facts["caller_type"] = "health_professional"
        facts["patient_status"] = rng.choice(
            ["detained_mha", "detained_mha", "detained_mha_restricted"]
        )
        facts["location_type"] = rng.choice(["unknown", "home"])
        facts["reasonable_steps_taken"] = rng.random() < 0.5
        facts["rave_risk"] = rng.random() < 0.15
    elif strand == "conveyance":
        facts["caller_type"] = rng.choice(["health_professional", "public"])
        facts["location_type"] = "health_setting"
        facts["patient_status"] = rng.choice(["none", "detained_mha"])
        facts["rave_risk"] = rng.random() < 0.2
    else:  # s136_handover
        facts["caller_type"] = "police_officer"
        facts["location_type"] = "place_of_safety"
        facts["patient_status"] = "detained_s136"
        facts["minutes_since_arrival"] = rng.randint(5, 150)
        facts["handover_accepted"] = rng.random() < 0.6
    if rng.random() < 0.05:
        facts["crime"] = rng.choice(["past", "in_progress"])
    if rng.random() < 0.03:
        facts["violence_or_weapon"] = True
    if rng.random() < 0.03 and strand in ("welfare_check", "medical"):
        facts["child_at_risk"] = True
    return facts


def _address(rng: random.Random) -> str:
    town, district = rng.choice(TOWNS)
    number = rng.randint(1, 180)
    street = rng.choice(STREETS)
    postcode = f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    if rng.random() < 0.2:
        return f"Flat {rng.randint(1, 12)}, {number} {street}, {town} {postcode}"
    return f"{number} {street}, {town} {postcode}"


def demo_calls(now: datetime, *, days: int = 90, per_day: int = 24, seed: int = 2017):
    """Yield (index, received_at, channel, address, narrative, facts) for the demo period."""
    rng = random.Random(seed)
    start = now - timedelta(days=days)
    index = 0
    for day in range(days):
        for _ in range(rng.randint(per_day - 6, per_day + 6)):
            received_at = start + timedelta(days=day, seconds=rng.randint(0, 86_399))
            facts = _facts(rng)
            if rng.random() < 0.07:
                address = rng.choice(rng.choice(REPEAT_DWELLINGS))
            else:
                address = _address(rng)
            channel = "999" if rng.random() < 0.55 else "101"
            narrative = rng.choice(NARRATIVES[facts["concern_type"]])
            yield index, received_at, channel, address, narrative, facts
            index += 1
