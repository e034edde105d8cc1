"""The delivery ledger in PostgreSQL, shared by every instance; one claim wins per key.

The key is the table's primary key, and a claim is one statement (`INSERT … ON CONFLICT …
DO UPDATE … WHERE` the row is deferred or already this ledger's), so two instances that both
believe they run the scheduler cannot both send a delivery. The scheduler's synchronous reads
answer from a memory index that `open()` loads (only the active scheduler sends, and it opens
the ledger when it takes over) and this ledger's own writes keep current; `export_of` asks the
table, so any instance can answer it. Records arriving while one is being written go together
in the next write: one transaction, one commit, however many deliveries finish at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any, cast

import asyncpg

from bot.schedules.ledger import RETAIN, Entry, LedgerIndex, Status, exported
from bot.storage.postgres.pool import DatabaseUnavailableError
from bot.storage.postgres.url import DatabaseUrl

COLUMNS = "key, leader, schedule, local_date, due_at, status, at, reason, owner, written_as"
KEEP = """
    leader = COALESCE(EXCLUDED.leader, d.leader),
    schedule = COALESCE(EXCLUDED.schedule, d.schedule),
    local_date = COALESCE(EXCLUDED.local_date, d.local_date),
    due_at = COALESCE(EXCLUDED.due_at, d.due_at),
    written_as = COALESCE(EXCLUDED.written_as, d.written_as)"""

# Absent: insert it, pending. Deferred (quiet hours held it), or pending under this very
# ledger (a retry after a stall): make it pending, keeping the first pending time. Anything
# else is someone else's, or done: no row comes back.
CLAIM = f"""
INSERT INTO deliveries AS d ({COLUMNS})
VALUES ($1, $2, $3, $4, $5, 'pending', $6, NULL, $7, $8)
ON CONFLICT (key) DO UPDATE SET {KEEP},
    status = 'pending',
    at = CASE WHEN d.status = 'pending' THEN d.at ELSE EXCLUDED.at END,
    reason = NULL,
    owner = EXCLUDED.owner
