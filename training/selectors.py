"""Reads for training: the expected answer (always the live engine's), results, and the
scenarios a rule-set draft would change."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from core.roles import Role, has_role
from triage import engine
from triage.engine.words import fact_value_label
from triage.selectors import ruleset_current, ruleset_parsed

from .models import Attempt, Scenario

# Who practises: the roles that take calls or review them. Not the auditor, and not a
# role added later that does not take calls (a mental-health practitioner).
TRAINING_ROLES = frozenset({Role.HANDLER, Role.TRIAGE, Role.SUPERVISOR})
# Questions the trainee answers: the engine's facts less the repeat count the app fills in.
PRACTICE_FACTS = tuple(s for s in engine.FACT_FIELDS if s.name != "repeat_calls_30d")


def practice_facts(facts: dict) -> engine.Facts:
    """A scenario's (or a trainee's) answers as the engine reads a first call. A fact the
    engine gained since the scenario was written takes its neutral answer; one it dropped
    is left out, so stored scenarios keep working as the engine changes."""
    known = {name: value for name, value in facts.items() if name in engine.FACTS_BY_NAME}
    return engine.parse_facts({**engine.neutral_facts(), **known, "repeat_calls_30d": 1})


def expected_for(scenario: Scenario, rules: engine.RuleSet | None = None) -> engine.Suggestion:
    """The expected answer: the live rule set's suggestion on the scenario's facts."""
    if rules is None:
        rules = ruleset_current()[1]
    return engine.evaluate(practice_facts(scenario.facts), rules)


def scenarios() -> QuerySet[Scenario]:
    return Scenario.objects.all()


@dataclass(frozen=True)
class AnswerDifference:
    question: str
    yours: str
    scenario: str
    # Answering this one question as the scenario does changes the suggestion on the
    # trainee's answers: it led them elsewhere. None when the rule set is not given.
    led_elsewhere: bool | None = None


def _outcome(facts: dict, rules: engine.RuleSet):
    try:
        suggestion = engine.evaluate(practice_facts(facts), rules)
    except engine.FactsError:  # this answer alone does not make a whole call
        return None
    return suggestion.agency, suggestion.police_attend, suggestion.rule_id


def answer_differences(
    scenario_facts: dict, answers: dict, rules: engine.RuleSet | None = None
) -> list[AnswerDifference]:
    """The questions the trainee answered otherwise than the scenario, in words; with the
    rule set, whether each one alone led them elsewhere."""
    yours = _outcome(answers, rules) if rules is not None else None
    rows = []
    for spec in PRACTICE_FACTS:
        want, got = scenario_facts.get(spec.name), answers.get(spec.name)
        if spec.kind == "flags":
            same = sorted(want or []) == sorted(got or [])
        elif spec.kind == "number" and want is not None and got is not None:
            same = float(want) == float(got)
        else:
            same = want == got
        if not same:
            led = None
            if yours is not None:
                fixed = _outcome({**answers, spec.name: want}, rules)
                led = fixed is not None and fixed != yours
            rows.append(
                AnswerDifference(
                    spec.label,
                    fact_value_label(spec.name, got),
                    fact_value_label(spec.name, want),
                    led,
                )
            )
    return rows


def attempts_visible_to(user) -> QuerySet[Attempt]:
    """A supervisor sees everyone's attempts; everyone else their own."""
    attempts = Attempt.objects.all()
    if not has_role(user, Role.SUPERVISOR):
        attempts = attempts.filter(user=user)
    return attempts


def _tally(rows) -> list[dict]:
    return [
        {**row, "wrong": row["attempts"] - row["correct"], "percent": _percent(row)} for row in rows
    ]


def _percent(row) -> float:
    return 100 * row["correct"] / row["attempts"] if row["attempts"] else 0.0


_COUNTS = {"attempts": Count("id"), "correct": Count("id", filter=Q(correct=True))}


def results_by_user(attempts: QuerySet[Attempt]) -> list[dict]:
    """Attempts and correct answers per person, by name."""
    rows = (
        attempts.values("user_id", "user__username").annotate(**_COUNTS).order_by("user__username")
    )
    return _tally({**r, "user": r.pop("user__username")} for r in rows)


def results_by_rule(attempts: QuerySet[Attempt]) -> list[dict]:
    """Attempts and correct answers per expected rule, most often wrong first: where
    people go wrong. Titles from the live rule set (a retired rule is shown by its id)."""
    _, rules = ruleset_current()
    titles = {rule.id: rule.title or rule.id for rule in rules.rules}
    rows = _tally(
        {**r, "rule_id": r.pop("expected_rule_id")}
        for r in attempts.values("expected_rule_id").annotate(**_COUNTS)
    )
    for row in rows:
        row["title"] = titles.get(row["rule_id"], row["rule_id"])
    return sorted(rows, key=lambda r: (-r["wrong"], r["percent"], r["rule_id"]))


def results_by_week(attempts: QuerySet[Attempt]) -> list[dict]:
    """Attempts and correct answers per week (Monday, local time), oldest first."""
    rows = (
        attempts.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(**_COUNTS)
        .order_by("week")
    )
    return _tally(rows)


def ruleset_scenario_section(ruleset, live):
    """The rule-set page's section (triage.views.RULESET_DETAIL_SECTIONS): the scenarios
    whose expected answer this version would change from the live one's."""
    if live is None or live.pk == ruleset.pk:
        return None
    live_rules, draft_rules = ruleset_parsed(live), ruleset_parsed(ruleset)
    changed = []
    all_scenarios = list(scenarios().only("id", "title", "facts"))
    for scenario in all_scenarios:
        try:
            facts = practice_facts(scenario.facts)
        except engine.FactsError:  # written for facts the engine no longer reads
            continue
        was, would_be = engine.evaluate(facts, live_rules), engine.evaluate(facts, draft_rules)
        if (was.agency, was.police_attend, was.rule_id) != (
            would_be.agency,
            would_be.police_attend,
            would_be.rule_id,
        ):
            changed.append({"scenario": scenario, "was": was, "would_be": would_be})
    context = {"changed": changed, "total": len(all_scenarios), "live": live}
    return "training/_ruleset_scenarios.html", context
