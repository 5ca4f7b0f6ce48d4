"""Rule sets as data: parse and validate a document whole, compile it, evaluate facts.

A rule set document (YAML or JSON) has a ``version``, a ``name``, ``caller_advice`` per
agency and ordered ``rules``; each rule has an ``id``, an ``order``, a ``when`` condition,
an ``outcome`` (``agency`` and ``police_attend``) and a ``rationale``. The first rule that
matches wins; the last rule must match always, so every valid fact set gets exactly one
suggestion. Flags and checks are fixed by the specification and never change the outcome,
so no condition may test the repeat count behind FLAG-FARMINGTON.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import yaml

from .facts import FACTS_BY_NAME, Facts

AGENCIES = (
    "POLICE",
    "JOINT_POLICE_AMBULANCE",
    "JOINT_POLICE_HEALTH",
    "AMBULANCE",
    "NHS_111",
    "MENTAL_HEALTH_CRISIS",
    "SOCIAL_CARE",
    "GP",
    "HEALTH_SETTING",
    "ADVISE_CALLER",
)
FLAG_IDS = ("FLAG-FARMINGTON", "FLAG-TELL-CALLER")
CHECK_IDS = ("CHECK-SUICIDE-MEANS", "CHECK-CAPACITY-MISSING")
# Facts no condition may test. The repeat count only raises FLAG-FARMINGTON: a repeat-
# caller status never lowers, delays or withholds a response (the specification, and the
# NHS England position on SIM), so it may not choose a rule or an agency either.
NOT_IN_CONDITIONS = frozenset({"repeat_calls_30d"})
DEFAULT_RULESET_PATH = Path(__file__).resolve().parent.parent / "rules" / "default.yaml"
_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")
_OPS = {
    "enum": {"eq", "ne", "in", "not_in"},
    "bool": {"eq", "ne"},
    "int": {"eq", "ne", "gte", "lte", "gt", "lt"},
    "number": {"eq", "ne", "gte", "lte", "gt", "lt"},
    "flags": {"contains", "contains_any"},
}

Condition = Callable[[Facts], bool]


class RuleSetError(ValueError):
    """A malformed rule set; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    id: str
    order: int
    when: Condition
    agency: Callable[[Facts], str]
    agencies: frozenset[str]
    police_attend: bool
    rationale: str
    caller_advice: str | None
    # The rule in a few plain words, for people; the id stays as a small secondary label.
    # Optional: versions stored before titles existed have none (shown by id).
    title: str = ""


@dataclass(frozen=True)
class RuleSet:
    version: str
    name: str
    rules: tuple[Rule, ...]
    caller_advice: dict[str, str]


@dataclass(frozen=True)
class Suggestion:
    rule_id: str
    agency: str
    police_attend: bool
    rationale: str
    flags: tuple[str, ...]
    checks: tuple[str, ...]
    caller_advice: str
    ruleset_version: str
    # For screens only: the specification's eight keys (to_dict) stay the API's answer.
    rule_title: str = ""

    def to_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "agency": self.agency,
            "police_attend": self.police_attend,
            "rationale": self.rationale,
            "flags": list(self.flags),
            "checks": list(self.checks),
            "caller_advice": self.caller_advice,
            "ruleset_version": self.ruleset_version,
        }


# --- compiling conditions -------------------------------------------------------------


def _check_value(spec, value, where: str, *, allow_list=False):
    if allow_list:
        if not isinstance(value, list) or not value:
            raise RuleSetError(f"{where}: must be a non-empty list of {spec.name} values.")
        for item in value:
            _check_value(spec, item, where)
        return
    if value is None:
        if not spec.nullable:
            raise RuleSetError(f"{where}: {spec.name} is never null.")
        return
    kind = spec.kind
    if kind in ("enum", "flags"):
        if value not in spec.choices:
            raise RuleSetError(
                f"{where}: {value!r} is not a value of {spec.name} "
                f"(allowed: {', '.join(spec.choices)})."
            )
    elif kind == "bool":
        if not isinstance(value, bool):
            raise RuleSetError(f"{where}: {spec.name} is true or false.")
    elif not isinstance(value, int | float) or isinstance(value, bool):
        raise RuleSetError(f"{where}: {spec.name} compares with a number.")


