"""UserState <-> stored sections, with a schema version and a migration hook."""

from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from dialogs.model import UserState

SCHEMA_VERSION = 1
LIST_SECTIONS = ("reflections", "commitments", "nudges", "history")

Migration = Callable[[dict[str, Any]], dict[str, Any]]
# MIGRATIONS[n] turns a schema-n document (all sections, as stored) into schema n+1.
# Add one whenever a stored field changes meaning; never edit a published migration.
MIGRATIONS: dict[int, Migration] = {}

_STATE = TypeAdapter(UserState)


class SchemaError(ValueError):
    """Stored data that this version of peercoach cannot understand."""


def to_sections(key: str, state: UserState) -> dict[str, Any]:
    """Split state into a small `state` section and one list per growing collection."""
    data = _STATE.dump_python(state, mode="json")
    sections: dict[str, Any] = {name: data.pop(name) for name in LIST_SECTIONS}
    sections["meta"] = {"schema": SCHEMA_VERSION, "key": key}
    sections["state"] = data
    return sections


def from_sections(sections: dict[str, Any]) -> UserState:
    """Migrate to the current schema, then validate into a UserState."""
    sections = migrate(sections)
    data = dict(sections.get("state") or {})
    for name in LIST_SECTIONS:
        data[name] = sections.get(name) or []
    try:
        return _STATE.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SchemaError(f"unexpected value at {where}: {first['msg']}") from exc


def migrate(sections: dict[str, Any]) -> dict[str, Any]:
    version = int((sections.get("meta") or {}).get("schema", 1))
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"written by a newer peercoach (schema {version}, this one reads up to "
            f"{SCHEMA_VERSION}); upgrade peercoach"
        )
    while version < SCHEMA_VERSION:
        sections = MIGRATIONS[version](sections)
        version += 1
        sections["meta"] = {**sections.get("meta", {}), "schema": version}
    return sections
