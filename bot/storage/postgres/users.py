"""PostgreSQL UserStore: one sealed row per leader, their channel data sealed beside it.

A row names its leader by `UserKey.hashed` only, and holds what a TinyDB file holds: the
state's sections as JSON (bot.storage.codec), sealed by the same Sealer, bound by its label to
that leader (and, for channel data, to its name), so a row copied onto another leader's does
not open. Leaders' words are encrypted at rest here as in every store.

A turn (`transact`) reads the row, decides, and writes it back only if its version is still
the one read (`UPDATE … WHERE version = $read`, or for a leader not stored yet an `INSERT …
ON CONFLICT DO NOTHING` under the advisory lock below): two round trips and one commit, where
a locked transaction takes four to six. When another instance wrote in between, nothing is
written and the turn is decided again on what is stored now (`decide` is pure); after
OPTIMISTIC such tries it takes the locks, which always wins.

Every other write holds its leader's lock from the read to the commit: the row's lock
(`SELECT … FOR UPDATE`) when the leader is stored, and for one not stored yet a
transaction-scoped advisory lock on the hashed key, which every writer takes before it
inserts. Two instances with events for one leader therefore take turns, and both changes are
kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from bot.crypto.sealing import Sealer, SealError
from bot.domain import UserKey
from bot.errors import StaleStateError, StorageError
from bot.ports import Change, StoredLeader
from bot.storage.atomic import encode_json
from bot.storage.codec import SCHEMA_VERSION, SchemaError, from_sections, migrate, to_sections
from bot.storage.postgres.away import GuardedPool
from bot.storage.postgres.url import DatabaseUrl
from dialogs.model import UserState
from dialogs.records import evolve

# The advisory lock space of leaders not yet stored. The two-int form keeps these locks apart
# from the one-bigint locks of schema migrations and scheduler leadership.
LOCK_SPACE = 0x6C656164  # "lead"
PAGE = 200  # leaders per round trip when dumping them all
OPTIMISTIC = 3  # tries of a turn by version check before it takes the leader's lock

LOCK_ROW = "SELECT version, sealed FROM leaders WHERE leader = $1 FOR UPDATE"
LOCK_NEW = "SELECT pg_advisory_xact_lock($1, hashtext($2))"
SELECT = "SELECT version, sealed FROM leaders WHERE leader = $1"
SELECT_MANY = "SELECT leader, version, sealed FROM leaders WHERE leader = ANY($1::text[])"
VERSIONS = "SELECT leader, version FROM leaders WHERE leader = ANY($1::text[])"
INSERT = "INSERT INTO leaders (leader, version, sealed) VALUES ($1, $2, $3)"
UPDATE = "UPDATE leaders SET version = $2, sealed = $3, updated_at = now() WHERE leader = $1"
# Written only if nobody wrote since the read: the version read, or no row at all. The insert
# takes the advisory lock (held to its implicit commit) so that it waits for a locked writer
# inserting the same leader, and then finds its row (ON CONFLICT sees committed rows).
UPDATE_IF = (
    "UPDATE leaders SET version = $3, sealed = $4, updated_at = now() "
    "WHERE leader = $1 AND version = $2 RETURNING leader"
)
INSERT_IF = (
    "INSERT INTO leaders (leader, version, sealed) "
    "SELECT $1, $2, $3 FROM (SELECT pg_advisory_xact_lock($4, hashtext($1))) AS held "
    "ON CONFLICT (leader) DO NOTHING RETURNING leader"
)
DELETE_IF = "DELETE FROM leaders WHERE leader = $1 AND version = $2 RETURNING leader"
DELETE = "DELETE FROM leaders WHERE leader = $1 RETURNING leader"
SELECT_EXTRA = "SELECT sealed FROM leader_extras WHERE leader = $1 AND name = $2"
UPSERT_EXTRA = (
    "INSERT INTO leader_extras (leader, name, sealed) VALUES ($1, $2, $3) "
    "ON CONFLICT (leader, name) DO UPDATE SET sealed = excluded.sealed, updated_at = now()"
)
DELETE_EXTRAS = "DELETE FROM leader_extras WHERE leader = $1"
HASHES = "SELECT leader FROM leaders"
PAGE_OF_LEADERS = "SELECT leader, sealed FROM leaders WHERE leader > $1 ORDER BY leader LIMIT $2"
EXTRAS_OF = "SELECT leader, name, sealed FROM leader_extras WHERE leader = ANY($1::text[])"
LEADERS_AFTER = "SELECT leader FROM leaders WHERE leader > $1 ORDER BY leader LIMIT $2"
LOCK_EXTRAS = "SELECT name, sealed FROM leader_extras WHERE leader = $1 FOR UPDATE"
RESEAL_EXTRA = "UPDATE leader_extras SET sealed = $3 WHERE leader = $1 AND name = $2"
RESEAL_ROW = "UPDATE leaders SET sealed = $2 WHERE leader = $1"


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
    """A leader's row as read: its version (0: channel data only) and its opened sections."""

    version: int
    sections: dict[str, Any]