def _compile_test(node: dict, where: str, forbidden: frozenset) -> Condition:
    name = node.get("fact")
    spec = FACTS_BY_NAME.get(name) if isinstance(name, str) else None
    if spec is None:
        raise RuleSetError(f"{where}.fact: unknown fact {name!r}.")
    if name in forbidden:
        raise RuleSetError(
            f"{where}.fact: {name} cannot be used in a condition; the repeat-caller flag "
            "never changes the suggestion."
        )
    ops = [key for key in node if key != "fact"]
    if len(ops) != 1:
        raise RuleSetError(f"{where}: give exactly one operator for {name}.")
    op, value = ops[0], node[ops[0]]
    if op not in _OPS[spec.kind]:
        raise RuleSetError(
            f"{where}.{op}: operator not allowed for {name} "
            f"(allowed: {', '.join(sorted(_OPS[spec.kind]))})."
        )
    get = attrgetter(name)
    path = f"{where}.{op}"
    if op in ("in", "not_in", "contains_any"):
        _check_value(spec, value, path, allow_list=True)
        values = frozenset(value)
        if op == "in":
            return lambda f: get(f) in values
        if op == "not_in":
            return lambda f: get(f) not in values
        return lambda f: not values.isdisjoint(get(f))
    _check_value(spec, value, path)
    if op == "eq":
        return lambda f: get(f) == value
    if op == "ne":
        return lambda f: get(f) != value
    if op == "contains":
        return lambda f: value in get(f)
    if value is None:
        raise RuleSetError(f"{path}: compare with a number, not null.")
    compare = {
        "gte": lambda a: a is not None and a >= value,
        "lte": lambda a: a is not None and a <= value,
        "gt": lambda a: a is not None and a > value,
        "lt": lambda a: a is not None and a < value,
    }[op]
    return lambda f: compare(get(f))


def _compile(node, where: str, forbidden: frozenset) -> Condition:
    """A condition; ``forbidden``: facts it may not test (NOT_IN_CONDITIONS, or none for a
    version stored before they were refused)."""
    if not isinstance(node, dict) or not node:
        raise RuleSetError(f"{where}: must be a condition object.")
    if "fact" in node:
        return _compile_test(node, where, forbidden)
    if len(node) != 1:
        raise RuleSetError(f"{where}: use one of all, any, not, always, or a fact test.")
    ((key, value),) = node.items()
    if key == "always":
        if value is not True:
            raise RuleSetError(f"{where}.always: must be true.")
        return lambda f: True
    if key == "not":
        inner = _compile(value, f"{where}.not", forbidden)
        return lambda f: not inner(f)
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise RuleSetError(f"{where}.{key}: must be a non-empty list of conditions.")
        parts = tuple(
            _compile(item, f"{where}.{key}[{i}]", forbidden) for i, item in enumerate(value)
        )
        if key == "all":
            return lambda f: all(part(f) for part in parts)
        return lambda f: any(part(f) for part in parts)
    raise RuleSetError(f"{where}: unknown condition {key!r}.")


def _agency_name(value, where: str) -> str:
    if value not in AGENCIES:
        raise RuleSetError(f"{where}: {value!r} is not an agency (allowed: {', '.join(AGENCIES)}).")
    return value


