import copy
import importlib
import json
import re
from datetime import timedelta

import pytest
import yaml
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from tests.factories import facts as fact_answers
from tests.factories import take_call
from tests.triage.page_text import codes_in, visible_text
from triage import engine, selectors, services
from triage.models import RuleSet

pytestmark = pytest.mark.django_db


def _draft_document(version="2026.2"):
    """The default rule set with mental-health clients sent to their GP instead."""
    document = copy.deepcopy(engine.load_default_document())
    document["version"] = version
    for rule in document["rules"]:
        if rule["id"] == "CFW-KNOWN-SERVICE":
            rule["outcome"]["agency"]["map"]["mental_health"] = "GP"
    return document


def test_a_malformed_rule_set_is_rejected_naming_the_rule_and_nothing_is_stored():
    services.ruleset_ensure_default()
    document = _draft_document()
    document["rules"][8]["outcome"]["agency"]["default"] = "FIRE_SERVICE"
    with pytest.raises(DomainError, match="rule GEN-CHILD.*FIRE_SERVICE"):
        services.ruleset_create(document=document)
    assert RuleSet.objects.count() == 1


def _repeat_caller_document() -> dict:
    """A draft whose first rule sends anyone's third call in 30 days to advice only."""
    document = _draft_document()
    for rule in document["rules"]:
        rule["order"] += 1
    document["rules"].insert(
        0,
        {
            "id": "REPEAT-ADVICE",
            "order": 1,
            "when": {"fact": "repeat_calls_30d", "gte": 3},
            "outcome": {"agency": "ADVISE_CALLER", "police_attend": False},
            "rationale": "Frequent caller.",
        },
    )
    return document


REPEAT_REFUSED = (
    "rule REPEAT-ADVICE, field when.fact: repeat_calls_30d cannot be used in a condition; "
    "the repeat-caller flag never changes the suggestion."
)


def test_a_rule_set_that_lowers_the_response_for_repeat_callers_is_refused_and_not_stored():
    """The red line: a third call about a crime in progress must not lose the police."""
    services.ruleset_ensure_default()
    with pytest.raises(DomainError) as info:
        services.ruleset_create(document=_repeat_caller_document(), publish=True)
    assert info.value.as_dict() == {"document": [REPEAT_REFUSED]}
    assert RuleSet.objects.count() == 1
    calls = [take_call(crime="in_progress") for _ in range(3)]
    assert calls[-1].repeat_calls_30d == 3
    assert (calls[-1].suggested_agency, calls[-1].suggested_police_attend) == ("POLICE", True)


def _stored_before_the_rule(login, supervisor):
    """A draft with a repeat-count condition, as stored before such drafts were refused."""
    live = services.ruleset_ensure_default()
    draft = RuleSet.objects.create(
        version="2026.2", name="stored earlier", document=_repeat_caller_document()
    )
    return live, draft, login(supervisor)


def test_a_stored_version_that_no_longer_validates_cannot_be_published(login, supervisor):
    live, draft, client = _stored_before_the_rule(login, supervisor)
    response = client.post(reverse("triage:ruleset-publish", args=[draft.pk]), follow=True)
    assert f"Version 2026.2 cannot be published: {REPEAT_REFUSED}" in response.content.decode()
    assert RuleSet.objects.get(status=RuleSet.Status.PUBLISHED) == live
    assert take_call().ruleset == live


def test_the_what_if_of_a_stored_version_that_no_longer_validates_still_runs(login, supervisor):
    _, draft, client = _stored_before_the_rule(login, supervisor)
    today = timezone.localdate().isoformat()
    response = client.get(
        reverse("triage:ruleset-detail", args=[draft.pk]), {"start": today, "end": today}
    )
    assert response.status_code == 200
    assert response.context["result"] is not None


def test_a_live_version_stored_before_the_rule_still_takes_calls(login, supervisor):
    """Never lose a call: a version published before the rule was added keeps working
    until it is replaced; only drafts and publishing are checked against the new rule."""
    _, stored, _ = _stored_before_the_rule(login, supervisor)
    RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).update(status=RuleSet.Status.RETIRED)
    RuleSet.objects.filter(pk=stored.pk).update(
        status=RuleSet.Status.PUBLISHED, published_at=timezone.now()
    )
    call = take_call(crime="in_progress")
    assert call.ruleset_id == stored.pk and call.suggested_police_attend is True


def test_a_version_number_cannot_be_reused():
    services.ruleset_ensure_default()
    with pytest.raises(DomainError, match="already exists"):
        services.ruleset_create(document=_draft_document("2026.1"))


