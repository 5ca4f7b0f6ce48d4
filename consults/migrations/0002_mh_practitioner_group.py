from django.db import migrations


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="mh_practitioner")


class Migration(migrations.Migration):
    """The mental-health practitioner role (core.roles.Role.MH_PRACTITIONER): answers live
    consults and reads the calls under consult, nothing else. Kept here, beside the
    consults it works, rather than in core's migrations."""

    dependencies = [("consults", "0001_consult"), ("core", "0004_auditor_role")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
