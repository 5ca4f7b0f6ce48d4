"""Production settings pass Django's deployment checklist with zero findings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

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