def test_publishing_retires_the_live_version_and_new_calls_record_the_new_one():
    before = take_call(known_to_service="mental_health")
    draft = services.ruleset_create(document=_draft_document())
    assert before.ruleset.status == RuleSet.Status.PUBLISHED
    services.ruleset_publish(ruleset=draft)
    after = take_call(known_to_service="mental_health", address="3 Mill Lane, Ely CB7 4AA")
    before.ruleset.refresh_from_db()
    assert before.ruleset.status == RuleSet.Status.RETIRED
    assert (after.ruleset, after.suggested_agency) == (draft, "GP")
    before.refresh_from_db()
    assert (before.suggestion["ruleset_version"], before.suggested_agency) == (
        "2026.1",
        "MENTAL_HEALTH_CRISIS",
    )


def test_the_live_version_cannot_be_published_twice():
    live = services.ruleset_ensure_default()
    with pytest.raises(DomainError, match="already live"):
        services.ruleset_publish(ruleset=live)


def test_what_if_counts_and_lists_the_calls_whose_suggestion_would_change():
    now = timezone.now()
    changed = [
        take_call(known_to_service="mental_health", received_at=now - timedelta(days=d))
        for d in (1, 2)
    ]
    take_call(received_at=now - timedelta(days=3))  # CFW-ADVICE either way
    take_call(known_to_service="mental_health", received_at=now - timedelta(days=40))
    draft = services.ruleset_create(document=_draft_document())

    result = selectors.ruleset_what_if(draft, start=now - timedelta(days=28), end=now)

    assert (result.calls, result.changed, result.attend_changed) == (3, 2, 0)
    assert result.transitions == {("MENTAL_HEALTH_CRISIS", "GP"): 2}
    assert sorted(ex.id for ex in result.examples) == sorted(c.pk for c in changed)
    assert draft.status == RuleSet.Status.DRAFT  # nothing published, nothing written


def test_what_if_names_the_rules_by_the_titles_of_their_versions():
    call = take_call(known_to_service="mental_health")
    document = _draft_document()
    for rule in document["rules"]:
        if rule["id"] == "CFW-KNOWN-SERVICE":
            rule["title"] = "Welfare concern, the GP checks"
    draft = services.ruleset_create(document=document)
    now = timezone.now()

    (example,) = selectors.ruleset_what_if(
        draft, start=now - timedelta(days=1), end=now + timedelta(days=1)
    ).examples

    assert example.id == call.pk
    assert (example.was.rule_title, example.was.agency) == (
        "Welfare concern, the person's own service checks",
        "MENTAL_HEALTH_CRISIS",
    )
    assert (example.would_be.rule_title, example.would_be.agency) == (
        "Welfare concern, the GP checks",
        "GP",
    )


def test_a_supervisor_saves_a_draft_from_the_page(login, supervisor):
    services.ruleset_ensure_default()
    page = login(supervisor).get(reverse("triage:ruleset-list")).content.decode()
    assert "CFW-KNOWN-SERVICE" in page  # the live text is offered as the starting point
    response = login(supervisor).post(
        reverse("triage:ruleset-list"), {"document": yaml.safe_dump(_draft_document())}
    )
    draft = RuleSet.objects.get(version="2026.2")
    assert response.status_code == 302
    assert response.url == reverse("triage:ruleset-detail", args=[draft.pk])
    assert draft.status == RuleSet.Status.DRAFT


# Six lines of aliases that stand for 10**6 values (a "billion laughs").
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
    for previous, name in zip("abcde", "bcdef", strict=True)
)


def _with_description(value: str) -> str:
    """A valid draft whose free-text description YAML turns into something else."""
    return yaml.safe_dump(_draft_document()) + f"description: {value}\n"


