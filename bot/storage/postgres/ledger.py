"""The delivery ledger in PostgreSQL, shared by every instance; one claim wins per key.

The key is the table's primary key, and a claim is one statement (`INSERT … ON CONFLICT …
DO UPDATE … WHERE` the row is deferred; a retry's also where it is already this ledger's),
so two instances that both believe they run the scheduler cannot both send a delivery. The
scheduler's synchronous reads answer from a memory index that `open()` loads (only the active
scheduler sends, and it opens the ledger when it takes over) and this ledger's own writes
keep current; `export_of` asks the table, so any instance can answer it. Claims, and
records, arriving while one batch is being written go together in the next: one statement
or one transaction, one commit, however many deliveries fall due at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, cast

import asyncpg

from bot.schedules.ledger import RETAIN, Entry, IndexedReads, LedgerIndex, exported
from bot.storage.postgres.batches import Batches
from bot.storage.postgres.pool import DatabaseUnavailableError
from bot.storage.postgres.url import DatabaseUrl

COLUMNS = "key, leader, schedule, local_date, due_at, status, at, reason, owner, written_as"
KEEP = """
    leader = COALESCE(EXCLUDED.leader, d.leader),
    schedule = COALESCE(EXCLUDED.schedule, d.schedule),
    local_date = COALESCE(EXCLUDED.local_date, d.local_date),
    due_at = COALESCE(EXCLUDED.due_at, d.due_at),
    written_as = COALESCE(EXCLUDED.written_as, d.written_as)"""

# Each key absent (inserted) or deferred (quiet hours held it) becomes pending under this
# ledger; any other row is someone else's, or done, and comes back in no row. One statement
# decides each key: two instances cannot both win one. Keys go in sorted, so two instances'
# batches lock rows in one order (no deadlock).
CLAIM = f"""
INSERT INTO deliveries AS d ({COLUMNS})
SELECT c.key, c.leader, c.schedule, c.local_date, c.due_at, 'pending', c.at, NULL, $7,
       c.written_as
FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::timestamptz[],
            $6::timestamptz[], $8::text[])
     AS c(key, leader, schedule, local_date, due_at, at, written_as)
ON CONFLICT (key) DO UPDATE SET {KEEP},
    status = 'pending',
    at = EXCLUDED.at,
    reason = NULL,
    owner = EXCLUDED.owner
WHERE d.status = 'deferred'
RETURNING {COLUMNS}"""

# A retry, or recovery taking over what a crash left: also a key pending under this ledger
# ($7) or under the owner the caller saw ($9), keeping its first pending time.
RESUME = f"""
INSERT INTO deliveries AS d ({COLUMNS})
VALUES ($1, $2, $3, $4, $5, 'pending', $6, NULL, $7, $8)
ON CONFLICT (key) DO UPDATE SET {KEEP},
    status = 'pending',
    at = CASE WHEN d.status = 'pending' THEN d.at ELSE EXCLUDED.at END,
    reason = NULL,
    owner = EXCLUDED.owner
WHERE d.status = 'deferred'
   OR (d.status = 'pending' AND (d.owner = $7 OR d.owner IS NOT DISTINCT FROM $9))
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

# An entry exactly as given, whatever the row held (`db import`).
PUT = f"""
INSERT INTO deliveries AS d ({COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (key) DO UPDATE SET leader = EXCLUDED.leader, schedule = EXCLUDED.schedule,
    local_date = EXCLUDED.local_date, due_at = EXCLUDED.due_at, status = EXCLUDED.status,
    at = EXCLUDED.at, reason = EXCLUDED.reason, owner = EXCLUDED.owner,
    written_as = EXCLUDED.written_as"""

SOME = f"SELECT {COLUMNS} FROM deliveries WHERE key = ANY($1::text[])"
ALL = f"SELECT {COLUMNS} FROM deliveries"
OF_LEADER = f"SELECT {COLUMNS} FROM deliveries WHERE leader = $1"
COMPACT = "DELETE FROM deliveries WHERE at < $1 AND status <> 'pending'"
TICK = """
INSERT INTO delivery_ticks (one, at) VALUES (true, $1)
ON CONFLICT (one) DO UPDATE SET at = EXCLUDED.at"""
LAST_TICK = "SELECT at FROM delivery_ticks"

MAX_BATCH = 1000  # claims, or records, per statement
ATTEMPTS = 3  # of a batch the server rolled back (a deadlock)
# The database is away (or going): the driver's ways of saying so.
UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.OperatorInterventionError,  # shutting down, restarting, not accepting yet
)


