"""Sealing and opening leaders' glances (bot/storage/glance.py) on PostgreSQL: sealed as the
state is, bound by its label to the leader, so a glance copied onto another leader's row does
not open."""

from collections.abc import Iterable
from typing import Any

import asyncpg
import orjson

from bot.crypto.sealing import KeyMismatchError, Sealer, SealError
from bot.storage.atomic import encode_json
from bot.storage.glance import glance_of


def glance_label(hashed: str) -> str:
    return f"leaders/{hashed}/glance"


def seal_glance(
    sealer: Sealer,
    hashed: str,
    sections: dict[str, Any],
    version: int,
    instants: dict[str, list[int]] | None = None,
) -> bytes:
    return sealer.seal(encode_json(glance_of(sections, version, instants)), glance_label(hashed))


def opened_glances(sealer: Sealer, records: Iterable[asyncpg.Record]) -> dict[str, dict[str, Any]]:
    """By hashed key, the glances that open and name the version stored beside them; any
    other is left out, and its leader's state is opened instead (which reports a bad row)."""
    found = {}
    for record in records:
        hashed = record["leader"]
        try:
            plain = sealer.open(bytes(record["glance"]), glance_label(hashed), f"leader {hashed}")
            glance = orjson.loads(plain)
        except (SealError, KeyMismatchError, ValueError):
            continue
        if isinstance(glance, dict) and glance.get("v") == record["version"]:
            found[hashed] = glance
    return found
