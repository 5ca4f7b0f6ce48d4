"""The shipped scenario library: enough scenarios, every rule covered through the live
engine, and the expected answer always the live rule set's."""

import copy

import pytest

from training import selectors
from training.models import Scenario
from training.shipped import shipped_scenarios
from triage import engine
from triage.rulesets import ruleset_create, ruleset_publish
from triage.selectors import ruleset_current

pytestmark = pytest.mark.django_db


def test_at_least_forty_scenarios_are_shipped_and_loaded_by_the_migration():
    assert len(shipped_scenarios()) >= 40
    assert Scenario.objects.filter(shipped=True).count() == len(shipped_scenarios())


def test_every_rule_of_the_shipped_rule_set_is_expected_by_some_scenario():
    _, rules = ruleset_current()
    fired = set()
    for scenario in Scenario.objects.filter(shipped=True):
        facts = engine.parse_facts(scenario.facts | {"repeat_calls_30d": 1})  # valid facts
        fired.add(engine.evaluate(facts, rules).rule_id)
    assert {rule.id for rule in engine.load_default_ruleset().rules} - fired == set()


def test_scenarios_store_every_fact_but_the_repeat_count():
    wanted = {spec.name for spec in engine.FACT_FIELDS} - {"repeat_calls_30d"}
    for scenario in Scenario.objects.all():
        assert set(scenario.facts) == wanted, scenario.title


def test_scenario_titles_are_unique():
    titles = [item["title"] for item in shipped_scenarios()]
    assert len(titles) == len(set(titles))


def _publish_with(rule_id: str, agency: str, attend: bool, supervisor):
    document = copy.deepcopy(ruleset_current()[0].document)
    document["version"] = "2026.9-training"
    for rule in document["rules"]:
        if rule["id"] == rule_id:
            rule["outcome"] = {"agency": agency, "police_attend": attend}
    return ruleset_create(document=document, user=supervisor)


def test_the_expected_answer_follows_a_newly_published_rule_set(supervisor):
    scenario = Scenario.objects.get(title="Man sitting on a bench all afternoon")
    assert selectors.expected_for(scenario).agency == "ADVISE_CALLER"
    draft = _publish_with("CFW-ADVICE", "SOCIAL_CARE", False, supervisor)
    assert selectors.expected_for(scenario).agency == "ADVISE_CALLER"  # a draft is not live
    ruleset_publish(ruleset=draft, user=supervisor)
    expected = selectors.expected_for(scenario)
    assert (expected.agency, expected.ruleset_version) == ("SOCIAL_CARE", "2026.9-training")
