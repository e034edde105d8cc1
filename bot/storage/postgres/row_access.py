"""One leader's row in `leaders`: read and opened, locked, sealed and written, with the
hint of which leaders are stored. Split from users.py by job: PostgresUserStore builds
turns, channel data and the archive on these."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from bot.crypto.sealing import Sealer, SealError
from bot.domain import UserKey
from bot.storage.atomic import encode_json
from bot.storage.codec import SCHEMA_VERSION, migrate, to_sections
from bot.storage.glance import instants_of, shares_of
from bot.storage.postgres import cohorts
from bot.storage.postgres import users_sql as sql
from bot.storage.postgres.away import GuardedPool
from bot.storage.postgres.glances import seal_glance
from bot.storage.postgres.leader_rows import CorruptRowError, Row, Sealed, key_of, state_label
from bot.storage.postgres.url import DatabaseUrl
from dialogs.model import UserState


class LeaderRowAccess:
    """Reads, locks, seals and writes leaders' rows for PostgresUserStore."""

    def __init__(self, pool: asyncpg.Pool[Any], sealer: Sealer, url: DatabaseUrl) -> None:
        self.pool = pool
        self.sealer = sealer
        self.guard = GuardedPool(pool, url, "users")
        # Hashes of the leaders stored, from the first stored_hashes() on (a channel asks at
        # start), kept by this store's own reads and writes: a leader outside it is most
        # likely new, and their turn is tried without the read. Only a hint: a leader another
        # instance stored since costs one statement more, once.
        self._known: set[str] | None = None

    def _stored(self, hashed: str) -> None:
        if self._known is not None:
            self._known.add(hashed)

    def _forgotten(self, hashed: str) -> None:
        if self._known is not None:
            self._known.discard(hashed)

    async def _lock(self, connection: asyncpg.Connection[Any], key: UserKey) -> Row | None:
        """The leader's row, locked until the transaction ends; for a leader not stored, the
        advisory lock every inserting writer takes, then a fresh look (another writer may
        have inserted the row while this one waited)."""
        record = await connection.fetchrow(sql.LOCK_ROW, key.hashed)
        if record is None:
            await connection.execute(sql.LOCK_NEW, sql.LOCK_SPACE, key.hashed)
            record = await connection.fetchrow(sql.LOCK_ROW, key.hashed)
        return self._row(key, record)

    def _row(self, key: UserKey, record: asyncpg.Record | None) -> Row | None:
        if record is None:
            return None
        sections = self._open(key.hashed, record["sealed"])
        if key_of(key.hashed, sections) != key:
            raise CorruptRowError(key.hashed, "the row belongs to a different user key")
        self._stored(key.hashed)
        return Row(int(record["version"]), sections, record.get("cohorts") or {})

    def _open(self, hashed: str, sealed: bytes) -> dict[str, Any]:
        try:
            plain = self.sealer.open(sealed, state_label(hashed), f"leader {hashed}")
            sections = orjson.loads(plain)
        except (SealError, ValueError) as error:
            raise CorruptRowError(hashed, str(error)) from error
        if not isinstance(sections, dict) or not isinstance(sections.get("meta"), dict):
            raise CorruptRowError(hashed, "it holds no meta section")
        return sections

    def _seal_state(self, key: UserKey, state: UserState) -> Sealed:
        """The sealed state and its sealed glance, to be written in the same statement."""
        sections = to_sections(str(key), state)
        sealed = self.sealer.seal(encode_json(sections), state_label(key.hashed))
        instants = instants_of(sections)
        glance = seal_glance(self.sealer, key.hashed, sections, state.version, instants)
        return Sealed(sealed, glance, shares_of(sections), instants)

    def _seal_meta(self, key: UserKey) -> bytes:
        """A leader known by channel data alone: the meta section, as a TinyDB file has."""
        meta = {"meta": {"schema": SCHEMA_VERSION, "key": str(key)}}
        return self.sealer.seal(encode_json(meta), state_label(key.hashed))

    async def _write(
        self, connection: asyncpg.Connection[Any], key: UserKey, row: Row | None, state: UserState
    ) -> None:
        new = self._seal_state(key, state)
        await connection.execute(
            sql.INSERT if row is None else sql.UPDATE,
            key.hashed,
            state.version,
            new.sealed,
            new.glance,
        )
        counted = cohorts.count_rows(row.cohorts, row.instants(), new.instants) if row else None
        if counted is not None:
            assert row is not None
            await connection.execute(sql.COUNT, *counted)
            if row.sharing() != (new.shares > 0):
                await cohorts.share(connection, key.hashed, row.cohorts, new.shares > 0)

    async def placeholder(self, connection: asyncpg.Connection[Any], key: UserKey) -> None:
        """A row for a leader not stored yet (meta alone, version 0, as channel data makes),
        so cohort totals count them from their first write (under the advisory lock)."""
        if await self._lock(connection, key) is None:
            await connection.execute(sql.INSERT, key.hashed, 0, self._seal_meta(key), None)
            self._stored(key.hashed)

    def sections_of(self, hashed: str, sealed: bytes) -> dict[str, Any]:
        """A row's opened, migrated sections (CorruptRowError if it does not open)."""
        return migrate(self._open(hashed, sealed))
