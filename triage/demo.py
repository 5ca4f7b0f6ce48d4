"""Realistic demo data for `seed_demo`: a seeded mix of channels, strands and answers, repeat
callers under several spellings, and the Farmington team's casework on their referrals.

Pure data and generators: no database. ``seed_demo`` feeds them through the services.
"""

import random
from datetime import datetime, timedelta

from triage.engine import neutral_facts

BASE_FACTS = neutral_facts()

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

# Households that called several times in one spell and then settled: (the spell's first
# day and its length in days, as a share of the demo period, and the spellings).
SPELL_DWELLINGS = [
    (0.25, 12, ["42 Queens Road, Peterborough PE1 3HW", "42 queens rd peterborough pe13hw"]),
    (0.55, 10, ["9 Willow Gardens, St Ives PE27 5LD", "9 willow gdns st ives PE27 5LD"]),
]

# Households the team was asked to help by an officer or a partner agency: (day of the
# demo period as a share of it, the address, who referred, why).
MANUAL_REFERRALS = [
    (
        0.45,
        "22 Fen Road, March PE15 9XR",
        "PC 2231 Patel, March station",
        "Officers have visited four times since the summer; the tenant is isolated and "
        "struggling since a bereavement. May need bereavement and mental-health support.",
    ),
    (
        0.8,
        "Flat 1, 6 Market Street, Wisbech PE13 1EB",
        "Clarion Housing, tenancy support officer",
        "Tenant in rent arrears and calling police at night when anxious; housing would "
        "like a joint plan with health.",
    ),
]

NARRATIVES = {
    "welfare_check": [
        "Neighbour worried, has not seen occupant for days.",
        "Relative cannot reach person, no answer to phone.",
        "Caller distressed, says they cannot cope.",
        "Milk bottles piling up on the doorstep, curtains closed since Friday.",
        "Friend received worrying messages and cannot get a reply.",
        "Care worker arrived for the morning visit, no answer at the door.",
    ],
    "walkout": [
        "Voluntary patient left the ward without telling staff.",
        "Patient went for a walk in the grounds and has not come back.",
    ],
    "awol": [
        "Detained patient did not return from section 17 leave.",
        "Detained patient absconded during an escorted walk.",
    ],
    "medical": [
        "Person collapsed in the street, breathing.",
        "Caller feels unwell, dizzy.",
        "Elderly man fallen at home, cannot get up, talking.",
        "Woman with chest pain, ambulance not yet arrived.",
    ],
    "conveyance": [
        "Ward asks for transport of a patient to another hospital.",
        "Hospital asks for help moving a detained patient to a mental-health unit.",
    ],
    "s136_handover": [
        "Officers at place of safety awaiting handover.",
        "Officers still waiting at the health-based place of safety for staff to take over.",
    ],
}
# Words that fit some answers better than the strand's own.
SUICIDE_NARRATIVES = [
    "Caller says they have tablets and want to end their life.",
    "Friend reports messages saying goodbye; the person has a rope.",
]
CHILD_NARRATIVES = ["Caller worried about a child left alone in the flat overnight."]
CRIME_NARRATIVES = ["Caller says someone has just smashed the front window."]