class PostgresDeliveryLedger(IndexedReads):
    def __init__(self, pool: asyncpg.Pool[Any], url: DatabaseUrl) -> None:
        """`url` only names the database in errors (without its password)."""
        self.pool = pool
        self.url = url
        self.owner = uuid.uuid4().hex
        self.last_tick: datetime | None = None
        self._index = LedgerIndex()
        self._claims = Batches(self._claim_batch, MAX_BATCH)
        self._records = Batches(self._record_batch, MAX_BATCH)
        self._unwritten: set[str] = set()  # keys whose last record the database missed

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.pool.PoolConnectionProxy[Any]]:
        try:
            async with self.pool.acquire() as connection:
                try:
                    yield connection
                except asyncpg.InternalClientError:
                    # The server ended the connection mid-use and the driver lost track of
                    # its state: it must not go back into the pool.
                    connection.terminate()
                    raise
        except (*UNREACHABLE, asyncpg.InternalClientError) as error:
            raise DatabaseUnavailableError(self.url, error) from None

    async def _again_if_rolled_back[T](self, work: Callable[[Any], Awaitable[T]]) -> T:
        """`work` on a pooled connection; run again if the server rolled it back to break a
        deadlock with another instance (rare: keys go in sorted), since nothing of it held."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self._connection() as connection:
                    return await work(connection)
            except asyncpg.TransactionRollbackError:
                if attempt == ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

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
        """Waits for claims and records still being written; the pool is the caller's."""
        await self._claims.drain()
        await self._records.drain()

    # ---------------------------------------------------------------- queries

    async def export_of(self, user: str) -> dict[str, Any]:
        async with self._connection() as connection:
            rows = await connection.fetch(OF_LEADER, user)
        return exported(_entry(row) for row in rows)

    # ---------------------------------------------------------------- writes

    async def claim(self, entry: Entry, *, resume: bool = False) -> bool:
        if not resume:
            return await self._claims.add(entry)
        async with self._connection() as connection:
            row = await connection.fetchrow(RESUME, *_claim_args(entry, self.owner), entry.owner)
            if row is None:
                await self._learn(connection, [entry.key])
                return False
        self._index.put(_entry(row))
        return True

    async def _claim_batch(self, entries: list[Entry]) -> list[bool]:
        """One statement for the claims of one moment; a key asked for twice in it is the
        second time lost (a fresh claim never wins a key already pending)."""
        first = {e.key: e for e in reversed(entries)}
        ordered = sorted(first.values(), key=lambda e: e.key)
        columns = list(zip(*(_claim_args(e, self.owner) for e in ordered), strict=True))

        async def work(connection: Any) -> set[str]:
            rows = await connection.fetch(CLAIM, *columns[:6], self.owner, columns[7])
            for row in rows:
                self._index.put(_entry(row))
            won = {str(row["key"]) for row in rows}
            if lost := [e.key for e in ordered if e.key not in won]:
                await self._learn(connection, lost)
            return won

        won = await self._again_if_rolled_back(work)
        results, seen = [], set()
        for entry in entries:
            results.append(entry.key in won and entry.key not in seen)
            seen.add(entry.key)
        return results

    async def _learn(self, connection: Any, keys: list[str]) -> None:
        """A lost claim: remember who has each key, so this ledger does not try again."""
        for row in await connection.fetch(SOME, keys):
            self._index.put(_entry(row))

    async def record(self, entry: Entry) -> None:
        """A state the database could not take is written again by the next tick (as this
        ledger then knows it), so a send is not left looking pending for the next leader."""
        self._index.remember(entry)
        try:
            await self._records.add(entry)
        except DatabaseUnavailableError:
            self._unwritten.add(entry.key)
            raise

    async def _record_batch(self, entries: list[Entry]) -> list[None]:
        """One transaction; sorted by key (stable: a key's states keep their order)."""
        rows = [_record_args(e) for e in sorted(entries, key=lambda e: e.key)]

        async def work(connection: Any) -> None:
            await connection.executemany(RECORD, rows)

        await self._again_if_rolled_back(work)
        return [None] * len(entries)

    def entries(self) -> list[Entry]:
        return list(self._index.entries.values())

    async def put_entries(self, entries: Iterable[Entry]) -> None:
        """In one transaction per MAX_BATCH entries, sorted by key."""
        ordered = sorted(entries, key=lambda e: e.key)
        for start in range(0, len(ordered), MAX_BATCH):
            chunk = ordered[start : start + MAX_BATCH]

            async def work(connection: Any, chunk: list[Entry] = chunk) -> None:
                await connection.executemany(PUT, [_record_args(e) for e in chunk])

            await self._again_if_rolled_back(work)
            for entry in chunk:
                self._index.put(entry)

    async def tick(self, at: datetime) -> None:
        self.last_tick = at
        async with self._connection() as connection:
            await connection.execute(TICK, at)
        known = self._index.entries  # each key's state as this ledger knows it now
        if unwritten := [known[k] for k in self._unwritten if k in known]:
            self._unwritten.clear()
            await asyncio.gather(*(self.record(e) for e in unwritten))

    async def compact(self, now: datetime) -> int:
        """Delete settled rows older than RETAIN, whoever recorded them."""
        old = self._index.old(now)
        self._index.drop(old)
        async with self._connection() as connection:
            done = await connection.execute(COMPACT, now - RETAIN)
        return int(done.split()[-1])


def _claim_args(entry: Entry, owner: str) -> tuple[Any, ...]:
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
