from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Triage Desk core"

    def ready(self):
        from . import checks, security_events  # noqa: F401  (registers checks and receivers)
        from .log_filters import install_gunicorn_access_filter

        # Under gunicorn, its access log would otherwise carry query strings (addresses).
        install_gunicorn_access_filter()
