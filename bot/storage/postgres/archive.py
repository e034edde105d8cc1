"""A PostgresUserStore's leaders taken out and put back whole (LeaderArchive: `db export`,
`db import`), and `peercoach rekey` on PostgreSQL: every leader's rows sealed again with the
newest key (PostgresUserStore.reseal)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from bot.ports import StoredLeader
from bot.storage.atomic import encode_json
from bot.storage.postgres import users_sql as sql
from bot.storage.postgres.cohorts import count_rows, share
from bot.storage.postgres.leader_rows import (
    Row,
    extra_label,
    key_of,
    open_extra,
    state_label,
    state_of,
)
from bot.storage.postgres.users import PostgresUserStore


async def dump_leaders(store: PostgresUserStore) -> AsyncIterator[StoredLeader]:
    """Every stored leader, a page at a time (LeaderArchive.dump_all)."""
    after = ""
    while True:
        async with store.guard.connection() as connection:
            page = await connection.fetch(sql.PAGE_OF_LEADERS, after, sql.PAGE)
            hashes = [str(record["leader"]) for record in page]
            extras = await connection.fetch(sql.EXTRAS_OF, hashes) if hashes else []
        by_leader: dict[str, dict[str, dict[str, Any]]] = {h: {} for h in hashes}
        for record in extras:
            hashed, name = str(record["leader"]), str(record["name"])
            by_leader[hashed][name] = open_extra(store.sealer, hashed, name, record["sealed"])
        for record in page:
            hashed = str(record["leader"])
            sections = store._open(hashed, record["sealed"])
            key = key_of(hashed, sections)
            state = state_of(key, Row(1, sections)) if "state" in sections else None
            yield StoredLeader(key, state, by_leader[hashed])
        if len(page) < sql.PAGE:
            return
        after = hashes[-1]


async def restore_leader(store: PostgresUserStore, leader: StoredLeader) -> None:
    """Exactly this leader, whatever was there (LeaderArchive.restore)."""
    key = leader.key
    async with store.guard.transaction() as connection:
        row = await store._lock(connection, key)
        if leader.state is None:
            sealed, glance, version, shares = store._seal_meta(key), None, 0, 0
            instants: dict[str, list[int]] = {}
        else:
            new = store._seal_state(key, leader.state)
            sealed, glance, shares, instants = new.sealed, new.glance, new.shares, new.instants
            version = leader.state.version
        await connection.execute(
            sql.INSERT if row is None else sql.UPDATE, key.hashed, version, sealed, glance
        )
        if row is not None and (counted := count_rows(row.cohorts, row.instants(), instants)):
            await connection.execute(sql.COUNT, *counted)
            await share(connection, key.hashed, row.cohorts, shares > 0)
        await connection.execute(sql.DELETE_EXTRAS, key.hashed)
        await connection.executemany(
            sql.UPSERT_EXTRA,
            [
                (
                    key.hashed,
                    name,
                    store.sealer.seal(encode_json(value), extra_label(key.hashed, name)),
                )
                for name, value in leader.extras.items()
            ],
        )


async def reseal_leaders(store: PostgresUserStore) -> tuple[int, int]:
    """First every row is opened (a wrong key or a damaged row stops it before anything is
    written); then each leader's rows are re-sealed under the row lock, the plain bytes
    unchanged. Returns (re-sealed, already current)."""
    async for _ in store.dump_all():
        pass
    resealed = current = 0
    after = ""
    while True:
        async with store.guard.connection() as connection:
            records = await connection.fetch(sql.LEADERS_AFTER, after, sql.PAGE)
        page = [str(r["leader"]) for r in records]
        if not page:
            return resealed, current
        for hashed in page:
            if await _reseal_one(store, hashed):
                resealed += 1
            else:
                current += 1
        after = page[-1]


async def _reseal_one(store: PostgresUserStore, hashed: str) -> bool:
    where = f"leader {hashed}"
    changed = False
    async with store.guard.transaction() as connection:
        record = await connection.fetchrow(sql.LOCK_ROW, hashed)
        if record is None:  # forgotten since the page was read
            return False
        sealed = bytes(record["sealed"])
        if not store.sealer.is_current(sealed):
            label = state_label(hashed)
            fresh = store.sealer.seal(store.sealer.open(sealed, label, where), label)
            await connection.execute(sql.RESEAL_ROW, hashed, fresh)
            changed = True
        for extra in await connection.fetch(sql.LOCK_EXTRAS, hashed):
            old, name = bytes(extra["sealed"]), str(extra["name"])
            if not store.sealer.is_current(old):
                label = extra_label(hashed, name)
                fresh = store.sealer.seal(store.sealer.open(old, label, where), label)
                await connection.execute(sql.RESEAL_EXTRA, hashed, name, fresh)
                changed = True
    return changed
