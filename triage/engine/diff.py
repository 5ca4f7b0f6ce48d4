"""A rule set in words, and what one version changes from another, rule by rule.

The rule-set pages show a supervisor what a draft would change before it is published,
and the service refuses a draft that changes nothing (``same_meaning``). Both read the
documents as the engine does: the version string, key order, the YAML's layout, the
numbers given to ``order`` (only the rules' sequence counts) and the order of a set of
values (``in``, ``not_in``, ``contains_any``) mean nothing.

Pure: stored or validated documents in, text and small frozen dataclasses out. No Django.
"""

from dataclasses import dataclass

from .facts import FACTS_BY_NAME
from .words import agency_label, fact_value_label

# Operators whose value is a set of values: their order means nothing.
_SET_OPS = ("in", "not_in", "contains_any")

NO_TITLE = "No title"
USUAL_ADVICE = "The agency's usual advice"


# --- a rule set in words ---------------------------------------------------------------


def _fact_label(name) -> str:
    spec = FACTS_BY_NAME.get(name) if isinstance(name, str) else None
    return spec.label if spec else str(name).replace("_", " ")


def _value(fact, value) -> str:
    """An answer in words, quoted: answers may hold 'and', 'or' and commas of their own."""
    return f"“{fact_value_label(fact, value)}”"


def _either(fact, values) -> str:
    """'“a”, “b” or “c”'."""
    words = [_value(fact, v) for v in values] if isinstance(values, list) else [str(values)]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


_COMPARISONS = {"gte": "at least", "lte": "at most", "gt": "more than", "lt": "less than"}


def _test_text(node: dict) -> str:
    fact = node["fact"]
    label = _fact_label(fact)
    ops = [key for key in node if key != "fact"]
    if len(ops) != 1:
        return label
    op, value = ops[0], node[ops[0]]
    spec = FACTS_BY_NAME.get(fact)
    if spec is not None and spec.kind == "bool" and op == "eq":
        # "Child at risk" rather than 'Child at risk is “Yes”'.
        return label if value is True else f"{label} is {_value(fact, value)}"
    if op == "eq":
        return f"{label} is {_value(fact, value)}"
    if op == "ne":
        return f"{label} is not {_value(fact, value)}"
    if op == "in":
        return f"{label} is {_either(fact, value)}"
    if op == "not_in":
        return f"{label} is not {_either(fact, value)}"
    if op == "contains":
        return f"{label} includes {_value(fact, value)}"
    if op == "contains_any":
        return f"{label} includes {_either(fact, value)}"
    if op in _COMPARISONS:
        return f"{label} is {_COMPARISONS[op]} {fact_value_label(fact, value)}"
    return f"{label} {op} {value}"


def _condition(node, nested: bool) -> str:
    if not isinstance(node, dict) or not node:
        return str(node)
    if "fact" in node:
        return _test_text(node)
    key, value = next(iter(node.items()))
    if key == "always":
        return "Always (any call no earlier rule matched)"
    if key == "not":
        return f"not ({_condition(value, nested=False)})"
    if key in ("all", "any") and isinstance(value, list):
        parts = [_condition(item, nested=True) for item in value]
        text = (" and " if key == "all" else " or ").join(parts)
        return f"({text})" if nested and len(parts) > 1 else text
    return str(node)


def condition_text(node) -> str:
    """A rule's ``when`` in words, from the facts' questions and answers: 'What is the call
    about? is “Section 136 handover at a place of safety” and (Violence, threats to others
    or a weapon or Crime is “A crime happening now or just happened”)'."""
    text = _condition(node, nested=False)
    return text[0].upper() + text[1:] if text else text


def agency_text(agency) -> str:
    """A rule's agency (a name, cases or a map from a fact) in words."""
    if isinstance(agency, str):
        return agency_label(agency)
    if not isinstance(agency, dict):
        return str(agency)
    if "cases" in agency:
        cases = [
            f"{agency_label(case.get('agency'))} if {condition_text(case.get('when'))}"
            for case in agency["cases"]
            if isinstance(case, dict)
        ]
        return "; ".join([*cases, f"otherwise {agency_label(agency.get('default'))}"])
    fact = agency.get("from_fact")
    mapping = agency.get("map") or {}
    pairs = [f"{_value(fact, k)} → {agency_label(v)}" for k, v in mapping.items()]
    if agency.get("default"):
        pairs.append(f"anything else → {agency_label(agency['default'])}")
    return f"Depends on {_fact_label(fact)}: {'; '.join(pairs)}"


def police_text(attend) -> str:
    return "Yes" if attend else "No"


# --- what a version means ----------------------------------------------------------------


def _normal(value):
    """Text trimmed (the engine trims it), sets of values sorted."""
    if isinstance(value, dict):
        out = {key: _normal(item) for key, item in value.items()}
        if "fact" in out:
            for op in _SET_OPS:
                if isinstance(out.get(op), list):
                    out[op] = sorted(out[op], key=repr)
        return out
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, str):
        return value.strip()
    return value


