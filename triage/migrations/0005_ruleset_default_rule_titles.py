"""Give the rules of stored rule-set versions the default rule set's plain titles.

Rules gained a ``title`` (issue 22): the screens name a rule by its title, with the id as
a small secondary label. Versions stored before then have no titles, so their calls and
rule tables showed ids alone. This adds the default title to each stored rule that has
none and whose id is a default rule's id; a rule with a title of its own, or an id the
default rule set does not have, is left as it is.

Published versions are never edited in meaning: a title is a display label only. The
engine never reads it to choose a rule, an agency or police attendance, nor to make the
caller advice, so every version still suggests exactly what it did for every call.

The titles are copied here as they were in triage/rules/default.yaml when this migration
was written, so that a later edit of that file does not change what this migration does.
Undoing it leaves the titles (they are optional and change no suggestion).
"""

from django.db import migrations

DEFAULT_TITLES = {
    "S136-VIOLENCE": "Section 136 handover with violence or a crime",
    "S136-HANDED-OVER": "Section 136 handover accepted",
    "S136-PENDING": "Section 136 handover not yet accepted",
    "CONV-RAVE": "Transport with a risk of violence or escape",
    "CONV-AMBULANCE": "Transport for a detained or urgently ill patient",
    "CONV-PARTNER": "Transport asked for by a health or care provider",
    "CONV-ADVICE": "Transport is not a police task",
    "GEN-CRIME-VIOLENCE": "A crime happening now, or violence",
    "GEN-CHILD": "A child at risk",
    "GEN-IMMEDIATE-RISK": "Real and immediate risk to life or of serious harm",
    "GEN-PAST-CRIME": "A crime in the past to investigate",
    "AWOL-RESTRICTED": "Restricted patient absent without leave",
    "AWOL-MISSING": "AWOL patient missing after enquiries",
    "AWOL-ENQUIRIES": "AWOL patient, the hospital's enquiries first",
    "AWOL-RAVE": "AWOL patient with a risk of violence or escape",
    "AWOL-RETURN": "AWOL patient, the hospital returns them",
    "WALK-GP": "Voluntary patient walked out, the GP follows up",
    "WALK-SETTING": "Voluntary patient walked out, the setting follows up",
    "MED-ENTRY": "Medical emergency needing entry",
    "MED-URGENT": "Urgent medical need",
    "MED-NONURGENT": "Non-urgent medical need",
    "MED-ADVICE": "Medical call with no police role",
    "CFW-ENTRY": "Welfare concern needing entry to save life",
    "CFW-URGENT-MEDICAL": "Welfare concern with urgent clinical need",
    "CFW-KNOWN-SERVICE": "Welfare concern, the person's own service checks",
    "CFW-NONURGENT-MEDICAL": "Welfare concern with a non-urgent health need",
    "CFW-MENTAL-HEALTH": "Welfare concern about mental health",
    "CFW-ADVICE": "Welfare concern below the police threshold",
}


def _untitled(rule) -> bool:
    title = rule.get("title")
    return not isinstance(title, str) or not title.strip()


def with_titles(document):
    """The document with default titles added, or None if it needs none."""
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list):
        return None
    changed = False
    for index, rule in enumerate(rules):
        if isinstance(rule, dict) and _untitled(rule) and rule.get("id") in DEFAULT_TITLES:
            # Beside the id, where the editor's text shows it (as in default.yaml).
            titled = {"id": rule["id"], "title": DEFAULT_TITLES[rule["id"]]}
            titled.update((key, value) for key, value in rule.items() if key not in titled)
            rules[index] = titled
            changed = True
    return document if changed else None


def add_titles(apps, schema_editor):
    RuleSet = apps.get_model("triage", "RuleSet")
    for pk, document in RuleSet.objects.values_list("pk", "document").iterator():
        document = with_titles(document)
        if document is not None:
            RuleSet.objects.filter(pk=pk).update(document=document)


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0004_call_decided_time"),
    ]

    operations = [
        migrations.RunPython(add_titles, migrations.RunPython.noop, elidable=True),
    ]