class PostgresUserStore:
    """UserStore (and LeaderArchive) over the `leaders` and `leader_extras` tables."""

    def __init__(self, pool: asyncpg.Pool[Any], sealer: Sealer, url: DatabaseUrl) -> None:
        self.pool = pool
        self.sealer = sealer
        self.guard = GuardedPool(pool, url, "users")

    def close(self) -> None:
        """As TinyDBUserStore.close(): nothing of its own to close; the pool is the
        application's, closed once after every store that uses it."""

    async def load(self, key: UserKey) -> UserState | None:
        async with self.guard.connection() as connection:
            record = await connection.fetchrow(SELECT, key.hashed)
        return self._state(key, self._row(key, record))

    async def load_sections(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """Several leaders' stored sections (migrated, not validated into UserState), by
        hashed key, in one query: the dashboard counts from them."""
        by_hash = {key.hashed: key for key in keys}
        async with self.guard.connection() as connection:
            records = await connection.fetch(SELECT_MANY, list(by_hash))
        found = {}
        for record in records:
            row = self._row(by_hash[record["leader"]], record)
            if row is not None and "state" in row.sections:
                found[record["leader"]] = migrate(row.sections)
        return found

    async def versions(self, keys: Sequence[UserKey]) -> dict[str, int] | None:
        """Each stored leader's state version by hashed key, without opening the states."""
        async with self.guard.connection() as connection:
            records = await connection.fetch(VERSIONS, [key.hashed for key in keys])
        return {r["leader"]: r["version"] for r in records}

    async def transact[T](
        self, key: UserKey, decide: Callable[[UserState | None], tuple[Change, T]]
    ) -> tuple[UserState | None, T]:
        for _ in range(OPTIMISTIC):
            done = await self._try_transact(key, decide)
            if done is not None:
                return done
        return await self._locked_transact(key, decide)

    async def _try_transact[T](
        self, key: UserKey, decide: Callable[[UserState | None], tuple[Change, T]]
    ) -> tuple[UserState | None, T] | None:
        """One turn by version check; None if another writer came first (nothing written)."""
        async with self.guard.connection() as connection:
            row = self._row(key, await connection.fetchrow(SELECT, key.hashed))
            stored = self._state(key, row)
            change, result = decide(stored)
            if change == "keep":
                return stored, result
            if change == "delete":
                if row is None:
                    return None, result
                gone = await connection.fetchval(DELETE_IF, key.hashed, row.version)
                return (None, result) if gone is not None else None
            saved = evolve(change, version=stored.version + 1 if stored else 1)
            sealed = self._seal_state(key, saved)
            if row is None:
                written = await connection.fetchval(
                    INSERT_IF, key.hashed, saved.version, sealed, LOCK_SPACE
                )
            else:
                written = await connection.fetchval(
                    UPDATE_IF, key.hashed, row.version, saved.version, sealed
                )
        return (saved, result) if written is not None else None

    async def _locked_transact[T](
        self, key: UserKey, decide: Callable[[UserState | None], tuple[Change, T]]
    ) -> tuple[UserState | None, T]:
        async with self.guard.transaction() as connection:
            row = await self._lock(connection, key)
            stored = self._state(key, row)
            change, result = decide(stored)
            if change == "keep":
                return stored, result
            if change == "delete":
                await connection.execute(DELETE, key.hashed)
                return None, result
            saved = evolve(change, version=stored.version + 1 if stored else 1)
            await self._write(connection, key, row, saved)
            return saved, result

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        async with self.guard.transaction() as connection:
            row = await self._lock(connection, key)
            version = row.version if row else 0
            if version != expected_version:
                raise StaleStateError(
                    f"state of {key.hashed} is at version {version}, not {expected_version}"
                )
            saved = evolve(state, version=expected_version + 1)
            await self._write(connection, key, row, saved)
            return saved

    async def delete(self, key: UserKey) -> bool:
        """One statement: its channel data goes with the row (ON DELETE CASCADE)."""
        async with self.guard.connection() as connection:
            return await connection.fetchval(DELETE, key.hashed) is not None

    async def load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        async with self.guard.connection() as connection:
            sealed = await connection.fetchval(SELECT_EXTRA, key.hashed, name)
        return None if sealed is None else self._extra(key.hashed, name, sealed)

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        if await self.load_extra(key, name) == value:
            return  # unchanged (Teams saves its reference every turn): one read, no write
        async with self.guard.transaction() as connection:
            row = await self._lock(connection, key)
            if row is None:
                await connection.execute(INSERT, key.hashed, 0, self._seal_meta(key))
            sealed = self.sealer.seal(encode_json(value), extra_label(key.hashed, name))
            await connection.execute(UPSERT_EXTRA, key.hashed, name, sealed)

    async def stored_hashes(self) -> frozenset[str]:
        async with self.guard.connection() as connection:
            records = await connection.fetch(HASHES)
        return frozenset(str(record["leader"]) for record in records)

    # ---------------------------------------------------------------- LeaderArchive

    async def dump_all(self) -> AsyncIterator[StoredLeader]:
        after = ""
        while True:
            async with self.guard.connection() as connection:
                page = await connection.fetch(PAGE_OF_LEADERS, after, PAGE)
                hashes = [str(record["leader"]) for record in page]
                extras = await connection.fetch(EXTRAS_OF, hashes) if hashes else []
            by_leader: dict[str, dict[str, dict[str, Any]]] = {h: {} for h in hashes}
            for record in extras:
                hashed, name = str(record["leader"]), str(record["name"])
                by_leader[hashed][name] = self._extra(hashed, name, record["sealed"])
            for record in page:
                hashed = str(record["leader"])
                sections = self._open(hashed, record["sealed"])
                key = self._key_of(hashed, sections)
                state = self._state(key, Row(1, sections)) if "state" in sections else None
                yield StoredLeader(key, state, by_leader[hashed])
            if len(page) < PAGE:
                return
            after = hashes[-1]

    async def restore(self, leader: StoredLeader) -> None:
        key = leader.key
        async with self.guard.transaction() as connection:
            row = await self._lock(connection, key)
            if leader.state is None:
                sealed, version = self._seal_meta(key), 0
            else:
                sealed, version = self._seal_state(key, leader.state), leader.state.version
            await connection.execute(
                INSERT if row is None else UPDATE, key.hashed, version, sealed
            )
            await connection.execute(DELETE_EXTRAS, key.hashed)
            await connection.executemany(
                UPSERT_EXTRA,
                [
                    (
                        key.hashed,
                        name,
                        self.sealer.seal(encode_json(value), extra_label(key.hashed, name)),
                    )
                    for name, value in leader.extras.items()
                ],
            )

    # ---------------------------------------------------------------- rows

    async def reseal(self) -> tuple[int, int]:
        """`peercoach rekey` on PostgreSQL: every row (and its channel data) sealed with the
        newest key. First every row is opened (a wrong key or a damaged row stops it before
        anything is written); then each leader's rows are re-sealed under the row lock, the
        plain bytes unchanged, so a turn running at the same time on a live instance is
        neither lost nor overwritten. Returns (re-sealed, already current)."""
        async for _ in self.dump_all():
            pass
        resealed = current = 0
        after = ""
        while True:
            async with self.guard.connection() as connection:
                page = [
                    str(r["leader"]) for r in await connection.fetch(LEADERS_AFTER, after, PAGE)
                ]
            if not page:
                return resealed, current
            for hashed in page:
                if await self._reseal_one(hashed):
                    resealed += 1
                else:
                    current += 1
            after = page[-1]

    async def _reseal_one(self, hashed: str) -> bool:
        where = f"leader {hashed}"
        changed = False
        async with self.guard.transaction() as connection:
            record = await connection.fetchrow(LOCK_ROW, hashed)
            if record is None:  # forgotten since the page was read
                return False
            sealed = bytes(record["sealed"])
            if not self.sealer.is_current(sealed):
                label = state_label(hashed)
                fresh = self.sealer.seal(self.sealer.open(sealed, label, where), label)
                await connection.execute(RESEAL_ROW, hashed, fresh)
                changed = True
            for extra in await connection.fetch(LOCK_EXTRAS, hashed):
                old, name = bytes(extra["sealed"]), str(extra["name"])
                if not self.sealer.is_current(old):
                    label = extra_label(hashed, name)
                    fresh = self.sealer.seal(self.sealer.open(old, label, where), label)
                    await connection.execute(RESEAL_EXTRA, hashed, name, fresh)
                    changed = True
        return changed

    async def _lock(self, connection: asyncpg.Connection[Any], key: UserKey) -> Row | None:
        """The leader's row, locked until the transaction ends; for a leader not stored, the
        advisory lock every inserting writer takes, then a fresh look (another writer may
        have inserted the row while this one waited)."""
        record = await connection.fetchrow(LOCK_ROW, key.hashed)
        if record is None:
            await connection.execute(LOCK_NEW, LOCK_SPACE, key.hashed)
            record = await connection.fetchrow(LOCK_ROW, key.hashed)
        return self._row(key, record)

    def _row(self, key: UserKey, record: asyncpg.Record | None) -> Row | None:
        if record is None:
            return None
        sections = self._open(key.hashed, record["sealed"])
        if self._key_of(key.hashed, sections) != key:
            raise CorruptRowError(key.hashed, "the row belongs to a different user key")
        return Row(int(record["version"]), sections)

    def _open(self, hashed: str, sealed: bytes) -> dict[str, Any]:
        try:
            plain = self.sealer.open(sealed, state_label(hashed), f"leader {hashed}")
            sections = orjson.loads(plain)
        except (SealError, ValueError) as error:
            raise CorruptRowError(hashed, str(error)) from error
        if not isinstance(sections, dict) or not isinstance(sections.get("meta"), dict):
            raise CorruptRowError(hashed, "it holds no meta section")
        return sections

    def _key_of(self, hashed: str, sections: dict[str, Any]) -> UserKey:
        try:
            key = UserKey.parse(str(sections["meta"].get("key")))
        except ValueError:
            raise CorruptRowError(hashed, "its meta section names no user key") from None
        if key.hashed != hashed:
            raise CorruptRowError(hashed, "the row belongs to a different user key")
        return key

    def _state(self, key: UserKey, row: Row | None) -> UserState | None:
        if row is None or "state" not in row.sections:
            return None
        try:
            return from_sections(row.sections)
        except SchemaError as error:
            raise CorruptRowError(key.hashed, str(error)) from error

    def _extra(self, hashed: str, name: str, sealed: bytes) -> dict[str, Any]:
        try:
            plain = self.sealer.open(sealed, extra_label(hashed, name), f"leader {hashed}")
            value = orjson.loads(plain)
        except (SealError, ValueError) as error:
            raise CorruptRowError(hashed, f"extra {name!r}: {error}") from error
        if not isinstance(value, dict):
            raise CorruptRowError(hashed, f"extra {name!r} is not an object")
        return value

    def _seal_state(self, key: UserKey, state: UserState) -> bytes:
        return self.sealer.seal(encode_json(to_sections(str(key), state)), state_label(key.hashed))

    def _seal_meta(self, key: UserKey) -> bytes:
        """A leader known by channel data alone: the meta section, as a TinyDB file has."""
        meta = {"meta": {"schema": SCHEMA_VERSION, "key": str(key)}}
        return self.sealer.seal(encode_json(meta), state_label(key.hashed))

    async def _write(
        self, connection: asyncpg.Connection[Any], key: UserKey, row: Row | None, state: UserState
    ) -> None:
        sealed = self._seal_state(key, state)
        await connection.execute(
            INSERT if row is None else UPDATE, key.hashed, state.version, sealed
        )
