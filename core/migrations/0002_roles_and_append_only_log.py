from django.db import migrations

ROLES = ("call_handler", "triage_staff", "supervisor")

# TRUNCATE stays possible for the database owner (test flushes, erasure by a DBA under
# retention policy); the app's own paths are UPDATE and DELETE, refused here.
TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION core_processinglog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_processinglog is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_processinglog_append_only ON core_processinglog;
CREATE TRIGGER core_processinglog_append_only
    BEFORE UPDATE OR DELETE ON core_processinglog
    FOR EACH ROW EXECUTE FUNCTION core_processinglog_refuse_change();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS core_processinglog_append_only ON core_processinglog;
DROP FUNCTION IF EXISTS core_processinglog_refuse_change();
"""


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
