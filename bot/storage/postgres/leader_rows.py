"""A leader's row on PostgreSQL as the UserStore reads and writes it (bot/storage/postgres/
users.py): what its sealed parts are bound to, the row as read, and a state as written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from bot.crypto.sealing import Sealer, SealError
from bot.domain import UserKey
from bot.errors import StorageError
from bot.storage.codec import SchemaError, from_sections, migrate
from bot.storage.glance import instants_of, shares_of
from dialogs.model import UserState


class CorruptRowError(StorageError):
    """A leader's row exists but cannot be read; it is left untouched."""

    def __init__(self, leader: str, reason: str) -> None:
        self.leader = leader
        self.reason = reason
        super().__init__(
            f"cannot read leader {leader} in the database (table leaders): {reason}. The row "
            "has been left exactly as it is; restore it from a backup, or delete it (and its "
            "leader_extras) to start afresh without what it held."
        )


def state_label(hashed: str) -> str:
    """What a leader's sealed row is bound to."""
    return f"leaders/{hashed}"


def extra_label(hashed: str, name: str) -> str:
    return f"leaders/{hashed}/extra/{name}"


@dataclass(frozen=True)
class Row:
    """A leader's row as read: its version (0: channel data only), its opened sections, and
    the cohort totals it is counted in (bot/storage/postgres/cohorts.py)."""

    version: int
    sections: dict[str, Any]
    cohorts: dict[str, Any] = field(default_factory=dict)

    def instants(self) -> dict[str, list[int]]:
        return instants_of(migrate(self.sections)) if "state" in self.sections else {}

    def sharing(self) -> bool:
        """Whether the leader has shared a reflection with their coaches."""
        return shares_of(self.sections) > 0


class Sealed(NamedTuple):
    """A state as written: sealed, its sealed glance, its shared reflections and instants."""

    sealed: bytes
    glance: bytes
    shares: int
    instants: dict[str, list[int]]


def key_of(hashed: str, sections: dict[str, Any]) -> UserKey:
    """The user key a row's meta section names (CorruptRowError if not this row's)."""
    try:
        key = UserKey.parse(str(sections["meta"].get("key")))
    except ValueError:
        raise CorruptRowError(hashed, "its meta section names no user key") from None
    if key.hashed != hashed:
        raise CorruptRowError(hashed, "the row belongs to a different user key")
    return key


def state_of(key: UserKey, row: Row | None) -> UserState | None:
    if row is None or "state" not in row.sections:
        return None
    try:
        return from_sections(row.sections)
    except SchemaError as error:
        raise CorruptRowError(key.hashed, str(error)) from error


def open_extra(sealer: Sealer, hashed: str, name: str, sealed: bytes) -> dict[str, Any]:
    try:
        plain = sealer.open(sealed, extra_label(hashed, name), f"leader {hashed}")
        value = orjson.loads(plain)
    except (SealError, ValueError) as error:
        raise CorruptRowError(hashed, f"extra {name!r}: {error}") from error
    if not isinstance(value, dict):
        raise CorruptRowError(hashed, f"extra {name!r} is not an object")
    return value
