from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Triage Desk core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import checks, security_events  # noqa: F401  (registers checks and receivers)
        from .chain import register_sqlite_function

        # SQLite's chain trigger calls Python (core/chain.py) on every connection.
        connection_created.connect(register_sqlite_function)
        from .log_filters import install_gunicorn_access_filter

        # Under gunicorn, its access log would otherwise carry query strings (addresses).
        install_gunicorn_access_filter()
