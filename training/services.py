"""Writes for training: scenarios and attempts. Nothing here writes a call, a dwelling, a
referral, a dashboard figure or a processing-log entry: practice is not casework."""

from django.db import transaction

from core.errors import DomainError
from triage import engine

from .models import Attempt, Scenario
from .selectors import expected_for, practice_facts

TITLE_MAX = Scenario._meta.get_field("title").max_length
NARRATIVE_MAX = 10_000


@transaction.atomic
def scenario_create(*, title: str, narrative: str, facts: dict, created_by) -> Scenario:
    """A supervisor's scenario. Its facts must be a whole, valid facts object (without the
    repeat count); its narrative must hold no personal data (the form that makes one from
    a call replaces the address with a fictional one and asks the supervisor to check)."""
    title, narrative = title.strip(), narrative.strip()
    errors: dict = {}
    if not title:
        errors["title"] = ["Enter a title."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Shorten the title to {TITLE_MAX} characters or fewer."]
    if not narrative:
        errors["narrative"] = ["Enter what the caller says."]
    elif len(narrative) > NARRATIVE_MAX:
        errors["narrative"] = ["Shorten the narrative to 10,000 characters or fewer."]
    if not isinstance(facts, dict) or "repeat_calls_30d" in facts:
        errors["facts"] = {"facts": ["Give every fact but the repeat count."]}
    else:
        try:
            parsed = practice_facts(facts)
        except engine.FactsError as exc:
            errors["facts"] = exc.errors
        else:
            facts = engine.facts_to_dict(parsed)
            facts.pop("repeat_calls_30d")
    if errors:
        raise DomainError(errors=errors)
    return Scenario.objects.create(
        title=title, narrative=narrative, facts=facts, created_by=created_by
    )


@transaction.atomic
def attempt_record(
    *, user, scenario: Scenario, agency: str, police_attend: bool, answers: dict | None = None
) -> tuple[Attempt, engine.Suggestion]:
    """Record a trainee's answer against the live engine's expected answer (agency and
    police attendance must both match) and return it with the expected suggestion."""
    if agency not in engine.AGENCIES:
        raise DomainError("Choose an agency.", field="agency")
    if not isinstance(police_attend, bool):
        raise DomainError("Say whether police attend.", field="police_attend")
    try:
        expected = expected_for(scenario)
    except engine.FactsError:
        raise DomainError(
            "This scenario's answers no longer fit the questions: a supervisor must update it.",
            field="scenario",
        ) from None
    attempt = Attempt.objects.create(
        user=user,
        scenario=scenario,
        agency=agency,
        police_attend=police_attend,
        correct=(agency, police_attend) == (expected.agency, expected.police_attend),
        expected_rule_id=expected.rule_id,
        expected_agency=expected.agency,
        expected_police_attend=expected.police_attend,
        ruleset_version=expected.ruleset_version,
        answers=answers,
    )
    return attempt, expected