# Drafts that once gave a 500: each gets a form error.
HOSTILE_DRAFTS = [
    ("[" * 3000 + "]" * 3000, "nested too deeply"),
    ("- " * 3000 + "x", "nested too deeply"),
    ("version: 2026-13-45", "a value cannot be read"),
    ("version: " + "1" * 5000, "a value cannot be read"),
    ("version: !!timestamp soon", "a value cannot be read"),
    ('version: "\\U00110000"', "a value cannot be read"),
    (_with_description("2026-01-01"), "a date is not allowed (at description)"),
    (_with_description(".nan"), "nan (not a finite number) cannot be stored"),
    (_with_description("!!binary aGVsbG8="), "a bytes is not allowed"),
    (_with_description("!!set {a: null}"), "a set is not allowed"),
    (_with_description('"\\ud800"'), "a text has an invalid escape"),
    (ALIAS_BOMB, "too many values"),
]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: [unclosed", "Not valid YAML: line 1"),
        ("- just\n- a list", "must be a mapping"),
        ("version: '9'\nname: x\nrules: []\ncaller_advice: {}", "rules: must be a non-empty list"),
        (yaml.safe_dump(_repeat_caller_document()), REPEAT_REFUSED),
        *HOSTILE_DRAFTS,
    ],
)
def test_a_bad_draft_gets_a_form_error_and_is_not_stored(login, supervisor, text, message):
    services.ruleset_ensure_default()
    response = login(supervisor).post(reverse("triage:ruleset-list"), {"document": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert RuleSet.objects.count() == 1


def test_the_what_if_page_shows_the_changed_calls(login, supervisor):
    call = take_call(known_to_service="mental_health")
    draft = services.ruleset_create(document=_draft_document())
    today = timezone.localdate()
    response = login(supervisor).get(
        reverse("triage:ruleset-detail", args=[draft.pk]),
        {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()},
    )
    html = response.content.decode()
    assert "<strong>1</strong> of 1 calls" in html
    assert f'href="{reverse("triage:call-detail", args=[call.pk])}"' in html
    text = visible_text(response)
    was = "Mental-health crisis team, no police Welfare concern, the person's own service checks"
    assert was in text
    assert "The person's GP, no police" in text
    assert "MENTAL_HEALTH_CRISIS" not in text


def test_the_what_if_period_is_limited_and_ordered(login, supervisor):
    live = services.ruleset_ensure_default()
    url = reverse("triage:ruleset-detail", args=[live.pk])
    client = login(supervisor)
    backwards = client.get(url, {"start": "2026-05-02", "end": "2026-05-01"})
    too_long = client.get(url, {"start": "2026-01-01", "end": "2026-12-31"})
    assert backwards.status_code == too_long.status_code == 400
    assert "Choose an end date on or after the start date." in backwards.content.decode()
    assert "at most 92 days" in too_long.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("9999-12-30", "9999-12-31", "end"),
        ("2099-12-31", "2100-01-01", "end"),
        ("0001-01-01", "0001-01-02", "start"),
        ("1999-12-31", "2000-01-01", "start"),
    ],
)
def test_a_what_if_date_outside_2000_to_2099_is_a_form_error(login, supervisor, start, end, field):
    live = services.ruleset_ensure_default()
    response = login(supervisor).get(
        reverse("triage:ruleset-detail", args=[live.pk]), {"start": start, "end": end}
    )
    assert response.status_code == 400
    assert response.context["what_if_form"].errors[field] == [
        "Enter a date from 1 Jan 2000 to 31 Dec 2099."
    ]
    assert "Enter a date from 1 Jan 2000 to 31 Dec 2099." in response.content.decode()


def test_the_what_if_period_may_end_on_the_last_day_accepted(login, supervisor):
    live = services.ruleset_ensure_default()
    response = login(supervisor).get(
        reverse("triage:ruleset-detail", args=[live.pk]),
        {"start": "2099-12-01", "end": "2099-12-31"},
    )
    assert response.status_code == 200
    assert response.context["result"].calls == 0


