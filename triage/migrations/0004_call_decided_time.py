"""Index decided calls by time, for the dashboard's overrides list.

Built without blocking intake (CONCURRENTLY on PostgreSQL): a plain CREATE INDEX would
stop every call being saved until it is built (a few seconds on millions of calls).
"""

from django.db import migrations, models

INDEX = "call_decided_time"


def create_index(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    concurrently = " CONCURRENTLY" if postgresql else ""
    if postgresql:
        # A concurrent build that failed part way (a deadlock, a cancelled deploy) leaves an
        # INVALID index behind, which IF NOT EXISTS would keep and no query would use.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [INDEX]
            )
            row = cursor.fetchone()
        if row and not row[0]:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY "{INDEX}"')
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