def _facts(rng: random.Random) -> dict:
    """One call's answers, valid for the engine, varied enough that every option appears."""
    facts = dict(BASE_FACTS)
    strand = rng.choices(
        ["welfare_check", "medical", "walkout", "awol", "conveyance", "s136_handover"],
        weights=[45, 25, 10, 7, 6, 7],
    )[0]
    facts["concern_type"] = strand
    facts["caller_type"] = rng.choice(
        ["public", "public", "self", "health_professional", "social_care", "ambulance"]
    )
    flags: set[str] = set()
    if strand == "welfare_check":
        facts["caller_type"] = rng.choice(
            ["public", "public", "public", "self", "social_care", "other_agency", "police_officer"]
        )
        facts["location_type"] = rng.choice(
            ["home", "home", "home", "public_place", "care_home", "other_premises", "unknown"]
        )
        facts["known_to_service"] = rng.choice(
            ["none", "none", "mental_health", "social_care", "primary_care"]
        )
        if rng.random() < 0.3:
            flags.add("mental_distress")
        if rng.random() < 0.1:
            flags.add(rng.choice(["intoxication", "frailty", "cognitive_impairment"]))
        if rng.random() < 0.05:
            flags.add("critical_medication")
        if rng.random() < 0.07:
            flags.add("stated_suicidal_intent")
            if rng.random() < 0.6:
                flags.add("means_available")
            if rng.random() < 0.3:
                flags.add("self_harm_injury")
        if rng.random() < 0.12 or "means_available" in flags:
            facts["immediate_risk"] = rng.choice(["serious_harm", "life"])
        if facts["location_type"] == "unknown" or rng.random() < 0.3:
            facts["hours_since_last_seen"] = rng.choice([2, 4, 6, 12, 24, 36, 48, 72])
        if rng.random() < 0.08:
            facts["medical_need"] = "urgent"
            facts["entry_required"] = facts["location_type"] == "home" and rng.random() < 0.5
    elif strand == "medical":
        facts["medical_need"] = rng.choice(["urgent", "urgent", "non_urgent", "none"])
        facts["location_type"] = rng.choice(["home", "home", "public_place", "care_home"])
        facts["capacity"] = rng.choice(["has_capacity", "has_capacity", "unknown"])
        if rng.random() < 0.2:
            flags.add(rng.choice(["frailty", "intoxication", "critical_medication"]))
    elif strand == "walkout":
        facts["caller_type"] = rng.choice(["health_professional", "health_professional", "public"])
        facts["location_type"] = rng.choice(["unknown", "unknown", "home", "public_place"])
        facts["patient_status"] = "informal_patient"
        facts["known_to_service"] = rng.choice(["mental_health", "mental_health", "primary_care"])
        facts["capacity"] = rng.choice(["has_capacity", "lacks_capacity", "unknown"])
        facts["reasonable_steps_taken"] = rng.random() < 0.6
        facts["hours_since_last_seen"] = rng.choice([1, 2, 3, 5, 8])
        if rng.random() < 0.4:
            flags.add("mental_distress")
    elif strand == "awol":
        facts["caller_type"] = "health_professional"
        facts["patient_status"] = rng.choice(
            ["detained_mha", "detained_mha", "detained_mha_restricted"]
        )
        facts["location_type"] = rng.choice(["unknown", "unknown", "home", "public_place"])
        facts["known_to_service"] = "mental_health"
        facts["capacity"] = rng.choice(["lacks_capacity", "unknown"])
        facts["reasonable_steps_taken"] = rng.random() < 0.5
        facts["rave_risk"] = rng.random() < 0.15
        facts["hours_since_last_seen"] = rng.choice([1, 2, 4, 6, 12])
    elif strand == "conveyance":
        facts["caller_type"] = rng.choice(["health_professional", "health_professional", "public"])
        facts["location_type"] = rng.choice(["health_setting", "mh_inpatient_unit"])
        facts["patient_status"] = rng.choice(["none", "informal_patient", "detained_mha"])
        facts["known_to_service"] = rng.choice(["mental_health", "primary_care"])
        facts["rave_risk"] = rng.random() < 0.2
    else:  # s136_handover
        facts["caller_type"] = "police_officer"
        facts["location_type"] = "place_of_safety"
        facts["patient_status"] = "detained_s136"
        facts["known_to_service"] = rng.choice(["none", "mental_health"])
        facts["minutes_since_arrival"] = rng.randint(5, 150)
        facts["handover_accepted"] = rng.random() < 0.6
        if rng.random() < 0.3:
            flags.add("intoxication")
    if rng.random() < 0.05:
        facts["crime"] = rng.choice(["past", "in_progress"])
    if rng.random() < 0.03:
        facts["violence_or_weapon"] = True
    if rng.random() < 0.03 and strand in ("welfare_check", "medical"):
        facts["child_at_risk"] = True
    facts["vulnerability_flags"] = sorted(flags)
    return facts


def _narrative(rng: random.Random, facts: dict) -> str:
    """What the handler typed, in keeping with the answers."""
    if "stated_suicidal_intent" in facts["vulnerability_flags"]:
        return rng.choice(SUICIDE_NARRATIVES)
    if facts["child_at_risk"]:
        return rng.choice(CHILD_NARRATIVES)
    if facts["crime"] == "in_progress":
        return rng.choice(CRIME_NARRATIVES)
    return rng.choice(NARRATIVES[facts["concern_type"]])


def _address(rng: random.Random) -> str:
    town, district = rng.choice(TOWNS)
    number = rng.randint(1, 180)
    street = rng.choice(STREETS)
    postcode = f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    if rng.random() < 0.2:
        return f"Flat {rng.randint(1, 12)}, {number} {street}, {town} {postcode}"
    return f"{number} {street}, {town} {postcode}"


