"""The database away: pool connections whose failures become DatabaseUnavailableError.

A server that stops, restarts or drops off the network shows itself as one of several asyncpg
and socket errors, at connect time or mid-statement. The stores turn all of them into one
StorageError, so services answer as they do for a full disk (nothing half-saved: the
transaction never committed), and the pool connects afresh once the server is back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg

from bot.logs import log
from bot.storage.postgres.pool import DatabaseUnavailableError, describe
from bot.storage.postgres.url import DatabaseUrl

logger = logging.getLogger(__name__)

# Class 08 (connection), class 57 (shut down, restarting, cannot connect now), a connection
# asyncpg already knows is gone, the socket, and no answer in time. A server that shuts down
# between two statements of a transaction leaves asyncpg's protocol mid-operation: the next
# statement (or the pool's reset) then raises InternalClientError, seen here in tests of a
# restart under load.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
    TimeoutError,
)


class GuardedPool:
    """Connections and transactions from `pool`; the database away is one error."""

    def __init__(self, pool: asyncpg.Pool[Any], url: DatabaseUrl, store: str) -> None:
        self.pool = pool
        self.url = url
        self.store = store  # named in the log line, so an operator sees which store failed

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection[Any]]:
        try:
            async with self.pool.acquire() as connection:
                # a pool's proxy forwards every call to its connection
                yield cast("asyncpg.Connection[Any]", connection)
        except UNAVAILABLE as error:
            reason = describe(error)
            log(
                logger,
                "database.unavailable",
                level=logging.WARNING,
                store=self.store,
                reason=reason,
            )
            raise DatabaseUnavailableError(self.url, error) from None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection[Any]]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self.connection() as connection, connection.transaction():
            yield connection
