"""Dependencies point inward: the engine imports no runtime, SDK, storage or network code."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_ENGINE = (
    "bot",
    "slack_bolt",
    "slack_sdk",
    "microsoft_agents",
    "aiohttp",
    "tinydb",
    "apscheduler",
    "asyncio",
    "socket",
    "requests",
    "httpx",
    "pydantic",
)
FORBIDDEN_IN_SERVICES = ("slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp", "tinydb")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "dialogs").rglob("*.py")), ids=str)
def test_engine_imports_nothing_from_the_outside(path: Path) -> None:
    assert not imports_of(path) & set(FORBIDDEN_IN_ENGINE)


@pytest.mark.parametrize("path", sorted((ROOT / "bot" / "services").rglob("*.py")), ids=str)
def test_services_do_not_import_channels_or_storage_technology(path: Path) -> None:
    assert not imports_of(path) & set(FORBIDDEN_IN_SERVICES)
