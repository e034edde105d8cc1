"""A leader's glance is written in the same statement as their state, on every path that
writes one, and names its version: an instance serving the dashboard counts from the glances
only what it would count from the states, whichever instance wrote them."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.crypto.sealing import local_sealer
from bot.dashboard.figures import FigureCache, week_starts, weeks_of
from bot.domain import UserKey
from bot.ports import StoredLeader
from bot.storage.postgres.archive import restore_leader
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from dialogs.model import Commitment, UserState
from tests.conftest import AT
from tests.dashboard.seed import history

ALICE = UserKey("slack", "T1", "UALICE")
BOB = UserKey("slack", "T1", "UBOB")
TZ = "Europe/London"
STARTS = week_starts(AT, TZ)


@pytest.fixture
async def instances(database_url: str) -> AsyncIterator[list[PostgresUserStore]]:
    url = DatabaseUrl.parse(database_url)
    pools = [await open_pool(url), await open_pool(url)]
    yield [PostgresUserStore(pool, local_sealer(), url) for pool in pools]
    for pool in pools:
        await pool.close()


async def from_states(store: PostgresUserStore, *keys: UserKey) -> list[object]:
    loaded = await store.load_sections(keys)
    return [weeks_of(loaded.get(k.hashed), STARTS, TZ) for k in keys]


async def test_every_write_leaves_a_glance_of_its_version(
    instances: list[PostgresUserStore],
) -> None:
    one, other = instances
    state = history("Alice", 1, 20, AT)
    await one.transact(ALICE, lambda _: (state, None))  # a new leader, without the read
    await one.transact(
        ALICE, lambda s: (replace(s or state, nudges=s.nudges[:-1] if s else ()), None)
    )
    saved = await one.save(BOB, history("Bob", 2, 20, AT), expected_version=0)
    await restore_leader(one, StoredLeader(BOB, replace(saved, nudges=()), {}))
    glances = await other.glances([ALICE, BOB])
    versions = await other.versions([ALICE, BOB])
    assert versions is not None
    assert {k: g["v"] for k, g in glances.items()} == versions
    figures = await FigureCache(other).figures([ALICE, BOB], STARTS, TZ)
    assert list(figures.by_leader) == await from_states(other, ALICE, BOB)


async def test_another_instances_write_is_counted_at_once(
    instances: list[PostgresUserStore],
) -> None:
    one, other = instances
    state = history("Alice", 1, 20, AT)
    await one.transact(ALICE, lambda _: (state, None))
    cache = FigureCache(other)
    before = (await cache.figures([ALICE], STARTS, TZ)).by_leader[0]
    kept = Commitment("new", AT, "words", AT.date(), status="kept")

    def add(stored: UserState | None) -> tuple[UserState, None]:
        assert stored is not None
        return replace(stored, commitments=(*stored.commitments, kept)), None

    await one.transact(ALICE, add)
    after = (await cache.figures([ALICE], STARTS, TZ)).by_leader[0]
    assert after.total("kept") == before.total("kept") + 1
    assert [after] == await from_states(other, ALICE)


async def test_a_glance_copied_onto_another_leader_is_not_used(
    instances: list[PostgresUserStore],
) -> None:
    one, _ = instances
    await one.transact(ALICE, lambda _: (history("Alice", 1, 20, AT), None))
    await one.transact(BOB, lambda _: (history("Bob", 0, 20, AT), None))
    async with one.pool.acquire() as connection:
        await connection.execute(
            "UPDATE leaders SET glance = (SELECT glance FROM leaders WHERE leader = $1) "
            "WHERE leader = $2",
            ALICE.hashed,
            BOB.hashed,
        )
    assert list(await one.glances([ALICE, BOB])) == [ALICE.hashed]
    figures = await FigureCache(one).figures([ALICE, BOB], STARTS, TZ)
    assert list(figures.by_leader) == await from_states(one, ALICE, BOB)
