"""The one plain-English vocabulary for the engine's codes (SCREENS.md: no codes where
people read). Templates, charts and messages take their words from here; the API's JSON
and the CSV exports keep the codes, which machines read.

Pure data and two small functions: no Django.
"""

AGENCY_LABELS = {
    "POLICE": "Police",
    "JOINT_POLICE_AMBULANCE": "Police and ambulance together",
    "JOINT_POLICE_HEALTH": "Police with health or mental-health staff",
    "AMBULANCE": "Ambulance service",
    "NHS_111": "NHS 111",
    "MENTAL_HEALTH_CRISIS": "Mental-health crisis team",
    "SOCIAL_CARE": "Social care",
    "GP": "The person's GP",
    "HEALTH_SETTING": "The hospital or health setting",
    "ADVISE_CALLER": "Advice to the caller (no deployment)",
}

FLAG_LABELS = {
    "FLAG-FARMINGTON": "Repeat caller: referred for help",
    "FLAG-TELL-CALLER": "Tell the caller the outcome",
}

CHECK_LABELS = {
    "CHECK-SUICIDE-MEANS": "Suicidal intent and the means to act on it",
    "CHECK-CAPACITY-MISSING": "Lacks capacity and whereabouts unknown",
}

# Every value of every enum and flags fact (triage.engine.facts.FACT_FIELDS), in words.
FACT_VALUE_LABELS = {
    "concern_type": {
        "welfare_check": "Concern for someone's welfare",
        "walkout": "Patient walked out of a health setting",
        "awol": "Detained patient absent without leave (AWOL)",
        "medical": "Medical emergency or illness",
        "conveyance": "Transport to or between health settings",
        "s136_handover": "Section 136 handover at a place of safety",
    },
    "caller_type": {
        "public": "A member of the public",
        "self": "The person themselves",
        "health_professional": "A health professional",
        "social_care": "Social care (including AMHPs)",
        "ambulance": "The ambulance service",
        "police_officer": "A police officer",
        "other_agency": "Another agency",
    },
    "location_type": {
        "home": "At home",
        "health_setting": "In a hospital or other health setting",
        "mh_inpatient_unit": "In a mental-health inpatient unit",
        "place_of_safety": "At a place of safety",
        "care_home": "In a care home",
        "public_place": "In a public place",
        "other_premises": "At other premises",
        "unknown": "Whereabouts unknown",
    },
    "patient_status": {
        "none": "Not under the Mental Health Act",
        "informal_patient": "Informal (voluntary) patient",
        "detained_mha": "Detained under the Mental Health Act",
        "detained_mha_restricted": "Detained, restricted patient",
        "detained_s136": "Detained under section 136",
    },
    "crime": {
        "none": "No crime",
        "past": "A crime in the past",
        "in_progress": "A crime happening now or just happened",
    },
    "immediate_risk": {
        "none": "No real and immediate risk",
        "serious_harm": "Real and immediate risk of serious harm",
        "life": "Real and immediate risk to life",
    },
    "medical_need": {
        "none": "No clinical need",
        "non_urgent": "Clinical need, not urgent",
        "urgent": "Urgent clinical need",
    },
    "capacity": {
        "has_capacity": "Has capacity",
        "lacks_capacity": "Lacks capacity",
        "unknown": "Not known",
    },
    "known_to_service": {
        "none": "Not known to a service",
        "mental_health": "Mental-health services",
        "social_care": "Social care",
        "primary_care": "Their GP (primary care)",
    },
    "vulnerability_flags": {
        "stated_suicidal_intent": "Has said they intend to end their life",
        "means_available": "Has the means to harm themselves",
        "self_harm_injury": "Injured by self-harm",
        "mental_distress": "In mental distress",
        "cognitive_impairment": "Cognitive impairment (for example dementia)",
        "intoxication": "Intoxicated",
        "frailty": "Frail",
        "critical_medication": "Missing critical medication",
    },
}


def _spaced(code: str) -> str:
    """A last resort for a code with no label (a force's own agency): words, not a code."""
    return code.replace("_", " ").replace("-", " ").lower().capitalize()


def agency_label(code: str | None) -> str:
    if not code:
        return ""
    return AGENCY_LABELS.get(code, _spaced(code))


def flag_label(code: str) -> str:
    return FLAG_LABELS.get(code) or CHECK_LABELS.get(code) or _spaced(code)


def fact_value_label(fact: str, value) -> str:
    """A fact's answer in words: choices by label, yes/no/not known, numbers as given."""
    if value is None:
        return "Not known"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list | tuple):
        return ", ".join(fact_value_label(fact, item) for item in value) or "None"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    labels = FACT_VALUE_LABELS.get(fact, {})
    if isinstance(value, str):
        return labels.get(value, _spaced(value))
    return str(value)
