"""The RCRP engine: pure functions, no ORM. Facts in, one suggestion out."""

from .facts import (
    FACT_FIELDS,
    FACTS_BY_NAME,
    Facts,
    FactsError,
    FactSpec,
    facts_to_dict,
    parse_facts,
)
from .rules import (
    AGENCIES,
    CHECK_IDS,
    DEFAULT_RULESET_PATH,
    FLAG_IDS,
    Rule,
    RuleSet,
    RuleSetError,
    Suggestion,
    evaluate,
    load_default_document,
    load_default_ruleset,
    parse_ruleset,
    rule_titles,
)

__all__ = [
    "AGENCIES",
    "CHECK_IDS",
    "DEFAULT_RULESET_PATH",
    "FACTS_BY_NAME",
    "FACT_FIELDS",
    "FLAG_IDS",
    "FactSpec",
    "Facts",
    "FactsError",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "Suggestion",
    "evaluate",
    "facts_to_dict",
    "load_default_document",
    "load_default_ruleset",
    "parse_facts",
    "parse_ruleset",
    "rule_titles",
]
