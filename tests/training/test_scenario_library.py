"""The supervisor's library: a scenario made from a call holds no real address, is saved
only on submit, and the rule-set page lists the scenarios a draft would change."""

import copy
import re

import pytest
from django.urls import reverse

from core.models import ProcessingLog
from tests.factories import take_call
from training.forms import FICTIONAL_ADDRESSES, narrative_without_address
from training.models import Scenario
from triage.rulesets import ruleset_create
from triage.selectors import ruleset_current

pytestmark = pytest.mark.django_db

NEW = reverse("training:scenario-new")


def _call(handler):
    call = take_call(handler=handler, address="Flat 2, 10 High St, Ely CB7 4AA", crime="past")
    call.narrative = (
        "Mrs Smith at flat 2, 10 high st, ely cb7 4aa says her purse was taken. CB7 4AA."
    )
    call.save(update_fields=["narrative"])
    return call


def test_the_call_page_offers_a_supervisor_to_make_a_scenario(login, handler, supervisor):
    call = _call(handler)
    url = reverse("triage:call-detail", args=[call.pk])
    assert f"{NEW}?call={call.pk}" in login(supervisor).get(url).content.decode()
    assert f"{NEW}?call={call.pk}" not in login(handler).get(url).content.decode()


def test_a_scenario_from_a_call_is_prefilled_without_the_address_and_not_saved(
    login, handler, supervisor
):
    call = _call(handler)
    before = Scenario.objects.count()
    response = login(supervisor).get(f"{NEW}?call={call.pk}")
    form = response.context["form"]
    narrative = form.initial["narrative"]
    assert "high st" not in narrative.lower() and "CB7" not in narrative
    assert any(fictional in narrative for fictional in FICTIONAL_ADDRESSES)
    assert "Mrs Smith" in narrative  # names are the supervisor's to edit, and the page says so
    assert "names" in response.content.decode()
    assert form.initial["fact_crime"] == "past"
    assert Scenario.objects.count() == before
    # Reading the call is logged, as any reading of a call is.
    assert ProcessingLog.objects.filter(object_id=str(call.pk)).exists()


def test_the_supervisor_saves_the_edited_scenario(login, supervisor):
    client = login(supervisor)
    initial = client.get(NEW).context["form"]
    data = {"title": "Purse taken", "narrative": "A neighbour says her purse was taken."}
    for name, field in initial.fields.items():
        if name.startswith("fact_"):
            value = field.initial
            if value is None or value is False:
                continue
            data[name] = "on" if value is True else value
    data.update(fact_concern_type="welfare_check", fact_caller_type="public", fact_crime="past")
    response = client.post(NEW, data)
    assert response.status_code == 302
    scenario = Scenario.objects.get(title="Purse taken")
    assert scenario.created_by == supervisor and not scenario.shipped
    assert scenario.facts["crime"] == "past" and "repeat_calls_30d" not in scenario.facts


def test_a_scenario_without_a_narrative_is_refused_in_words(login, supervisor):
    response = login(supervisor).post(NEW, {"title": "Empty", "fact_concern_type": "medical"})
    assert response.status_code == 400
    assert "Enter what the caller says." in response.content.decode()
    assert not Scenario.objects.filter(title="Empty").exists()


def test_handlers_may_not_add_scenarios(login, handler):
    assert login(handler).get(NEW).status_code == 403


def test_every_spelling_of_the_address_and_a_postcode_are_replaced():
    text = narrative_without_address(
        "At 10 HIGH STREET, Ely. Postcode CB7 4AA.",
        ["10 High Street, Ely", "Flat 2, 10 High St"],
        "14 Practice Lane, Exampleton EX1 2AB",
    )
    assert text == "At 14 Practice Lane, Exampleton EX1 2AB. Postcode EX1 2AB."


def test_the_rule_set_page_lists_the_scenarios_a_draft_would_change(login, supervisor):
    document = copy.deepcopy(ruleset_current()[0].document)
    document["version"] = "2026.9-training"
    for rule in document["rules"]:
        if rule["id"] == "WALK-GP":
            rule["outcome"] = {"agency": "HEALTH_SETTING", "police_attend": False}
    draft = ruleset_create(document=document, user=supervisor)
    response = login(supervisor).get(reverse("triage:ruleset-detail", args=[draft.pk]))
    page = response.content.decode()
    assert "Training scenarios this version would change" in page
    assert "Left the minor injuries clinic before his dressing" in page
    assert "Man sitting on a bench all afternoon" not in page
    assert f"1 of {Scenario.objects.count()} training scenarios" in page


def test_the_live_rule_sets_page_has_no_scenario_section(login, supervisor):
    live = ruleset_current()[0]
    page = login(supervisor).get(reverse("triage:ruleset-detail", args=[live.pk]))
    assert "Training scenarios this version would change" not in page.content.decode()


@pytest.mark.parametrize(
    "said",
    [
        "She's at 10 High Street, Ely, Flat 2. Worried.",
        "flat 2 10 high st ely",
        "Caller at 10, high st. again",
    ],
)
def test_the_real_address_is_removed_however_the_caller_said_it(said):
    text = narrative_without_address(
        said, ["Flat 2, 10 High Street, Ely CB7 4AA"], "7 Acacia Avenue, Exampleton EX1 1AA"
    )
    assert "7 Acacia Avenue" in text
    assert not re.search(r"\b10\b|high st|flat 2", text, re.IGNORECASE)