def _compile_agency(
    value, where: str, forbidden: frozenset
) -> tuple[Callable[[Facts], str], frozenset[str]]:
    """``agency`` is a name, {default, cases: [{when, agency}]} or {from_fact, map, default}."""
    if isinstance(value, str):
        agency = _agency_name(value, where)
        return (lambda f: agency), frozenset({agency})
    if not isinstance(value, dict):
        raise RuleSetError(f"{where}: must be an agency or an agency choice.")
    if "cases" in value:
        unknown = set(value) - {"cases", "default"}
        if unknown:
            raise RuleSetError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}.")
        default = _agency_name(value.get("default"), f"{where}.default")
        cases = value["cases"]
        if not isinstance(cases, list) or not cases:
            raise RuleSetError(f"{where}.cases: must be a non-empty list.")
        compiled = []
        for i, case in enumerate(cases):
            if not isinstance(case, dict) or set(case) != {"when", "agency"}:
                raise RuleSetError(f"{where}.cases[{i}]: needs exactly 'when' and 'agency'.")
            compiled.append(
                (
                    _compile(case["when"], f"{where}.cases[{i}].when", forbidden),
                    _agency_name(case["agency"], f"{where}.cases[{i}].agency"),
                )
            )
        choices = tuple(compiled)

        def choose(f):
            for when, agency in choices:
                if when(f):
                    return agency
            return default

        return choose, frozenset({default, *(a for _, a in choices)})
    if "from_fact" in value:
        unknown = set(value) - {"from_fact", "map", "default"}
        if unknown:
            raise RuleSetError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}.")
        name = value["from_fact"]
        spec = FACTS_BY_NAME.get(name) if isinstance(name, str) else None
        if spec is None or spec.kind != "enum":
            raise RuleSetError(f"{where}.from_fact: {name!r} is not a fact with named values.")
        mapping = value.get("map")
        if not isinstance(mapping, dict) or not mapping:
            raise RuleSetError(f"{where}.map: must map values of {name} to agencies.")
        for key, agency in mapping.items():
            _check_value(spec, key, f"{where}.map")
            _agency_name(agency, f"{where}.map.{key}")
        default = value.get("default")
        if default is None and set(mapping) != set(spec.choices):
            missing = ", ".join(c for c in spec.choices if c not in mapping)
            raise RuleSetError(f"{where}: map misses {missing}; add them or a default.")
        if default is not None:
            _agency_name(default, f"{where}.default")
        get = attrgetter(name)
        table = dict(mapping)
        return (lambda f: table.get(get(f), default)), frozenset(
            {*table.values(), *([default] if default else [])}
        )
    raise RuleSetError(f"{where}: use an agency, {{default, cases}} or {{from_fact, map}}.")


_RULE_KEYS = {"id", "title", "order", "when", "outcome", "rationale", "caller_advice"}
TITLE_MAX = 80


def _parse_rule(raw, index: int, forbidden: frozenset) -> Rule:
    label = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise RuleSetError(f"{label}: must be an object.")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise RuleSetError(f"{label}.id: must be an id like GEN-CHILD (got {rule_id!r}).")
    label = f"rule {rule_id}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleSetError(f"{label}: unknown field(s) {', '.join(sorted(unknown))}.")
    missing = {"order", "when", "outcome", "rationale"} - set(raw)
    if missing:
        raise RuleSetError(f"{label}: missing field(s) {', '.join(sorted(missing))}.")
    order = raw["order"]
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise RuleSetError(f"{label}, field order: must be a positive whole number.")
    when = _compile(raw["when"], f"{label}, field when", forbidden)
    outcome = raw["outcome"]
    if not isinstance(outcome, dict) or set(outcome) != {"agency", "police_attend"}:
        raise RuleSetError(f"{label}, field outcome: needs exactly agency and police_attend.")
    agency, agencies = _compile_agency(
        outcome["agency"], f"{label}, field outcome.agency", forbidden
    )
    if not isinstance(outcome["police_attend"], bool):
        raise RuleSetError(f"{label}, field outcome.police_attend: must be true or false.")
    rationale = raw["rationale"]
    if not isinstance(rationale, str) or not rationale.strip():
        raise RuleSetError(f"{label}, field rationale: must be text.")
    advice = raw.get("caller_advice")
    if advice is not None and (not isinstance(advice, str) or not advice.strip()):
        raise RuleSetError(f"{label}, field caller_advice: must be text.")
    title = raw.get("title")
    if title is not None and (
        not isinstance(title, str) or not title.strip() or len(title.strip()) > TITLE_MAX
    ):
        raise RuleSetError(f"{label}, field title: must be text of at most {TITLE_MAX} characters.")
    return Rule(
        id=rule_id,
        order=order,
        when=when,
        agency=agency,
        agencies=agencies,
        police_attend=outcome["police_attend"],
        rationale=rationale.strip(),
        caller_advice=advice.strip() if advice else None,
        title=title.strip() if title else "",
    )


