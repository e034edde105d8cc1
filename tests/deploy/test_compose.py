"""deploy/compose.yml: PostgreSQL and two peercoach instances on it, every secret from the
operator's deploy/.env, never from the repository. (No container runtime runs on the test
machine: this reads the file as compose would, it does not start it.)"""

import re
from typing import Any

import pytest
import yaml

from tests.deploy.installed import ROOT

DEPLOY = ROOT / "deploy"
INSTANCES = ("peercoach-a", "peercoach-b")
URL = re.compile(r"postgresql://peercoach:\$\{POSTGRES_PASSWORD(:\?[^}]*)?\}@db:5432/peercoach")
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)")
NOT_SECRET = {"POSTGRES_USER": "peercoach", "POSTGRES_DB": "peercoach"}


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((DEPLOY / "compose.yml").read_text(encoding="utf-8"))
    found: dict[str, Any] = compose["services"]
    return found


def test_one_postgresql_and_two_instances(services: dict[str, Any]) -> None:
    assert set(services) == {"db", *INSTANCES}
    assert services["db"]["image"] == "postgres:15"
    for name in INSTANCES:
        instance = services[name]
        assert (DEPLOY / instance["build"]["context"] / instance["build"]["dockerfile"]) == (
            DEPLOY / ".." / "Dockerfile"
        )
        assert instance["depends_on"]["db"]["condition"] == "service_healthy"


def test_both_instances_share_the_database_and_the_key(services: dict[str, Any]) -> None:
    a, b = (services[name]["environment"] for name in INSTANCES)
    assert a == b
    assert URL.fullmatch(a["PEERCOACH_DATABASE_URL"]), a["PEERCOACH_DATABASE_URL"]
    key = VARIABLE.match(a["PEERCOACH_DATA_KEY"])
    assert key, a["PEERCOACH_DATA_KEY"]
    assert key.group(1) == "PEERCOACH_DATA_KEY"


def test_each_instance_has_its_own_port_and_data_folder(services: dict[str, Any]) -> None:
    """One process writes a data folder: two instances never share one."""
    ports = [services[name]["ports"] for name in INSTANCES]
    volumes = [services[name]["volumes"] for name in INSTANCES]
    assert ports[0] != ports[1]
    assert volumes[0] != volumes[1]
    assert all(v[0].endswith(":/data") for v in volumes)


def test_no_secret_is_written_in_the_repository(services: dict[str, Any]) -> None:
    """Every value is the operator's (a ${VARIABLE}), or one of the few plain names."""
    for name, service in services.items():
        for key, value in service.get("environment", {}).items():
            if key in NOT_SECRET:
                assert value == NOT_SECRET[key]
            else:
                assert VARIABLE.search(str(value)), f"{name}: {key} is written in the file"


def test_the_example_env_file_names_every_variable_and_holds_no_value() -> None:
    compose = (DEPLOY / "compose.yml").read_text(encoding="utf-8")
    lines = (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
    settings = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert set(VARIABLE.findall(compose)) <= set(settings)
    assert set(settings.values()) == {""}
    assert "/deploy/.env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_readme_says_how_to_start_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker compose -f deploy/compose.yml up" in readme
    assert "cp deploy/env.example deploy/.env" in readme
