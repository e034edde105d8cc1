"""`peercoach rekey` on PostgreSQL: every leader's rows sealed again with the newest key
(PostgresUserStore.reseal)."""

from __future__ import annotations

from bot.storage.postgres import users_sql as sql
from bot.storage.postgres.users import PostgresUserStore, extra_label, state_label


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
