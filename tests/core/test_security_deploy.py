"""Production settings pass Django's deployment checklist with zero findings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a force sets in production; only the environment differs from development.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECURE": "1",
    "DJANGO_ALLOWED_HOSTS": "triage.force.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://triage.force.example",
    "OTP_REQUIRED_FOR_SUPERVISORS": "1",
}


def _run(*args, tmp_path, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    clean.update(
        PRODUCTION_ENV,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_zero_findings(tmp_path):
    result = _run("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_a_weak_secret_key(tmp_path):
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY="short",
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_check_deploy_flags_plain_http_settings(tmp_path):
    result = _run(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, DJANGO_SECURE="0"
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr  # no HSTS


def test_production_settings_send_hsts_for_a_year_with_preload(tmp_path):
    probe = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps([settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD,"
        " settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.DEBUG]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(PRODUCTION_ENV, DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "[31536000, true, true, true, false]"


def test_the_api_answers_json_only_without_debug(login, triage_staff):
    from config import settings as configured

    assert configured.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == [
        "rest_framework.renderers.JSONRenderer"
    ]
    response = login(triage_staff).get("/api/referrals/", {"format": "api"})
    assert response.status_code == 404
    response = login(triage_staff).get("/api/referrals/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "is not set"),  # empty in the environment: .env cannot supply one either
        ("change-me-to-a-long-random-string", "example value"),
        ("x" * 49, "49 characters long"),
    ],
    ids=["missing", "the-example", "too-short"],
)
def test_check_refuses_to_run_with_debug_off_and_an_unfit_secret_key(tmp_path, key, reason):
    result = _run("check", tmp_path=tmp_path, DJANGO_SECRET_KEY=key)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "core.E001" in output and reason in output
    assert "secrets.token_urlsafe" in output  # says how to make one


def test_check_passes_a_long_random_key(tmp_path):
    result = _run("check", tmp_path=tmp_path, DJANGO_SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stdout + result.stderr


def test_with_debug_on_the_check_lets_a_missing_key_pass(tmp_path):
    result = _run("check", tmp_path=tmp_path, DJANGO_SECRET_KEY="", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_environment_refuses_to_start(tmp_path):
    from core.checks import EXAMPLE_SECRET_KEY

    example = (ROOT / ".env.example").read_text()
    assert f"DJANGO_SECRET_KEY={EXAMPLE_SECRET_KEY}" in example
    assert "token_urlsafe" in example
