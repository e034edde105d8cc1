"""One asyncpg pool per process, opened from PEERCOACH_DATABASE_URL.

asyncpg rather than psycopg 3: on our own workload (bench/db_drivers.py: a row-locked turn
and a delivery claim) it did the same work in 0.55 to 0.75x the time, and it has a native
pool. `jsonb` columns come and go as Python values through orjson, the JSON library the
rest of peercoach uses.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import orjson

from bot.errors import StorageUnreachableError
from bot.logs import log
from bot.storage.postgres.url import SETTING, DatabaseUrl

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0  # seconds: a start against an unreachable server says so, not hangs
COMMAND_TIMEOUT = 30.0


class DatabaseUnavailableError(StorageUnreachableError):
    """The database cannot be reached or refused us; the message names the setting."""

    def __init__(self, url: DatabaseUrl, error: BaseException) -> None:
        self.url = url
        self.reason = describe(error)
        super().__init__(
            f"cannot reach the database at {url.redacted}: {self.reason}. Check "
            f"{SETTING} (host, port, user, password, database name) and that the server is "
            "running and accepts connections from here."
        )


def describe(error: BaseException) -> str:
    """A short, password-free reason for a connection or server error."""
    if isinstance(error, asyncpg.InvalidPasswordError):
        return "the password was refused"
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return "that database does not exist"
    if isinstance(error, asyncpg.InvalidAuthorizationSpecificationError):
        return "that user may not connect"
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        return "no answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    if isinstance(error, asyncpg.PostgresError):
        return f"the server said {error.sqlstate or type(error).__name__}"
    return type(error).__name__


async def _setup(connection: asyncpg.Connection[Any]) -> None:
    await connection.set_type_codec(
        "jsonb",
        encoder=lambda value: orjson.dumps(value).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
        format="text",
    )


async def _keep_session(_connection: asyncpg.Connection[Any]) -> None:
    """What a pool connection needs on its way back, beyond the rollback of a transaction
    left open (asyncpg's own, always done): nothing. Pool connections never change their
    session (locks are transaction-scoped; LISTEN and session locks live on connections of
    their own, `connect`), so asyncpg's default reset query (`pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL`) would be a round trip per use, on every turn, for nothing."""


async def open_pool(url: DatabaseUrl, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """An open pool; DatabaseUnavailableError (password-free) if the server cannot be used."""
    try:
        pool = await asyncpg.create_pool(
            dsn=url.secret,
            min_size=min_size,
            max_size=max_size,
            timeout=CONNECT_TIMEOUT,
            command_timeout=COMMAND_TIMEOUT,
            init=_setup,
            reset=_keep_session,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log(logger, "database.unreachable", level=logging.ERROR, reason=describe(error))
        raise DatabaseUnavailableError(url, error) from None
    assert pool is not None
    return pool


async def connect(
    url: DatabaseUrl, *, server_settings: dict[str, str] | None = None
) -> asyncpg.Connection[Any]:
    """One connection of its own, outside the pool (advisory locks, LISTEN); `server_settings`
    are session settings sent at connect (e.g. TCP keepalives for a lock holder)."""
    try:
        connection = await asyncpg.connect(
            dsn=url.secret,
            timeout=CONNECT_TIMEOUT,
            command_timeout=COMMAND_TIMEOUT,
            server_settings=server_settings,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise DatabaseUnavailableError(url, error) from None
    await _setup(connection)
    return connection
