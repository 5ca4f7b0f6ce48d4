"""Index decided calls by time, for the dashboard's overrides list.

Built without blocking intake (CONCURRENTLY on PostgreSQL): a plain CREATE INDEX would
stop every call being saved until it is built (a few seconds on millions of calls).
"""

from django.db import migrations, models

INDEX = "call_decided_time"


def create_index(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f'CREATE INDEX{concurrently} IF NOT EXISTS "{INDEX}" ON "triage_call" ("received_at") '
        'WHERE "decided_at" IS NOT NULL'
    )


def drop_index(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("triage", "0003_call_dwelling_single_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="call",
                    index=models.Index(
                        condition=models.Q(("decided_at__isnull", False)),
                        fields=["received_at"],
                        name="call_decided_time",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