def demo_calls(now: datetime, *, days: int = 90, per_day: int = 24, seed: int = 2017):
    """Yield (index, received_at, channel, address, narrative, facts) for the demo period,
    in the order the calls came (each day's calls sorted by time)."""
    rng = random.Random(seed)
    start = now - timedelta(days=days)
    spells = [
        (int(days * share), length, spellings) for share, length, spellings in SPELL_DWELLINGS
    ]
    index = 0
    for day in range(days):
        calls = []
        for _ in range(rng.randint(per_day - 6, per_day + 6)):
            received_at = start + timedelta(days=day, seconds=rng.randint(0, 86_399))
            facts = _facts(rng)
            in_spell = [s for first, length, s in spells if first <= day < first + length]
            if rng.random() < 0.07:
                address = rng.choice(rng.choice(REPEAT_DWELLINGS))
            elif in_spell and rng.random() < 0.03:
                address = rng.choice(in_spell[0])
            else:
                address = _address(rng)
            channel = "999" if rng.random() < 0.55 else "101"
            calls.append((received_at, channel, address, _narrative(rng, facts), facts))
        for received_at, channel, address, narrative, facts in sorted(calls, key=lambda c: c[0]):
            yield index, received_at, channel, address, narrative, facts
            index += 1


# --- the Farmington team's casework ---------------------------------------------------------

