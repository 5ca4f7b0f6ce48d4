"""The chain trigger's function reads the log's head with a fixed search_path, temporary
tables last, so a session's temporary table of the same name cannot steer it."""

from django.db import migrations

FORWARD = (
    "ALTER FUNCTION core_processinglog_chain() SET search_path = pg_catalog, public, pg_temp"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_processing_log_chain")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
