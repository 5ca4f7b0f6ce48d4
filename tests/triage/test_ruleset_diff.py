"""What a rule set version changes from another, in words (triage.engine.diff): pure,
table-driven, no database."""

import copy

import pytest

from triage.engine import FACTS_BY_NAME, load_default_document
from triage.engine.diff import (
    NO_TITLE,
    USUAL_ADVICE,
    agency_text,
    condition_text,
    ruleset_changes,
    same_meaning,
)
from triage.engine.words import AGENCY_LABELS, fact_value_label

DEFAULT = load_default_document()


def label(fact: str) -> str:
    return FACTS_BY_NAME[fact].label


def value(fact: str, answer) -> str:
    return f"“{fact_value_label(fact, answer)}”"


def rule(document: dict, rule_id: str) -> dict:
    return next(r for r in document["rules"] if r["id"] == rule_id)


# --- edits of the default rule set, each a function of a copy -------------------------


def new_version(d):
    d["version"] = "2026.2"


def reorder_keys(d):
    d["version"] = "2026.2"
    d["rules"] = [dict(reversed(list(r.items()))) for r in d["rules"]]
    d["caller_advice"] = dict(reversed(list(d["caller_advice"].items())))


def pad_text(d):
    d["name"] = f"  {d['name']}\n"
    rule(d, "GEN-CHILD")["rationale"] += "\n"
    d["caller_advice"]["GP"] = " " + d["caller_advice"]["GP"]


def list_rules_backwards(d):
    d["rules"].reverse()


def renumber_rules(d):
    for r in d["rules"]:
        r["order"] *= 10


def reverse_a_set_of_values(d):
    rule(d, "GEN-IMMEDIATE-RISK")["when"]["in"].reverse()


def retitle(d):
    rule(d, "GEN-CHILD")["title"] = "Safeguarding a child"


def drop_title(d):
    del rule(d, "GEN-CHILD")["title"]


def change_condition(d):
    rule(d, "GEN-PAST-CRIME")["when"] = {"fact": "crime", "in": ["past", "in_progress"]}


def change_agency(d):
    rule(d, "CFW-KNOWN-SERVICE")["outcome"]["agency"]["map"]["mental_health"] = "GP"


def stop_police_attending(d):
    rule(d, "GEN-PAST-CRIME")["outcome"]["police_attend"] = False


def change_rationale(d):
    rule(d, "GEN-CHILD")["rationale"] = "Children are never diverted."


def give_rule_its_own_advice(d):
    rule(d, "GEN-CHILD")["caller_advice"] = "Police are coming for the child."


def move_rule_first(d):
    for r in d["rules"]:
        if r["order"] < rule(d, "GEN-CHILD")["order"]:
            r["order"] += 1
    rule(d, "GEN-CHILD")["order"] = 1


def insert_rule_first(d):
    for r in d["rules"]:
        r["order"] += 1
    d["rules"].insert(
        0,
        {
            "id": "GEN-WEAPON",
            "title": "A weapon",
            "order": 1,
            "when": {"fact": "violence_or_weapon", "eq": True},
            "outcome": {"agency": "POLICE", "police_attend": True},
            "rationale": "Weapons first.",
        },
    )


def remove_rule(d):
    d["rules"].remove(rule(d, "MED-ADVICE"))


def rename_rule(d):
    rule(d, "GEN-CHILD")["id"] = "GEN-CHILDREN"


def change_agency_advice(d):
    d["caller_advice"]["GP"] = "Your GP will call you."


def remove_agency_advice(d):
    del d["caller_advice"]["SOCIAL_CARE"]


def rename_set(d):
    d["name"] = "RCRP, Fenland"


def describe_set(d):
    d["description"] = "For the March pilot."


def empty_description(d):
    d["description"] = ""


def several(d):
    retitle(d)
    change_agency(d)
    remove_rule(d)
    change_agency_advice(d)


