"""Loads the shipped practice scenarios (training/scenarios.yaml) into every database."""

from django.db import migrations


def load(apps, schema_editor):
    from training.shipped import shipped_scenarios

    Scenario = apps.get_model("training", "Scenario")
    known = set(Scenario.objects.filter(shipped=True).values_list("title", flat=True))
    Scenario.objects.bulk_create(
        Scenario(title=item["title"], narrative=item["narrative"], facts=item["facts"], shipped=True)
        for item in shipped_scenarios()
        if item["title"] not in known
    )


def unload(apps, schema_editor):
    apps.get_model("training", "Scenario").objects.filter(shipped=True).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_scenario_attempt")]

    operations = [migrations.RunPython(load, unload)]