def _order(rule) -> tuple:
    order = rule.get("order") if isinstance(rule, dict) else None
    return (0, order) if isinstance(order, int) else (1, 0)


def _rules_in_order(document) -> list[dict]:
    rules = document.get("rules") if isinstance(document, dict) else None
    rules = [rule for rule in rules if isinstance(rule, dict)] if isinstance(rules, list) else []
    return sorted(rules, key=_order)


def _fields(mapping: dict, leave_out: tuple[str, ...]) -> dict:
    """A document's or rule's fields, normalised; an absent, null or empty field alike."""
    out = {key: _normal(value) for key, value in mapping.items() if key not in leave_out}
    return {key: value for key, value in out.items() if value not in (None, "")}


def meaning(document) -> dict:
    """The document as the engine reads it: no version, rules in their sequence without
    their order numbers, absent and empty fields alike, text trimmed, sets sorted."""
    if not isinstance(document, dict):
        return {"document": document}
    out = _fields(document, ("version", "rules"))
    out["rules"] = [_fields(rule, ("order",)) for rule in _rules_in_order(document)]
    return out


def same_meaning(old, new) -> bool:
    """Whether two versions would suggest, say and show the same for every call."""
    return meaning(old) == meaning(new)


# --- what a version changes --------------------------------------------------------------


@dataclass(frozen=True)
class PartChange:
    """One part of a rule (or of the rule set) before and after, in words."""

    part: str
    before: str
    after: str


@dataclass(frozen=True)
class RuleSummary:
    """A rule in words, for the rules added or removed."""

    id: str
    title: str  # the id where the rule has no title
    when: str
    agency: str
    police_attend: str
    rationale: str


@dataclass(frozen=True)
class RuleChange:
    id: str
    title: str  # the new version's title (the id where it has none)
    parts: tuple[PartChange, ...]


@dataclass(frozen=True)
class AdviceChange:
    """What the caller is told when one agency is chosen; '' where there is none."""

    agency: str  # in words
    before: str
    after: str


@dataclass(frozen=True)
class RuleSetChanges:
    added: tuple[RuleSummary, ...] = ()
    removed: tuple[RuleSummary, ...] = ()
    changed: tuple[RuleChange, ...] = ()
    caller_advice: tuple[AdviceChange, ...] = ()
    other: tuple[PartChange, ...] = ()  # the rule set's name and description

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.caller_advice or self.other)


def _title(rule: dict) -> str:
    title = rule.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else str(rule.get("id"))


def _outcome(rule: dict) -> dict:
    outcome = rule.get("outcome")
    return outcome if isinstance(outcome, dict) else {}


def _summary(rule: dict) -> RuleSummary:
    outcome = _outcome(rule)
    return RuleSummary(
        id=str(rule.get("id")),
        title=_title(rule),
        when=condition_text(rule.get("when")),
        agency=agency_text(outcome.get("agency")),
        police_attend=police_text(outcome.get("police_attend")),
        rationale=str(rule.get("rationale", "")).strip(),
    )


