"""A Slack event's id taken in the turn's own write on PostgreSQL (bot.ports.ClaimsInTurn): one
statement and one commit for the write and the claim together, so the id is taken exactly when
the turn is saved, and a retry on any instance never runs the turn twice."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from bot.crypto.sealing import local_sealer
from bot.domain import UserKey
from bot.errors import AlreadyHandledError
from bot.ports import Change, ClaimsInTurn, EventClaim
from bot.storage.memory.seen import InMemorySeenEvents
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.seen import PRUNE, PostgresSeenEvents
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from bot.storage.postgres.users_sql import (
    CLAIM,
    INSERT_IF_CLAIMED,
    SELECT,
    UPDATE_IF_CLAIMED,
)
from dialogs.model import Reflection, UserState
from tests.conftest import AT, FakeClock

BOB = UserKey("slack", "T123", "U456")


def add_reflection(stored: UserState | None) -> tuple[Change, int]:
    state = stored or UserState()
    number = len(state.reflections)
    reflection = Reflection(f"r{number}", AT, f"thought {number}")
    return replace(state, reflections=(*state.reflections, reflection)), number


def keep(stored: UserState | None) -> tuple[Change, None]:
    del stored
    return "keep", None


class Instance:
    """One instance's pool, user store and seen-store, every statement it sends logged."""

    def __init__(self, pool: Any, url: DatabaseUrl, clock: FakeClock) -> None:
        self.pool = pool
        self.users = PostgresUserStore(pool, local_sealer(), url)
        self.seen = PostgresSeenEvents(pool, url, clock)
        self.queries: list[str] = []

    def claim(self, event_id: str) -> EventClaim:
        return EventClaim(event_id, self.seen)

    def turns_sent(self) -> list[str]:
        """The statements sent, but the hourly prune of old ids (at the first id, too)."""
        return [query for query in self.queries if query != PRUNE]


@pytest.fixture
async def instances(database_url: str, clock: FakeClock) -> AsyncIterator[list[Instance]]:
    url = DatabaseUrl.parse(database_url)
    made = []
    for _ in range(2):
        pool: Any = await open_pool(url, min_size=1, max_size=1)  # one connection, logged
        instance = Instance(pool, url, clock)
        async with pool.acquire() as connection:
            connection.add_query_logger(lambda r, into=instance.queries: into.append(r.query))
        made.append(instance)
    yield made
    for instance in made:
        await instance.pool.close()


async def claims_taken(instance: Instance) -> list[str]:
    rows = await instance.pool.fetch("SELECT event_id FROM slack_events ORDER BY event_id")
    return [str(row["event_id"]) for row in rows]


async def test_a_new_leaders_first_message_is_one_statement_and_the_next_two(
    instances: list[Instance],
) -> None:
    one = instances[0]
    assert isinstance(one.users, ClaimsInTurn)
    assert one.users.folds(one.seen)
    assert not one.users.folds(InMemorySeenEvents())
    await one.users.stored_hashes()  # as the Slack channel asks at start
    one.queries.clear()
    await one.users.transact(BOB, add_reflection, claim=one.claim("Ev1"))
    await one.users.transact(BOB, add_reflection, claim=one.claim("Ev2"))
    assert one.turns_sent() == [INSERT_IF_CLAIMED, SELECT, UPDATE_IF_CLAIMED]
    stored = await one.users.load(BOB)
    assert stored is not None
    assert (stored.version, len(stored.reflections)) == (2, 2)
    assert await claims_taken(one) == ["Ev1", "Ev2"]


async def test_a_repeated_id_runs_nothing_and_writes_nothing_on_either_instance(
    instances: list[Instance],
) -> None:
    one, two = instances
    await one.users.transact(BOB, add_reflection, claim=one.claim("Ev1"))
    for instance in (one, two):
        with pytest.raises(AlreadyHandledError):
            await instance.users.transact(BOB, add_reflection, claim=instance.claim("Ev1"))
        with pytest.raises(AlreadyHandledError):
            await instance.users.transact(BOB, keep, claim=instance.claim("Ev1"))
    stored = await two.users.load(BOB)
    assert stored is not None
    assert (stored.version, len(stored.reflections)) == (1, 1)


async def test_the_same_id_on_two_instances_at_once_is_saved_by_exactly_one(
    instances: list[Instance],
) -> None:
    for n in range(10):
        tries = [
            instances[i % 2].users.transact(
                BOB, add_reflection, claim=instances[i % 2].claim(f"Ev-race-{n}")
            )
            for i in range(4)
        ]
        answers = await asyncio.gather(*tries, return_exceptions=True)
        repeats = [a for a in answers if isinstance(a, AlreadyHandledError)]
        assert len(repeats) == 3, answers
        stored = await instances[0].users.load(BOB)
        assert stored is not None
        assert len(stored.reflections) == n + 1  # one turn saved per event id


async def test_a_turn_that_writes_nothing_still_takes_its_id(instances: list[Instance]) -> None:
    one, _ = instances
    await one.users.transact(BOB, keep, claim=one.claim("Ev-keep"))
    assert one.turns_sent() == [SELECT, CLAIM]
    assert await one.users.load(BOB) is None
    assert await claims_taken(one) == ["Ev-keep"]


async def test_a_write_that_lost_the_version_race_leaves_the_id_free(
    instances: list[Instance], clock: FakeClock
) -> None:
    one, _ = instances
    await one.users.transact(BOB, add_reflection)
    stale = 0  # another writer moved the row to version 1 since this turn read it
    written = await one.pool.fetchval(
        UPDATE_IF_CLAIMED,
        BOB.hashed,
        stale,
        1,
        b"never written",
        None,
        {},  # counted in no cohort's totals
        "Ev-lost",
        clock.now(),
    )
    assert written is None
    assert await claims_taken(one) == []
    await one.users.transact(BOB, add_reflection, claim=one.claim("Ev-lost"))  # the retry
    stored = await one.users.load(BOB)
    assert stored is not None
    assert (stored.version, len(stored.reflections)) == (2, 2)


async def test_a_leader_another_instance_stored_since_start_keeps_both_turns(
    instances: list[Instance],
) -> None:
    one, two = instances
    assert await one.users.stored_hashes() == frozenset()  # at start: nobody
    await two.users.transact(BOB, add_reflection, claim=two.claim("Ev-two"))
    one.queries.clear()
    _, number = await one.users.transact(BOB, add_reflection, claim=one.claim("Ev-one"))
    assert number == 1  # decided again on what the other instance stored
    assert one.turns_sent() == [INSERT_IF_CLAIMED, SELECT, UPDATE_IF_CLAIMED]
    stored = await one.users.load(BOB)
    assert stored is not None
    assert (stored.version, [r.text for r in stored.reflections]) == (
        2,
        ["thought 0", "thought 1"],
    )
    assert await claims_taken(one) == ["Ev-one", "Ev-two"]
