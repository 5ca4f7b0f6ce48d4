"""Django's migrate, run as the owning role when DATABASE_MIGRATE_URL is set.

The app's own role (DATABASE_URL) may not create or alter tables, nor change the
processing log; migrations need the role that owns the schema. With DATABASE_MIGRATE_URL
set, this command connects the default database as that role for the run (same database,
other credentials), migrates, and then grants the app's role its rights on every table
(core.dbroles): ordinary tables read-write, the processing log and its seals INSERT and
SELECT only. Without it, it is Django's migrate, unchanged (SQLite, a single-role setup).
"""

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from core.dbroles import grant_app_role

# Credentials and server only: the database stays the one connected (a test run's own).
SWAPPED = ("USER", "PASSWORD", "HOST", "PORT")


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " As DATABASE_MIGRATE_URL's role when set."

    def execute(self, *args, **options):
        migrate_as = getattr(settings, "DATABASE_MIGRATE", None)
        if not migrate_as or options.get("database", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:
            return super().execute(*args, **options)
        default = connections[DEFAULT_DB_ALIAS]
        app_role = default.settings_dict["USER"]
        saved = {key: default.settings_dict.get(key) for key in SWAPPED}
        default.close()
        default.settings_dict.update({key: migrate_as.get(key, "") for key in SWAPPED})
        try:
            result = super().execute(*args, **options)
            if default.vendor == "postgresql" and app_role and app_role != migrate_as["USER"]:
                tables = grant_app_role(app_role, using=default)
                if options.get("verbosity", 1) >= 1:
                    self.stdout.write(
                        f"Granted {app_role} its rights on {tables} tables "
                        "(processing log: INSERT and SELECT only)."
                    )
            return result
        finally:
            default.close()
            default.settings_dict.update(saved)
