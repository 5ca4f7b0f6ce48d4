"""System checks that stop an insecure production start.

``manage.py check`` runs them, and so do ``runserver``, ``migrate`` (the compose stack's
first step, which the web and workers wait for) and ``check --deploy``. With DEBUG off the
secret key must be set, not the example's, and long: a known or short key lets anyone sign
session cookies and password-reset tokens.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

# The value .env.example shows, and the one used when nothing is set.
EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-string"  # noqa: S105 - refused by the check
MIN_SECRET_KEY_LENGTH = 50
HOW_TO_MAKE_ONE = (
    "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))' and set "
    "DJANGO_SECRET_KEY to it (in the environment or .env); `make run` writes a local one "
    "to .env."
)


def secret_key_problem(key: str, *, unset_default: str) -> str:
    """Why ``key`` is unfit for production, or "" when it is fit."""
    if not key or key == unset_default:
        return "DJANGO_SECRET_KEY is not set."
    if key == EXAMPLE_SECRET_KEY:
        return "DJANGO_SECRET_KEY is the example value from .env.example."
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"DJANGO_SECRET_KEY is {len(key)} characters long; it needs "
            f"{MIN_SECRET_KEY_LENGTH} or more."
        )
    return ""


@register(Tags.security)
def check_secret_key(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    problem = secret_key_problem(settings.SECRET_KEY, unset_default=settings.UNSET_SECRET_KEY)
    if not problem:
        return []
    return [
        Error(
            f"{problem} Refusing to run with DEBUG off.",
            hint=HOW_TO_MAKE_ONE,
            id="core.E001",
        )
    ]