NONE = ((), (), [], [], [])
# edit -> (added ids, removed ids, [(changed rule id, [parts])], advice agencies, other)
CASES = [
    (new_version, NONE),
    (reorder_keys, NONE),
    (pad_text, NONE),
    (list_rules_backwards, NONE),
    (renumber_rules, NONE),
    (reverse_a_set_of_values, NONE),
    (empty_description, NONE),
    (retitle, ((), (), [("GEN-CHILD", ["Title"])], [], [])),
    (drop_title, ((), (), [("GEN-CHILD", ["Title"])], [], [])),
    (change_condition, ((), (), [("GEN-PAST-CRIME", ["When it applies"])], [], [])),
    (change_agency, ((), (), [("CFW-KNOWN-SERVICE", ["Agency"])], [], [])),
    (stop_police_attending, ((), (), [("GEN-PAST-CRIME", ["Police attend"])], [], [])),
    (change_rationale, ((), (), [("GEN-CHILD", ["Rationale"])], [], [])),
    (give_rule_its_own_advice, ((), (), [("GEN-CHILD", ["Caller advice"])], [], [])),
    (move_rule_first, ((), (), [("GEN-CHILD", ["Order"])], [], [])),
    (insert_rule_first, (("GEN-WEAPON",), (), [], [], [])),
    (remove_rule, ((), ("MED-ADVICE",), [], [], [])),
    (rename_rule, (("GEN-CHILDREN",), ("GEN-CHILD",), [], [], [])),
    (change_agency_advice, ((), (), [], ["The person's GP"], [])),
    (remove_agency_advice, ((), (), [], ["Social care"], [])),
    (rename_set, ((), (), [], [], ["Name"])),
    (describe_set, ((), (), [], [], ["Description"])),
    (
        several,
        (
            (),
            ("MED-ADVICE",),
            [("GEN-CHILD", ["Title"]), ("CFW-KNOWN-SERVICE", ["Agency"])],
            ["The person's GP"],
            [],
        ),
    ),
]


@pytest.mark.parametrize(("edit", "expected"), CASES, ids=[edit.__name__ for edit, _ in CASES])
def test_the_changes_list_the_rules_added_removed_and_changed(edit, expected):
    draft = copy.deepcopy(DEFAULT)
    edit(draft)
    changes = ruleset_changes(DEFAULT, draft)
    assert (
        tuple(r.id for r in changes.added),
        tuple(r.id for r in changes.removed),
        [(r.id, [p.part for p in r.parts]) for r in changes.changed],
        [a.agency for a in changes.caller_advice],
        [p.part for p in changes.other],
    ) == expected


@pytest.mark.parametrize(("edit", "expected"), CASES, ids=[edit.__name__ for edit, _ in CASES])
def test_a_draft_means_the_same_exactly_when_it_changes_nothing(edit, expected):
    draft = copy.deepcopy(DEFAULT)
    edit(draft)
    assert same_meaning(DEFAULT, draft) is (expected == NONE)
    assert bool(ruleset_changes(DEFAULT, draft)) is (expected != NONE)


def test_a_changed_agency_is_shown_before_and_after_in_words():
    draft = copy.deepcopy(DEFAULT)
    change_agency(draft)
    (part,) = ruleset_changes(DEFAULT, draft).changed[0].parts
    depends = (
        f"Depends on {label('known_to_service')}: {value('known_to_service', 'mental_health')}"
    )
    # Only the answer whose agency changes: the map names every answer.
    assert part.before == f"{depends} → Mental-health crisis team"
    assert part.after == f"{depends} → The person's GP"
    for text in (part.before, part.after):
        assert not any(code in text for code in AGENCY_LABELS if code != "GP")


def test_a_moved_rule_says_where_it_stood_and_where_it_goes():
    draft = copy.deepcopy(DEFAULT)
    move_rule_first(draft)
    (part,) = ruleset_changes(DEFAULT, draft).changed[0].parts
    assert part.before == "No. 9, after “A crime happening now, or violence”"
    assert part.after == "No. 1, first"