def parse_ruleset(document, *, stored: bool = False) -> RuleSet:
    """Validate a rule set document whole and compile it; RuleSetError on the first fault.

    ``stored``: a version already kept, checked when it was saved. A rule added since
    (NOT_IN_CONDITIONS) does not stop it running, so a live version stored before that
    rule never fails an intake; drafts and publishing check everything.
    """
    forbidden = frozenset() if stored else NOT_IN_CONDITIONS
    if not isinstance(document, dict):
        raise RuleSetError("The rule set must be an object with version, name and rules.")
    unknown = set(document) - {"version", "name", "description", "caller_advice", "rules"}
    if unknown:
        raise RuleSetError(f"Unknown top-level field(s): {', '.join(sorted(unknown))}.")
    version = document.get("version")
    if not isinstance(version, str | int | float) or isinstance(version, bool):
        raise RuleSetError("Field version: required (for example '2026.1').")
    version = str(version).strip()
    if not version or len(version) > 40:
        raise RuleSetError("Field version: 1 to 40 characters.")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise RuleSetError("Field name: required text (at most 200 characters).")
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleSetError("Field rules: must be a non-empty list.")
    rules = [_parse_rule(raw, i, forbidden) for i, raw in enumerate(raw_rules)]
    seen_ids: set[str] = set()
    seen_orders: dict[int, str] = {}
    for rule in rules:
        if rule.id in seen_ids:
            raise RuleSetError(f"rule {rule.id}, field id: used twice.")
        if rule.order in seen_orders:
            raise RuleSetError(
                f"rule {rule.id}, field order: {rule.order} is also rule {seen_orders[rule.order]}."
            )
        seen_ids.add(rule.id)
        seen_orders[rule.order] = rule.id
    rules.sort(key=lambda r: r.order)
    last = next(raw for raw in raw_rules if raw["id"] == rules[-1].id)
    if last["when"] != {"always": True}:
        raise RuleSetError(
            f"rule {rules[-1].id}, field when: the last rule must be 'always: true' "
            "so that every call gets a suggestion."
        )
    advice = document.get("caller_advice")
    if not isinstance(advice, dict):
        raise RuleSetError("Field caller_advice: must map each agency to what to tell the caller.")
    for agency, text in advice.items():
        _agency_name(agency, "caller_advice")
        if not isinstance(text, str) or not text.strip():
            raise RuleSetError(f"caller_advice.{agency}: must be text.")
    for rule in rules:
        if rule.caller_advice:
            continue
        missing = sorted(a for a in rule.agencies if a not in advice)
        if missing:
            raise RuleSetError(
                f"rule {rule.id}, field caller_advice: no advice for {', '.join(missing)}."
            )
    return RuleSet(
        version=version,
        name=name.strip(),
        rules=tuple(rules),
        caller_advice={k: v.strip() for k, v in advice.items()},
    )


def rule_titles(document) -> dict[str, str]:
    """Each rule's plain title by id, from a stored document (rules without one left out)."""
    rules = document.get("rules", []) if isinstance(document, dict) else []
    return {
        rule["id"]: rule["title"]
        for rule in rules
        if isinstance(rule, dict) and isinstance(rule.get("title"), str) and "id" in rule
    }


def load_default_document() -> dict:
    """The shipped default rule set as a document."""
    with DEFAULT_RULESET_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_default_ruleset() -> RuleSet:
    return parse_ruleset(load_default_document())


def evaluate(facts: Facts, ruleset: RuleSet, *, repeat_due: bool = False) -> Suggestion:
    """The one suggestion for valid facts: the first matching rule, plus flags and checks.

    ``repeat_due``: the call completes the dwelling's repeat-caller window under the live
    Operation Farmington policy (``referrals.farmington``, which alone knows its numbers):
    it raises FLAG-FARMINGTON, and never changes the suggestion."""
    for rule in ruleset.rules:
        if rule.when(facts):
            break
    else:  # pragma: no cover - parse_ruleset guarantees an always-matching last rule
        raise RuleSetError("No rule matched.")
    agency = rule.agency(facts)
    attend = rule.police_attend
    flags = []
    if repeat_due:
        flags.append("FLAG-FARMINGTON")
    if not attend:
        flags.append("FLAG-TELL-CALLER")
    checks = []
    vulnerability = facts.vulnerability_flags
    no_risk = facts.immediate_risk == "none"
    if "stated_suicidal_intent" in vulnerability and "means_available" in vulnerability and no_risk:
        checks.append("CHECK-SUICIDE-MEANS")
    if facts.capacity == "lacks_capacity" and facts.location_type == "unknown" and no_risk:
        checks.append("CHECK-CAPACITY-MISSING")
    return Suggestion(
        rule_id=rule.id,
        agency=agency,
        police_attend=attend,
        rationale=rule.rationale,
        rule_title=rule.title,
        flags=tuple(flags),
        checks=tuple(checks),
        caller_advice=rule.caller_advice or ruleset.caller_advice[agency],
        ruleset_version=ruleset.version,
    )
