"""`peercoach db migrate`, and the same step as `serve` takes it at start (`prepare_database`).

An operator meets these before anything else works, so every failure is one sentence that
names PEERCOACH_DATABASE_URL (its password hidden) and the fix, with exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

import asyncpg

from bot.config import Settings
from bot.errors import StorageError
from bot.logs import log, setup_logging
from bot.storage.postgres.migrate import migrate, schema_version
from bot.storage.postgres.pool import DatabaseUnavailableError, connect, open_pool
from bot.storage.postgres.transfer_commands import add_transfer_commands
from bot.storage.postgres.url import EXAMPLE, SETTING, DatabaseUrl

logger = logging.getLogger("peercoach.database")
DB_EXIT = 2  # an operator's setting or their database: as for any configuration problem
# What a database that goes away mid-migration raises; DatabaseUnavailableError names it.
GONE = (OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError)


def add_db_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`db migrate`, `db import` and `db export` as subcommands of `peercoach`."""
    database = commands.add_parser("db", help="work with the PostgreSQL database")
    actions = database.add_subparsers(required=True, metavar="ACTION")
    migrate_parser = actions.add_parser(
        "migrate", help=f"bring the database at {SETTING} up to this release's schema"
    )
    migrate_parser.set_defaults(run=db_migrate_command)
    add_transfer_commands(actions, _migrate)


def db_migrate_command(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    url = settings.database_url
    if url is None:
        return _fail(
            f"{SETTING} is not set, so there is no database to migrate (without it peercoach "
            f"keeps its data in files under PEERCOACH_DATA_DIR); set it like {EXAMPLE}"
        )
    try:
        applied, version = asyncio.run(_migrate(url))
    except StorageError as error:  # unreachable, refused, or a newer schema
        return _fail(str(error))
    if applied:
        print(f"Database at version {version}: applied {', '.join(map(str, applied))}.")
    else:
        print(f"Database already at version {version}; nothing to apply.")
    return 0


async def _migrate(url: DatabaseUrl) -> tuple[list[int], int]:
    connection = await connect(url)
    try:
        applied = await migrate(connection)
        return applied, await schema_version(connection)
    except GONE as error:
        raise DatabaseUnavailableError(url, error) from None
    finally:
        await _close(connection)


async def prepare_database(url: DatabaseUrl) -> asyncpg.Pool:
    """For `serve`: apply any missing migrations on a connection of their own, under the
    migration lock (two instances starting together apply each once), then open the pool.
    Raises DatabaseUnavailableError or SchemaTooNewError (StorageErrors, password-free)."""
    applied, version = await _migrate(url)
    pool = await open_pool(url)
    log(logger, "database.ready", version=version, applied=len(applied))
    return pool


async def _close(connection: asyncpg.Connection[Any]) -> None:
    try:
        await connection.close(timeout=5)
    except GONE:
        connection.terminate()


def _fail(message: str) -> int:
    print(f"peercoach db migrate: {message}", file=sys.stderr)
    return DB_EXIT
