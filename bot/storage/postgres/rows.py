"""Shared tables on PostgreSQL: one transaction per change that also tells other instances
which rows it changed, and reads that turn a lost database into DatabaseUnavailableError.

Rows keep the stored model as jsonb (`body`), validated again when read, beside the key
columns the queries use. A change's notifications (`<table>:<key>` on CHANNEL) go in the same
transaction, so PostgreSQL delivers them only if it commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from pydantic import TypeAdapter, ValidationError

from bot.errors import StorageError
from bot.storage.postgres.pool import DatabaseUnavailableError
from bot.storage.postgres.url import DatabaseUrl

CHANNEL = "peercoach_changes"
# What a database that went away, is restarting, is full, or has become a read-only standby
# (a failover that DNS has not caught up with) raises; anything else is a bug or the data.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.InsufficientResourcesError,
    asyncpg.ReadOnlySQLTransactionError,
    asyncpg.InterfaceError,
)

type Connection = PoolConnectionProxy[Any]  # lazy: not subscriptable at runtime
type Work = Callable[[Connection], Awaitable[Iterable[str]]]


class CorruptRowError(StorageError):
    """A row's body no longer fits the model this code knows; the row is left as it is."""

    def __init__(self, table: str, reason: str) -> None:
        super().__init__(
            f"a row of table {table} cannot be read: {reason}. The row has been left as it "
            "is; restore the database from a backup, or run the release that wrote it."
        )


class SharedRows:
    """The pool and URL a backend works through (the URL only names the server in errors)."""

    def __init__(self, pool: asyncpg.Pool[Any], url: DatabaseUrl) -> None:
        self.pool = pool
        self.url = url

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await self._twice(lambda: self.pool.fetch(query, *args))

    async def change(self, work: Work) -> None:
        """Run `work` in one transaction and notify the `table:key` names it returns."""

        async def attempt() -> None:
            async with self.pool.acquire() as connection, connection.transaction():
                changed = sorted(set(await work(connection)))
                if changed:
                    await connection.execute(
                        "SELECT pg_notify($1, name) FROM unnest($2::text[]) AS name",
                        CHANNEL,
                        changed,
                    )

        await self._twice(attempt)

    async def _twice[T](self, attempt: Callable[[], Awaitable[T]]) -> T:
        """A pooled connection may have died unseen (a database restart): one more try, on a
        fresh one. Safe for writes too: ours are upserts and deletes by key, so running one
        again after a commit whose answer was lost changes nothing more."""
        try:
            return await attempt()
        except UNAVAILABLE:
            pass
        try:
            return await attempt()
        except UNAVAILABLE as error:
            raise DatabaseUnavailableError(self.url, error) from None


def named(table: str, keys: Iterable[str]) -> list[str]:
    return [f"{table}:{key}" for key in keys]


def body[Item](adapter: TypeAdapter[Item], item: Item) -> Any:
    return adapter.dump_python(item, mode="json")


def model[Item](table: str, adapter: TypeAdapter[Item], record: asyncpg.Record) -> Item:
    try:
        return adapter.validate_python(record["body"])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the row"
        raise CorruptRowError(table, f"{where}: {first['msg']}") from None


class Mirror[Item]:
    """What this process last read of one table, by key and row version (`xmin`, which
    changes with every write of the row): reading the whole table again fetches and
    validates only the rows written since, so the half-minute reconcile stays cheap at
    10,000 leaders. A row written between the two queries is caught by its notification
    or the next reconcile."""

    def __init__(self, table: str, key: str, adapter: TypeAdapter[Item]) -> None:
        self.table = table
        self.adapter = adapter
        self._known: dict[str, tuple[str, Item]] = {}
        self._one = f"SELECT body FROM {table} WHERE {key} = $1"
        self._key = key
        self._versions = f"SELECT {key} AS key, xmin::text AS rev FROM {table}"
        self._rows = (
            f"SELECT {key} AS key, xmin::text AS rev, body FROM {table}"
            f" WHERE {key} = ANY($1::text[])"
        )

    async def one(self, rows: SharedRows, key: str) -> Item | None:
        """One row as stored now, to follow a change another instance made."""
        found = await rows.fetch(self._one, key)
        return model(self.table, self.adapter, found[0]) if found else None

    async def delete(self, connection: Connection, where: str, *args: Any) -> list[str]:
        """DELETE the rows `where` (SQL over this table's columns) holds; returns them named
        as their notifications name them."""
        gone = await connection.fetch(
            f"DELETE FROM {self.table} WHERE {where} RETURNING {self._key} AS key", *args
        )
        return named(self.table, (record["key"] for record in gone))

    async def all(self, rows: SharedRows) -> list[Item]:
        known, fresh = self._known, {}
        wanted = []
        for record in await rows.fetch(self._versions):
            key, rev = record["key"], record["rev"]
            if key in known and known[key][0] == rev:
                fresh[key] = known[key]
            else:
                wanted.append(key)
        if wanted:
            for record in await rows.fetch(self._rows, wanted):
                fresh[record["key"]] = (record["rev"], model(self.table, self.adapter, record))
        self._known = fresh
        return [item for _, item in fresh.values()]