# What the team does with a referral, step by step: (days after it opened, the step, its
# details). A "review" is held at the next weekly meeting (Monday) on or after that day.
# Steps still in the future when the demo is seeded are left undone, so the newest
# referrals are the least worked. Each referral takes the next script in turn.
CASEWORK_SCRIPTS = [
    # Support put in place, then closed.
    [
        (1, "assign", {"by": "triage2", "to": "triage1"}),
        (
            1,
            "note",
            {
                "by": "triage1",
                "text": "Spoke to the caller: lives alone, nights are the hardest. Agreed to "
                "ask the GP surgery to get in touch this week.",
            },
        ),
        (
            2,
            "action",
            {
                "by": "triage1",
                "kind": "mh_team_info",
                "notes": "Control-room mental-health nurse: known to the community team; the "
                "care coordinator is on leave until next week.",
            },
        ),
        (
            3,
            "review",
            {
                "by": "triage1",
                "decision": "Ask the community mental-health team to review the care plan; "
                "triage1 keeps in touch with the household meanwhile.",
                "status": "in_review",
                "next_in": 7,
            },
        ),
        (
            9,
            "action",
            {
                "by": "triage3",
                "kind": "vulnerability_screening",
                "notes": "Liaison and diversion screening done at home; consented to a referral "
                "to the crisis café.",
            },
        ),
        (
            10,
            "review",
            {
                "by": "triage1",
                "decision": "Hold a multi-agency meeting with the community mental-health team "
                "and the housing officer.",
                "status": "action",
                "next_in": 7,
            },
        ),
        (
            15,
            "action",
            {
                "by": "triage1",
                "kind": "multi_agency_meeting",
                "notes": "Police, community mental-health team, GP and housing attended.",
                "care_plan": "Care coordinator visits weekly; evening check-in call from the "
                "crisis café on Fridays; GP reviews medication. Control room offers NHS 111 "
                "option 2 first when the household calls at night.",
            },
        ),
        (
            15,
            "plan",
            {
                "by": "triage1",
                "what_to_do": "Speak calmly; offer the mental-health crisis line (NHS 111, "
                "option 2) and the crisis café's evening call.",
                "what_not_to_do": "Do not send officers for welfare alone: no crime, no "
                "immediate risk.",
                "whom_to_call": "Community mental-health team duty worker.",
            },
        ),
        (16, "transition", {"by": "triage1", "status": "monitoring"}),
        (
            17,
            "review",
            {
                "by": "triage2",
                "decision": "Calls have settled since the plan began: keep monitoring for four "
                "weeks.",
                "next_in": 28,
            },
        ),
        (
            45,
            "review",
            {
                "by": "triage1",
                "decision": "Support in place with the community mental-health team; one call "
                "in the last month. Close.",
                "status": "closed",
                "outcome": "support_in_place",
            },
        ),
    ],
    # Support offered and declined.
    [
        (1, "assign", {"by": "triage3", "to": "triage3"}),
        (
            2,
            "note",
            {
                "by": "triage3",
                "text": "Letter sent offering a visit with the community mental-health team.",
            },
        ),
        (
            3,
            "review",
            {
                "by": "triage3",
                "decision": "Wait for a reply to the letter; try a phone call on Thursday.",
                "status": "in_review",
                "next_in": 7,
            },
        ),
        (
            6,
            "action",
            {
                "by": "triage3",
                "kind": "signposting",
                "notes": "Gave details of the Samaritans, the crisis café and the GP's social "
                "prescriber.",
            },
        ),
        (
            10,
            "review",
            {
                "by": "triage2",
                "decision": "The household thanked us and does not want further contact; the "
                "signposting stands.",
                "status": "closed",
                "outcome": "support_declined",
            },
        ),
    ],
    # Still being worked: a joint plan agreed, on to action.
    [
        (1, "assign", {"by": "supervisor", "to": "triage2"}),
        (
            2,
            "action",
            {
                "by": "triage2",
                "kind": "mh_team_info",
                "notes": "Not known to mental-health services. Adult social care knows the "
                "household from a carer's assessment last year.",
            },
        ),
        (
            3,
            "review",
            {
                "by": "triage2",
                "decision": "Ask adult social care to visit; triage2 to call the carer.",
                "status": "in_review",
                "next_in": 14,
            },
        ),
        (
            5,
            "note",
            {
                "by": "triage2",
                "text": "Carer says the calls come when her husband's dementia is worse in the "
                "evening. Social care visiting on Tuesday.",
            },
        ),
        (
            16,
            "review",
            {
                "by": "triage2",
                "decision": "Social care to increase evening support; GP memory clinic referral.",
                "status": "action",
                "next_in": 14,
            },
        ),
        (
            18,
            "plan",
            {
                "by": "triage2",
                "what_to_do": "Ask for the carer; offer the adult social care out-of-hours "
                "line. Send police only for a crime or an immediate risk.",
                "whom_to_call": "Adult social care out-of-hours team.",
            },
        ),
        (
            30,
            "review",
            {
                "by": "triage2",
                "decision": "Evening support has started; fewer calls. Review again in two weeks.",
                "next_in": 14,
            },
        ),
        (
            44,
            "review",
            {
                "by": "triage1",
                "decision": "Memory clinic appointment booked; calls down to one a week. "
                "Keep going.",
                "next_in": 21,
            },
        ),
        (
            65,
            "review",
            {
                "by": "triage2",
                "decision": "Settled: move to monitoring with a six-week review.",
                "status": "monitoring",
                "next_in": 42,
            },
        ),
    ],
]
# A manual referral is worked like this.
MANUAL_SCRIPT = [
    (0, "assign", {"by": "triage2", "to": "triage3"}),
    (
        1,
        "note",
        {
            "by": "triage3",
            "text": "Called the referrer: they will join a meeting if one is held.",
        },
    ),
    (
        3,
        "review",
        {
            "by": "triage3",
            "decision": "Ask the GP and the community mental-health team what they know.",
            "status": "in_review",
            "next_in": 7,
        },
    ),
]
# Who attended to a call, when it was not the suggestion.
OVERRIDES = [
    (
        "risk_higher",
        "POLICE",
        True,
        "Caller heard shouting in the background; sending officers to be safe.",
    ),
    (
        "partner_unavailable",
        "POLICE",
        True,
        "Crisis team had no one free within the hour.",
    ),
    (
        "new_information",
        "JOINT_POLICE_AMBULANCE",
        True,
        "Caller now says the person is bleeding from a head wound.",
    ),
    (
        "risk_lower",
        "MENTAL_HEALTH_CRISIS",
        False,
        "Person answered the phone, calm, and agreed to speak to the crisis team.",
    ),
    (
        "response_plan",
        "NHS_111",
        False,
        "Following the household's response plan: crisis line first.",
    ),
    (
        "partner_declined",
        "GP",
        False,
        "Crisis team declined; the GP surgery will call back this afternoon.",
    ),
]
# The handler's THRIVE answers (the choices the New call screen offers, in its words): one
# set per kind of call, chosen by the grade.
THRIVE_NOTES = {
    "urgent": {
        "threat": "High",
        "harm": "High",
        "risk": "High",
        "investigation": "None needed",
        "vulnerability": "High",
        "engagement": "High",
    },
    "routine": {
        "threat": "Low",
        "harm": "Medium",
        "risk": "Medium",
        "investigation": "Can wait",
        "vulnerability": "Medium",
        "engagement": "Low",
    },
    "partner": {
        "threat": "None identified",
        "harm": "Low",
        "risk": "Low",
        "investigation": "None needed",
        "vulnerability": "Medium",
        "engagement": "Low",
    },
}