WHERE d.status = 'deferred' OR (d.status = 'pending' AND d.owner = EXCLUDED.owner)
RETURNING {COLUMNS}"""

# A key a crash left pending under $3: taken over, once, by the ledger $2.
RESUME = f"""
UPDATE deliveries SET owner = $2
WHERE key = $1 AND status = 'pending' AND (owner = $2 OR owner IS NOT DISTINCT FROM $3)
RETURNING {COLUMNS}"""

# A new state; a finished key is never reopened.
RECORD = f"""
INSERT INTO deliveries AS d ({COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (key) DO UPDATE SET {KEEP},
    status = EXCLUDED.status,
    at = EXCLUDED.at,
    reason = EXCLUDED.reason,
    owner = COALESCE(EXCLUDED.owner, d.owner)
WHERE NOT (EXCLUDED.status = 'pending' AND d.status IN ('sent', 'skipped', 'failed'))"""

ONE = f"SELECT {COLUMNS} FROM deliveries WHERE key = $1"
ALL = f"SELECT {COLUMNS} FROM deliveries"
OF_LEADER = f"SELECT {COLUMNS} FROM deliveries WHERE leader = $1"
COMPACT = "DELETE FROM deliveries WHERE at < $1 AND status <> 'pending'"
TICK = """
INSERT INTO delivery_ticks (one, at) VALUES (true, $1)
ON CONFLICT (one) DO UPDATE SET at = EXCLUDED.at"""
LAST_TICK = "SELECT at FROM delivery_ticks"

MAX_BATCH = 1000  # records per write
# The database is away (or going): the driver's ways of saying so.
UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.OperatorInterventionError,  # shutting down, restarting, not accepting yet
)


class PostgresDeliveryLedger:
    def __init__(self, pool: asyncpg.Pool[Any], url: DatabaseUrl) -> None:
        """`url` only names the database in errors (without its password)."""
        self.pool = pool
        self.url = url
        self.owner = uuid.uuid4().hex
        self.last_tick: datetime | None = None
        self._index = LedgerIndex()
        self._queue: list[tuple[tuple[Any, ...], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.pool.PoolConnectionProxy[Any]]:
        try:
            async with self.pool.acquire() as connection:
                yield connection
        except UNREACHABLE as error:
            raise DatabaseUnavailableError(self.url, error) from None

    async def open(self) -> None:
        """Load every recorded key (RETAIN's worth and what is pending) and the last tick."""
        async with self._connection() as connection:
            rows = await connection.fetch(ALL)
            tick = await connection.fetchval(LAST_TICK)
        self._index.clear()
        for row in rows:
            self._index.put(_entry(row))
        self.last_tick = cast(datetime | None, tick)

    async def close(self) -> None:
        """Waits for records still being written; the pool belongs to the caller."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    # ---------------------------------------------------------------- queries

    def status(self, key: str) -> Status | None:
        return self._index.status(key)

    def entry(self, key: str) -> Entry | None:
        return self._index.entries.get(key)

    def taken_on(self, user: str, schedule: str, local_date: date) -> bool:
        return self._index.taken_on(user, schedule, local_date)

    def pending(self) -> list[Entry]:
        return self._index.pending()

    def count(self, status: Status) -> int:
        return self._index.count(status)

    async def export_of(self, user: str) -> dict[str, Any]:
        async with self._connection() as connection:
            rows = await connection.fetch(OF_LEADER, user)
        return exported(_entry(row) for row in rows)

    # ---------------------------------------------------------------- writes

    async def claim(self, entry: Entry, *, resume: bool = False) -> bool:
        async with self._connection() as connection:
            if resume:
                row = await connection.fetchrow(RESUME, entry.key, self.owner, entry.owner)
            else:
                row = await connection.fetchrow(CLAIM, *_claim_args(entry, self.owner))
            if row is None:  # lost: learn who has it, so this ledger does not try again
                row = await connection.fetchrow(ONE, entry.key)
                if row is not None:
                    self._index.put(_entry(row))
                return False
        self._index.put(_entry(row))
        return True

    async def record(self, entry: Entry) -> None:
        self._index.remember(entry)
        written = asyncio.get_running_loop().create_future()
        self._queue.append((_record_args(entry), written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await asyncio.shield(written)

    async def _write(self) -> None:
        """One batch at a time, so two states of one key are written in the order recorded."""
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                async with self._connection() as connection:
                    await connection.executemany(RECORD, [args for args, _ in batch])
            except Exception as error:  # DatabaseUnavailableError, or a bug: tell each writer
                for _, written in batch:
                    if not written.done():
                        written.set_exception(error)
                        written.exception()  # retrieved: a caller that gave up is not told
                continue
            for _, written in batch:
                if not written.done():
                    written.set_result(None)

    async def tick(self, at: datetime) -> None:
        self.last_tick = at
        async with self._connection() as connection:
            await connection.execute(TICK, at)

    async def compact(self, now: datetime) -> int:
        """Delete settled rows older than RETAIN, whoever recorded them."""
        old = self._index.old(now)
        self._index.drop(old)
        async with self._connection() as connection:
            done = await connection.execute(COMPACT, now - RETAIN)
        return int(done.split()[-1])


def _claim_args(entry: Entry, owner: str) -> Sequence[Any]:
    return (
        entry.key,
        entry.user,
        entry.schedule,
        entry.local_date,
        entry.due_at,
        entry.at,
        owner,
        entry.written_as,
    )


def _record_args(entry: Entry) -> tuple[Any, ...]:
    return (
        entry.key,
        entry.user,
        entry.schedule,
        entry.local_date,
        entry.due_at,
        entry.status,
        entry.at,
        entry.reason,
        entry.owner,
        entry.written_as,
    )


def _entry(row: asyncpg.Record) -> Entry:
    return Entry(
        key=row["key"],
        status=row["status"],
        at=row["at"],
        user=row["leader"],
        schedule=row["schedule"],
        local_date=row["local_date"],
        due_at=row["due_at"],
        reason=row["reason"],
        written_as=row["written_as"],
        owner=row["owner"],
    )
