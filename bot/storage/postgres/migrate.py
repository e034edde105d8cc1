"""Versioned schema migrations: numbered SQL files applied in order, each in a transaction.

A small runner rather than a migration framework: our migrations are plain SQL that ships in
the package (`migrations/NNNN_name.sql`), and the runner's whole job is "apply the missing
ones, once, in order". It holds a PostgreSQL advisory lock while it works, so two instances
starting together cannot race (the second waits, then finds nothing to do), and it refuses a
database that a newer peercoach has migrated past what this code knows.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import asyncpg

from bot.errors import StorageError
from bot.logs import log

logger = logging.getLogger(__name__)

MIGRATION_LOCK = 0x70656572  # "peer": one advisory lock id for schema changes
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class SchemaTooNewError(StorageError):
    """The database was migrated by a newer peercoach; this one must not touch it."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database's schema is at version {found}, newer than this peercoach knows "
            f"(up to {known}); run the newer release, or restore a backup taken before it."
        )


class SchemaBehindError(StorageError):
    """The database lacks migrations this code needs, and this command does not apply them."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database's schema is at version {found} and this peercoach needs {known}; "
            "run `peercoach db migrate` (serve applies migrations by itself at start)."
        )


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def shipped() -> list[Migration]:
    """The migrations in the package, in order of their numbers (each number once)."""
    found = []
    for entry in resources.files("bot.storage.postgres.migrations").iterdir():
        if match := _NAME.match(entry.name):
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text()))
    found.sort(key=lambda m: m.version)
    if len({m.version for m in found}) != len(found):
        raise RuntimeError("two migrations share a number")
    return found


async def schema_version(connection: asyncpg.Connection[Any]) -> int:
    """The newest migration applied, 0 for a database peercoach never touched."""
    exists = await connection.fetchval("SELECT to_regclass('peercoach_schema') IS NOT NULL")
    if not exists:
        return 0
    return int(await connection.fetchval("SELECT coalesce(max(version), 0) FROM peercoach_schema"))


async def migrate(
    connection: asyncpg.Connection[Any], migrations: list[Migration] | None = None
) -> list[int]:
    """Apply what is missing, under the advisory lock; returns the versions applied now."""
    migrations = shipped() if migrations is None else migrations
    known = migrations[-1].version if migrations else 0
    await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS peercoach_schema ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        current = await schema_version(connection)
        if current > known:
            raise SchemaTooNewError(current, known)
        applied = []
        for migration in migrations:
            if migration.version <= current:
                continue
            async with connection.transaction():
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO peercoach_schema (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            applied.append(migration.version)
            log(logger, "database.migrated", version=migration.version, name=migration.name)
        return applied
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def check_current(connection: asyncpg.Connection[Any]) -> None:
    """For commands that do not migrate: the schema must be exactly what this code knows."""
    migrations = shipped()
    known = migrations[-1].version if migrations else 0
    current = await schema_version(connection)
    if current > known:
        raise SchemaTooNewError(current, known)
    if current < known:
        raise SchemaBehindError(current, known)
