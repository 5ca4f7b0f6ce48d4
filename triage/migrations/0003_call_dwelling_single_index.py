"""Drop the call's own dwelling index: call_dwelling_time_id starts with the dwelling.

Only the index goes. Django's AlterField would also drop and re-add the foreign key, which
re-checks every call under a lock that stops intake; here the state changes and the index
is dropped without blocking writes (CONCURRENTLY on PostgreSQL).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "triage_call_dwelling_id_09f728cf"


def drop_index(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{INDEX}"')


def create_index(apps, schema_editor):
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "triage_call" ("dwelling_id")')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("callers", "0003_gazetteer"),
        ("triage", "0002_call_covering_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="call",
                    name="dwelling",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="calls",
                        to="callers.dwelling",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_index, create_index)],
        ),
    ]
