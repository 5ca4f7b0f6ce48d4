import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Import every view (DRF, the API, the pages) and build reverse()'s map now, not at a
    process's first request (about 0.3 s of CPU). Under gunicorn's preload_app a worker is
    forked with them loaded, so one replaced after max_requests serves at once. Opens no
    database or Redis connection: forked workers must not share one."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - the URLconf imports the views
    resolver.reverse_dict  # noqa: B018 - populated on first access


_warm()
