"""Cover the calls' (dwelling, received_at, id) index with their channel and police
attendance, replacing call_dwelling_time_id (issue 24).

The Farmington impact report counts every referral's calls before and after it by channel
and police attendance: with the two columns in the index it reads no call row (at 5M calls,
159,506 referrals: 7.5-7.9 s of reading call rows without them, see bench/bench_impact.py).
The key columns are call_dwelling_time_id's, in its order, so every look-up it served is
served the same way (intake's repeat window, which also reads the channel, detection's
scan in window order, a dwelling's history); the old index goes, as a second index led
by the dwelling would only cost each insert.

Built without blocking intake (CONCURRENTLY on PostgreSQL), the new index before the old
one is dropped, so look-ups by dwelling always have one. SQLite gets a plain index on the
key columns (it has no INCLUDE).
"""

from django.db import migrations, models

INDEX = "call_dwelling_time_cover"
OLD = "call_dwelling_time_id"
COLUMNS = '"dwelling_id", "received_at", "id"'
INCLUDE = '"channel", "final_police_attend"'


def _build(schema_editor, name: str, include: str) -> None:
    """CREATE INDEX (CONCURRENTLY on PostgreSQL) on triage_call, rebuilding an INVALID
    index a failed concurrent build left behind (IF NOT EXISTS alone would keep it)."""
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name]
            )
            row = cursor.fetchone()
        if row and not row[0]:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY "{name}"')
    concurrently = " CONCURRENTLY" if postgresql else ""
    covering = f" INCLUDE ({include})" if postgresql and include else ""
    schema_editor.execute(
        f'CREATE INDEX{concurrently} IF NOT EXISTS "{name}" ON "triage_call" ({COLUMNS}){covering}'
    )


def _drop(schema_editor, name: str) -> None:
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')


def create_index(apps, schema_editor):
    _build(schema_editor, INDEX, INCLUDE)
    _drop(schema_editor, OLD)


def drop_index(apps, schema_editor):
    _build(schema_editor, OLD, "")
    _drop(schema_editor, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("triage", "0005_ruleset_default_rule_titles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="call", name=OLD),
                migrations.AddIndex(
                    model_name="call",
                    index=models.Index(
                        fields=["dwelling", "received_at", "id"],
                        include=["channel", "final_police_attend"],
                        name=INDEX,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