def test_a_changed_title_and_advice_read_as_words_when_one_side_has_none():
    draft = copy.deepcopy(DEFAULT)
    drop_title(draft)
    give_rule_its_own_advice(draft)
    (change,) = ruleset_changes(DEFAULT, draft).changed
    assert change.title == "GEN-CHILD"  # the id, where the rule has no title
    assert [(p.part, p.before, p.after) for p in change.parts] == [
        ("Title", "A child at risk", NO_TITLE),
        ("Caller advice", USUAL_ADVICE, "Police are coming for the child."),
    ]


def test_an_added_rule_is_summarised_in_words():
    draft = copy.deepcopy(DEFAULT)
    insert_rule_first(draft)
    (added,) = ruleset_changes(DEFAULT, draft).added
    assert (added.title, added.when, added.agency, added.police_attend) == (
        "A weapon",
        label("violence_or_weapon"),
        "Police",
        "Yes",
    )


CONDITIONS = [
    ({"always": True}, "Always (any call no earlier rule matched)"),
    (
        {"fact": "concern_type", "eq": "s136_handover"},
        f"{label('concern_type')} is {value('concern_type', 's136_handover')}",
    ),
    ({"fact": "child_at_risk", "eq": True}, label("child_at_risk")),
    (
        {"fact": "child_at_risk", "eq": False},
        f"{label('child_at_risk')} is {value('child_at_risk', False)}",
    ),
    (
        {"fact": "crime", "ne": "none"},
        f"{label('crime')} is not {value('crime', 'none')}",
    ),
    (
        {"fact": "immediate_risk", "in": ["serious_harm", "life"]},
        f"{label('immediate_risk')} is {value('immediate_risk', 'serious_harm')} or "
        f"{value('immediate_risk', 'life')}",
    ),
    (
        {"fact": "caller_type", "not_in": ["self", "public", "ambulance"]},
        f"{label('caller_type')} is not {value('caller_type', 'self')}, "
        f"{value('caller_type', 'public')} or {value('caller_type', 'ambulance')}",
    ),
    (
        {"fact": "hours_since_last_seen", "gte": 24},
        f"{label('hours_since_last_seen')} is at least 24",
    ),
    (
        {"fact": "minutes_since_arrival", "lt": 60.0},
        f"{label('minutes_since_arrival')} is less than 60",
    ),
    (
        {"fact": "vulnerability_flags", "contains": "frailty"},
        f"{label('vulnerability_flags')} includes {value('vulnerability_flags', 'frailty')}",
    ),
    (
        {
            "all": [
                {"fact": "concern_type", "eq": "awol"},
                {
                    "any": [
                        {"fact": "rave_risk", "eq": True},
                        {"fact": "entry_required", "eq": True},
                    ]
                },
            ]
        },
        f"{label('concern_type')} is {value('concern_type', 'awol')} and "
        f"({label('rave_risk')} or {label('entry_required')})",
    ),
    (
        {"not": {"fact": "rave_risk", "eq": True}},
        f"Not ({label('rave_risk')})",
    ),
]


@pytest.mark.parametrize(("node", "text"), CONDITIONS)
def test_a_condition_reads_as_the_questions_and_answers(node, text):
    assert condition_text(node) == text


AGENCY_CHOICES = [
    ("MENTAL_HEALTH_CRISIS", "Mental-health crisis team"),
    (
        {
            "default": "POLICE",
            "cases": [
                {
                    "when": {"fact": "medical_need", "eq": "urgent"},
                    "agency": "JOINT_POLICE_AMBULANCE",
                }
            ],
        },
        f"Police and ambulance together if {label('medical_need')} is "
        f"{value('medical_need', 'urgent')}; otherwise Police",
    ),
    (
        {"from_fact": "capacity", "map": {"lacks_capacity": "SOCIAL_CARE"}, "default": "GP"},
        f"Depends on {label('capacity')}: {value('capacity', 'lacks_capacity')} → Social care; "
        "anything else → The person's GP",
    ),
]


@pytest.mark.parametrize(("agency", "text"), AGENCY_CHOICES)
def test_an_agency_choice_reads_in_words(agency, text):
    assert agency_text(agency) == text
