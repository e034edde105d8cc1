"""One contract for the stores of Slack event ids already handled: in memory (one process)
and PostgreSQL (every instance on one database)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest

from bot.ports import SeenEventStore
from bot.storage.memory.seen import InMemorySeenEvents
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.seen import PostgresSeenEvents
from bot.storage.postgres.url import DatabaseUrl
from tests.conftest import FakeClock
from tests.postgres_server import PostgresServer

LEADER = "0123456789abcdef"


@pytest.fixture(params=["memory", "postgres"])
def server(request: pytest.FixtureRequest) -> PostgresServer | None:
    """For PostgreSQL, the session's server, asked for outside the event loop."""
    return request.getfixturevalue("postgres") if request.param == "postgres" else None


@pytest.fixture
async def stores(
    server: PostgresServer | None, clock: FakeClock
) -> AsyncIterator[list[SeenEventStore]]:
    """Two stores that must agree: two instances' (one database), or one process's twice."""
    if server is None:
        memory = InMemorySeenEvents()
        yield [memory, memory]
        return
    url = DatabaseUrl.parse(await server.fresh_database())
    pools = [await open_pool(url), await open_pool(url)]
    yield [PostgresSeenEvents(pool, url, clock) for pool in pools]
    for pool in pools:
        await pool.close()


async def test_an_event_id_is_first_seen_once(stores: list[SeenEventStore]) -> None:
    first, _ = stores
    assert await first.first_sight("Ev1", LEADER)
    assert not await first.first_sight("Ev1", LEADER)
    assert await first.first_sight("Ev2", None)  # an event that names nobody counts too


async def test_the_same_id_on_two_instances_at_once_is_first_on_exactly_one(
    stores: list[SeenEventStore],
) -> None:
    for n in range(20):
        answers = await asyncio.gather(
            *(stores[i % 2].first_sight(f"Ev-race-{n}", LEADER) for i in range(6))
        )
        assert sorted(answers) == [False] * 5 + [True]


async def test_memory_keeps_the_newest_ids_within_its_capacity() -> None:
    store = InMemorySeenEvents(capacity=3)
    for n in range(5):
        assert await store.first_sight(f"Ev{n}", None)
    assert not await store.first_sight("Ev4", None)
    assert await store.first_sight("Ev0", None)  # long forgotten


async def test_postgres_forgets_ids_older_than_a_day_now_and_then(
    database_url: str, clock: FakeClock
) -> None:
    url = DatabaseUrl.parse(database_url)
    pool = await open_pool(url)
    try:
        store = PostgresSeenEvents(pool, url, clock)
        assert await store.first_sight("Ev-old", LEADER)
        clock.advance(hours=23)
        assert await store.first_sight("Ev-recent", LEADER)
        clock.advance(hours=2)  # Ev-old is 25 hours old, Ev-recent 2
        assert await store.first_sight("Ev-now", None)
        rows = await pool.fetch("SELECT event_id, leader FROM slack_events ORDER BY event_id")
        assert [(r["event_id"], r["leader"]) for r in rows] == [
            ("Ev-now", None),
            ("Ev-recent", LEADER),
        ]
        clock.advance(minutes=30)  # within the hour since the last prune: no DELETE
        await store.first_sight("Ev-later", None)
        assert await pool.fetchval("SELECT count(*) FROM slack_events") == 3
    finally:
        await pool.close()


async def test_a_prune_never_forgets_an_id_slack_may_still_retry(
    database_url: str, clock: FakeClock
) -> None:
    url = DatabaseUrl.parse(database_url)
    pool = await open_pool(url)
    try:
        store = PostgresSeenEvents(pool, url, clock, prune_every=timedelta(0))
        assert await store.first_sight("Ev1", LEADER)
        clock.advance(hours=23, minutes=59)
        assert not await store.first_sight("Ev1", LEADER)
    finally:
        await pool.close()


async def test_the_table_names_the_leader_of_each_event(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        columns = await connection.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'slack_events' ORDER BY ordinal_position"
        )
    finally:
        await connection.close()
    assert [c["column_name"] for c in columns] == ["event_id", "leader", "seen_at"]