def _kept_in_sequence(old_ids: list[str], new_ids: list[str]) -> set[str]:
    """The longest run of rules (common to both) kept in the same sequence; the others of
    the common rules have moved. Inserting or removing a rule moves nothing else."""
    common = set(old_ids) & set(new_ids)
    a = [i for i in old_ids if i in common]
    b = [i for i in new_ids if i in common]
    # Longest common subsequence, by table: rule sets hold tens of rules.
    length = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            if a[i] == b[j]:
                length[i][j] = length[i + 1][j + 1] + 1
            else:
                length[i][j] = max(length[i + 1][j], length[i][j + 1])
    kept, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif length[i + 1][j] >= length[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def _place(rules: list[dict], index: int) -> str:
    """Where a rule stands: 'No. 3, after “Title”' (or 'No. 1, first')."""
    rule = rules[index]
    where = "first" if index == 0 else f"after “{_title(rules[index - 1])}”"
    return f"No. {rule.get('order')}, {where}"


def _advice_text(advice) -> str:
    return advice.strip() if isinstance(advice, str) and advice.strip() else USUAL_ADVICE


def _agency_change(old, new) -> tuple[str, str]:
    """Before and after; of two maps from one question, only the answers whose agency
    changes (a map names every answer: the whole of it would hide the change)."""
    maps = [a for a in (old, new) if isinstance(a, dict) and "from_fact" in a]
    if len(maps) < 2 or old.get("from_fact") != new.get("from_fact"):
        return agency_text(old), agency_text(new)
    fact = old["from_fact"]
    old_map, new_map = old.get("map") or {}, new.get("map") or {}
    keys = [*old_map, *(k for k in new_map if k not in old_map)]
    before, after = [], []
    for key in keys:
        if old_map.get(key) != new_map.get(key):
            before.append(_mapped(fact, key, old_map.get(key), old.get("default")))
            after.append(_mapped(fact, key, new_map.get(key), new.get("default")))
    if old.get("default") != new.get("default"):
        before.append(f"anything else → {agency_label(old.get('default')) or 'no agency'}")
        after.append(f"anything else → {agency_label(new.get('default')) or 'no agency'}")
    return (
        f"Depends on {_fact_label(fact)}: {'; '.join(before)}",
        f"Depends on {_fact_label(fact)}: {'; '.join(after)}",
    )


def _mapped(fact, answer, agency, default) -> str:
    if agency is None:
        return f"{_value(fact, answer)} → {agency_label(default) or 'no agency'} (as anything else)"
    return f"{_value(fact, answer)} → {agency_label(agency)}"


def _rule_parts(old: dict, new: dict) -> list[PartChange]:
    parts = []
    old_title = old.get("title") if isinstance(old.get("title"), str) else ""
    new_title = new.get("title") if isinstance(new.get("title"), str) else ""
    if old_title.strip() != new_title.strip():
        parts.append(
            PartChange("Title", old_title.strip() or NO_TITLE, new_title.strip() or NO_TITLE)
        )
    if _normal(old.get("when")) != _normal(new.get("when")):
        parts.append(
            PartChange(
                "When it applies", condition_text(old.get("when")), condition_text(new.get("when"))
            )
        )
    old_out, new_out = _outcome(old), _outcome(new)
    if _normal(old_out.get("agency")) != _normal(new_out.get("agency")):
        parts.append(
            PartChange("Agency", *_agency_change(old_out.get("agency"), new_out.get("agency")))
        )
    if old_out.get("police_attend") != new_out.get("police_attend"):
        parts.append(
            PartChange(
                "Police attend",
                police_text(old_out.get("police_attend")),
                police_text(new_out.get("police_attend")),
            )
        )
    if _normal(old.get("rationale")) != _normal(new.get("rationale")):
        parts.append(
            PartChange(
                "Rationale",
                str(old.get("rationale", "")).strip(),
                str(new.get("rationale", "")).strip(),
            )
        )
    if _advice_text(old.get("caller_advice")) != _advice_text(new.get("caller_advice")):
        parts.append(
            PartChange(
                "Caller advice",
                _advice_text(old.get("caller_advice")),
                _advice_text(new.get("caller_advice")),
            )
        )
    return parts


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def ruleset_changes(old, new) -> RuleSetChanges:
    """What ``new`` changes from ``old``, rule by rule (rules are matched by id: a renamed
    id is one rule removed and one added), then the caller advice by agency and the
    rule set's name and description. Empty (false) exactly when ``same_meaning``."""
    old_rules, new_rules = _rules_in_order(old), _rules_in_order(new)
    old_by_id = {rule.get("id"): rule for rule in old_rules}
    new_by_id = {rule.get("id"): rule for rule in new_rules}
    kept = _kept_in_sequence(
        [rule.get("id") for rule in old_rules], [rule.get("id") for rule in new_rules]
    )
    old_index = {rule.get("id"): i for i, rule in enumerate(old_rules)}
    changed = []
    for index, rule in enumerate(new_rules):
        rule_id = rule.get("id")
        if rule_id not in old_by_id:
            continue
        before = old_by_id[rule_id]
        parts = _rule_parts(before, rule)
        if rule_id not in kept:
            parts.insert(
                1 if parts and parts[0].part == "Title" else 0,
                PartChange(
                    "Order", _place(old_rules, old_index[rule_id]), _place(new_rules, index)
                ),
            )
        if parts:
            changed.append(RuleChange(id=str(rule_id), title=_title(rule), parts=tuple(parts)))

    old_advice = old.get("caller_advice") if isinstance(old, dict) else None
    new_advice = new.get("caller_advice") if isinstance(new, dict) else None
    old_advice = old_advice if isinstance(old_advice, dict) else {}
    new_advice = new_advice if isinstance(new_advice, dict) else {}
    advice = [
        AdviceChange(
            agency_label(agency), _text(old_advice.get(agency)), _text(new_advice.get(agency))
        )
        for agency in [*old_advice, *(a for a in new_advice if a not in old_advice)]
        if _text(old_advice.get(agency)) != _text(new_advice.get(agency))
    ]

    other = []
    for key, part in (("name", "Name"), ("description", "Description")):
        before = _text(old.get(key) if isinstance(old, dict) else None)
        after = _text(new.get(key) if isinstance(new, dict) else None)
        if before != after:
            other.append(PartChange(part, before, after))

    return RuleSetChanges(
        added=tuple(_summary(rule) for rule in new_rules if rule.get("id") not in old_by_id),
        removed=tuple(_summary(rule) for rule in old_rules if rule.get("id") not in new_by_id),
        changed=tuple(changed),
        caller_advice=tuple(advice),
        other=tuple(other),
    )