def test_publishing_from_the_page_makes_the_draft_live(login, supervisor):
    services.ruleset_ensure_default()
    draft = services.ruleset_create(document=_draft_document())
    response = login(supervisor).post(reverse("triage:ruleset-publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == RuleSet.Status.PUBLISHED


def test_a_rule_set_is_never_read_as_another_that_once_had_its_id(db):
    """SQLite gives a rolled-back row's id to the next row: the parsed cache must not."""
    from django.db import transaction

    with transaction.atomic():
        gone = services.ruleset_create(document=_draft_document("2026.8"))
        assert selectors.ruleset_parsed(gone).version == "2026.8"
        transaction.set_rollback(True)
    kept = services.ruleset_create(document=_draft_document("2026.9"))
    assert selectors.ruleset_parsed(kept).version == "2026.9"


def test_a_first_start_that_finds_the_default_made_meanwhile_uses_it(monkeypatch):
    """Another first request publishes the default between this one's two reads: this
    one's publish is refused ("already live") and it goes on with that version."""
    load = engine.load_default_document

    def meanwhile():
        document = load()
        RuleSet.objects.create(  # the other request's, committed
            version=str(document["version"]),
            name=document["name"],
            document=document,
            status=RuleSet.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        return document

    monkeypatch.setattr(engine, "load_default_document", meanwhile)
    live = services.ruleset_ensure_default()
    assert RuleSet.objects.get() == live
    assert live.status == RuleSet.Status.PUBLISHED


# --- a draft that changes nothing; what a draft changes; the pages in words -------------


def _same_as_live(text_of):
    """The live version's text, as a supervisor might save it again unchanged."""
    return lambda: text_of(engine.load_default_document())


def _new_version_only(document):
    return yaml.safe_dump({**document, "version": "2026.2"}, sort_keys=False)


def _keys_sorted_as_json(document):
    return json.dumps({**document, "version": "2026.2"}, sort_keys=True, indent=4)


def _rules_backwards_and_renumbered(document):
    document = copy.deepcopy(document)
    document["version"] = "2026.2"
    document["rules"].reverse()
    for rule in document["rules"]:
        rule["order"] *= 10
        rule["rationale"] = f"  {rule['rationale']}\n"
    return yaml.safe_dump(document, default_flow_style=True, width=60)


def _same_version_too(document):
    return yaml.safe_dump(document)


SAME_AS_LIVE = [
    _new_version_only,
    _keys_sorted_as_json,
    _rules_backwards_and_renumbered,
    _same_version_too,
]
NO_CHANGES = (
    "No changes: this draft is the same as the live version 2026.1. Change a rule or what "
    "the caller is told, then save it."
)


@pytest.mark.parametrize("text_of", SAME_AS_LIVE, ids=[f.__name__ for f in SAME_AS_LIVE])
def test_a_draft_the_same_as_the_live_version_is_refused_and_nothing_is_saved(
    login, supervisor, text_of
):
    services.ruleset_ensure_default()
    response = login(supervisor).post(
        reverse("triage:ruleset-list"), {"document": text_of(engine.load_default_document())}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["document"] == [NO_CHANGES]
    assert NO_CHANGES in visible_text(response)
    assert RuleSet.objects.count() == 1


def test_the_service_refuses_a_draft_that_changes_nothing():
    services.ruleset_ensure_default()
    with pytest.raises(DomainError) as info:
        services.ruleset_create(document={**engine.load_default_document(), "version": "9"})
    assert info.value.as_dict() == {"document": [NO_CHANGES]}
    assert not RuleSet.objects.filter(version="9").exists()


def test_a_draft_that_changes_only_a_title_is_saved():
    services.ruleset_ensure_default()
    document = _draft_document()
    document["rules"] = engine.load_default_document()["rules"]
    document["rules"][0]["title"] = "Section 136 handover, violence"
    assert services.ruleset_create(document=document).version == "2026.2"


def _page(client, ruleset, **params):
    return client.get(reverse("triage:ruleset-detail", args=[ruleset.pk]), params)


def test_a_draft_page_shows_rule_by_rule_what_it_changes_from_the_live_version(login, supervisor):
    services.ruleset_ensure_default()
    document = _draft_document()
    document["rules"] = [r for r in document["rules"] if r["id"] != "MED-ADVICE"]
    document["caller_advice"]["GP"] = "Your GP practice will call you back today."
    draft = services.ruleset_create(document=document)

    response = _page(login(supervisor), draft)

    changes = response.context["changes"]
    assert [(r.id, [p.part for p in r.parts]) for r in changes.changed] == [
        ("CFW-KNOWN-SERVICE", ["Agency"])
    ]
    assert [r.id for r in changes.removed] == ["MED-ADVICE"]
    text = visible_text(response)
    assert "Changes from the live version 2026.1" in text
    assert (
        "1 rule changed, 0 added, 1 removed; what the caller is told changes for 1 agency" in text
    )
    assert "Welfare concern, the person's own service checks CFW-KNOWN-SERVICE" in text
    assert "“Mental-health services” → The person's GP" in text
    assert "Rules removed Medical call with no police role MED-ADVICE" in text
    assert "The person's GP Police will not attend. The person's GP practice" in text
    assert "Your GP practice will call you back today." in text
    assert codes_in(text) == set()


def test_the_live_version_page_lists_no_changes_and_offers_no_publishing(login, supervisor):
    live = services.ruleset_ensure_default()
    response = _page(login(supervisor), live)
    assert response.context["changes"] is None
    text = visible_text(response)
    assert "Changes from the live version" not in text
    assert "Publish version" not in text
    assert "Live" in text


def test_the_rule_table_names_each_rule_by_its_title_and_agencies_in_words(login, supervisor):
    live = services.ruleset_ensure_default()
    response = _page(login(supervisor), live)
    rows = {row["id"]: row for row in response.context["rules"]}
    assert rows["GEN-CHILD"]["title"] == "A child at risk"
    assert rows["GEN-CHILD"]["agency"] == (
        "Police and ambulance together if Clinical need is “Urgent clinical need”; otherwise Police"
    )
    assert rows["GEN-CHILD"]["police_attend"] == "Yes"
    assert rows["CFW-KNOWN-SERVICE"]["agency"].startswith("Depends on Known to a service: ")
    text = visible_text(response)
    assert "A child at risk GEN-CHILD Child at risk" in text
    assert codes_in(text) == set()


def test_a_stored_rule_without_a_title_is_named_by_its_id(login, supervisor):
    services.ruleset_ensure_default()
    document = _draft_document()
    for rule in document["rules"]:
        del rule["title"]
    draft = RuleSet.objects.create(version="2026.2", name="untitled", document=document)
    rows = {row["id"]: row for row in _page(login(supervisor), draft).context["rules"]}
    assert rows["GEN-CHILD"]["title"] == "GEN-CHILD"


def test_the_what_if_page_reads_in_words(login, supervisor):
    take_call(known_to_service="mental_health")
    draft = services.ruleset_create(document=_draft_document())
    today = timezone.localdate()
    response = _page(login(supervisor), draft, start=today.isoformat(), end=today.isoformat())
    text = visible_text(response)
    assert f"1 of 1 calls from {today:%-d %b %Y} to {today:%-d %b %Y}" in text
    assert "Mental-health crisis team The person's GP 1" in text  # agency changes
    assert codes_in(text) == set()
    assert "Inclusive" not in text and "To (included)" in text


def test_the_list_shows_statuses_in_words_and_one_date_style(login, supervisor):
    live = services.ruleset_ensure_default()
    services.ruleset_create(document=_draft_document(), user=supervisor)
    response = login(supervisor).get(reverse("triage:ruleset-list"))
    table = visible_text(response).split("Write a new draft")[0]
    created = timezone.localtime(live.created_at)
    assert f"Version 2026.1 {live.name} Live {created:%-d %b %Y %H:%M}" in table
    assert f"Version 2026.2 {_draft_document()['name']} Draft" in table
    assert "Not published" in table
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\b0\d [A-Z][a-z]{2} \d{4}", table)


# --- the migration that gives stored rules their titles ---------------------------------

titles_migration = importlib.import_module("triage.migrations.0005_ruleset_default_rule_titles")


def test_the_migration_gives_stored_rules_without_a_title_the_default_title():
    document = _draft_document()
    for rule in document["rules"]:
        del rule["title"]
    document["rules"][0]["title"] = "Our own words"
    document["rules"][1]["id"] = "S136-LOCAL"  # not a default rule: no title to give
    stored = RuleSet.objects.create(
        version="2025.9", name="before titles", document=document, status="retired"
    )
    untouched = RuleSet.objects.create(
        version="2026.3", name="titled", document=engine.load_default_document()
    )
    before = copy.deepcopy(untouched.document)

    titles_migration.add_titles(django_apps, None)

    stored.refresh_from_db()
    rules = {rule["id"]: rule for rule in stored.document["rules"]}
    assert rules["S136-VIOLENCE"]["title"] == "Our own words"
    assert "title" not in rules["S136-LOCAL"]
    assert rules["GEN-CHILD"]["title"] == "A child at risk"
    if connection.vendor != "postgresql":  # jsonb keeps no key order
        assert list(rules["GEN-CHILD"])[:2] == ["id", "title"]
    assert sum("title" in rule for rule in rules.values()) == len(rules) - 1
    untouched.refresh_from_db()
    assert untouched.document == before


def test_the_migration_changes_no_suggestion_of_a_stored_version():
    document = _draft_document()
    for rule in document["rules"]:
        del rule["title"]
    stored = RuleSet.objects.create(version="2025.9", name="before titles", document=document)
    before = engine.parse_ruleset(copy.deepcopy(stored.document))

    titles_migration.add_titles(django_apps, None)

    stored.refresh_from_db()
    after = engine.parse_ruleset(stored.document)
    facts = engine.parse_facts(fact_answers(known_to_service="mental_health"))
    assert engine.evaluate(facts, after).to_dict() == engine.evaluate(facts, before).to_dict()
    assert (
        engine.evaluate(facts, after).rule_title
        == "Welfare concern, the person's own service checks"
    )
