"""Two PostgreSQL roles: the owner, which migrates, and the app, which serves.

The app (DATABASE_URL) owns nothing. It may read and write the ordinary tables, but on the
processing log and its seals only INSERT and SELECT: no UPDATE, DELETE or TRUNCATE, and,
not being the owner, no ALTER TABLE (so no DISABLE TRIGGER, no DROP). The owner
(DATABASE_MIGRATE_URL) runs ``migrate``, which ends by granting the app its rights on
every table that exists then (``grant_app_role``), so a new table is covered at the
migration that creates it.
"""

from django.db import connection

# Append-only to the app: the app may add and read, never change or remove.
APPEND_ONLY_TABLES = ("core_processinglog", "core_processinglogseal")


def grant_statements(app_role: str, tables: list[str]) -> list[str]:
    """The GRANT/REVOKE statements giving ``app_role`` its rights on ``tables``."""
    qn = connection.ops.quote_name
    role = qn(app_role)
    statements = [f"GRANT USAGE ON SCHEMA public TO {role}"]
    for table in tables:
        if table in APPEND_ONLY_TABLES:
            statements.append(f"REVOKE ALL ON {qn(table)} FROM {role}")
            statements.append(f"GRANT SELECT, INSERT ON {qn(table)} TO {role}")
        else:
            statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {qn(table)} TO {role}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return statements


def grant_app_role(app_role: str, *, using=None) -> int:
    """Grant ``app_role`` its rights on every table of the public schema (PostgreSQL,
    run as the owner). Returns how many tables."""
    conn = using or connection
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(name for (name,) in cursor.fetchall())
        for statement in grant_statements(app_role, tables):
            cursor.execute(statement)
    return len(tables)
