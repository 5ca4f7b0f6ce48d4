from django.db import migrations


def create_auditor(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="auditor")


class Migration(migrations.Migration):
    """The auditor role: searches and exports the processing log, sees no casework."""

    dependencies = [("core", "0003_apitoken_processinglog_changes")]

    operations = [migrations.RunPython(create_auditor, migrations.RunPython.noop)]
