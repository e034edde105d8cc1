"""A coach's cohort totals on PostgreSQL (bot/storage/postgres/cohorts.py) equal what the
dashboard's reference counts from the leaders' UserStates, after random sequences of writes
(each path: a new leader's insert, a turn by version, two instances racing for a leader,
save, a Slack event's repeat, delete), leaders joining and leaving the coach, a timezone
change and the weeks moving on, read from either of two stores on one database, for the
coach and for a second coach of every leader."""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.crypto.sealing import local_sealer
from bot.dashboard.figures import KINDS, totals_weeks, week_starts
from bot.domain import UserKey
from bot.errors import AlreadyHandledError
from bot.ports import EventClaim
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.seen import PostgresSeenEvents
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from dialogs.model import Commitment, DialogueRecord, NudgeRecord, Reflection, UserState
from tests.conftest import AT, FakeClock
from tests.dashboard.test_figures import reference
from tests.postgres_server import PostgresServer

LEADERS = 5
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata")
ACTIONS = ("nudge", "answer", "commit", "keep", "talk", "drop", "share", "old")
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,  # no files left behind in the worktree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_examples = count()

action = st.tuples(st.sampled_from(ACTIONS), st.integers(-48, 14 * 7 * 24))
leader = st.integers(0, LEADERS - 1)
store = st.integers(0, 1)
step = st.one_of(
    st.tuples(st.just("write"), store, leader, action),
    st.tuples(st.just("race"), leader, action, action),
    st.tuples(st.just("save"), store, leader, action),
    st.tuples(st.just("repeat"), store, leader, action),
    st.tuples(st.just("delete"), store, leader),
    st.tuples(st.just("link"), leader),
    st.tuples(st.just("busy"), leader, action),
    st.tuples(st.just("move"), st.sampled_from(ZONES)),
    st.tuples(st.just("later"), st.integers(1, 3)),
    st.tuples(st.just("view"), store),
)


def changed(state: UserState | None, what: tuple[str, int]) -> UserState:
    """One change a turn might make, at `hours` before AT (negative: after)."""
    kind, hours = what
    state = state or UserState()
    at = AT - timedelta(hours=hours)
    n = len(state.nudges) + len(state.commitments) + len(state.history)
    if kind == "nudge":
        return replace(state, nudges=(*state.nudges, NudgeRecord(f"n{n}", at, nudge="x.y")))
    if kind == "answer" and state.nudges:
        last = replace(state.nudges[-1], response="reflected")
        return replace(state, nudges=(*state.nudges[:-1], last))
    if kind == "commit":
        made = Commitment(f"c{n}", at, "words", at.date())
        return replace(state, commitments=(*state.commitments, made))
    if kind == "keep" and state.commitments:
        kept = replace(state.commitments[0], status="kept")
        return replace(state, commitments=(kept, *state.commitments[1:]))
    if kind == "talk":
        talk = DialogueRecord("x.y", at - timedelta(minutes=5), at, "completed")
        return replace(state, history=(*state.history, talk))
    if kind == "drop":
        return replace(state, nudges=state.nudges[1:], commitments=state.commitments[1:])
    if kind == "share":
        return replace(
            state, reflections=(*state.reflections, Reflection(f"r{n}", at, "shared", shared=True))
        )
    if kind == "old":  # a year back: counted in no week shown
        return replace(
            state, nudges=(NudgeRecord(f"n{n}", at - timedelta(weeks=52), nudge="x.y"),)
        )
    return replace(state, nudges=state.nudges)


@pytest.fixture(scope="module")
def url(postgres: PostgresServer) -> DatabaseUrl:
    return DatabaseUrl.parse(asyncio.run(postgres.fresh_database()))


@dataclass
class World:
    """One coach and LEADERS leaders of their own, on two stores over one database."""

    example: int
    stores: list[PostgresUserStore]
    seen: list[PostgresSeenEvents]
    roster: set[int] = field(default_factory=lambda: set(range(0, LEADERS, 2)))
    zone: str = ZONES[0]
    now: datetime = AT
    events: Iterator[int] = field(default_factory=count)

    @property
    def coach(self) -> str:
        return f"slack:T{self.example}:UCOACH"

    def key(self, n: int) -> UserKey:
        return UserKey("slack", f"T{self.example}", f"UL{n}")

    async def write(self, one: int, who: int, what: tuple[str, int]) -> None:
        await self.stores[one].transact(self.key(who), lambda s: (changed(s, what), None))

    async def race(self, who: int, first: tuple[str, int], second: tuple[str, int]) -> None:
        await asyncio.gather(self.write(0, who, first), self.write(1, who, second))

    async def save(self, one: int, who: int, what: tuple[str, int]) -> None:
        current = await self.stores[one].load(self.key(who))
        version = current.version if current else 0
        await self.stores[one].save(
            self.key(who), changed(current, what), expected_version=version
        )

    async def repeat(self, one: int, who: int, what: tuple[str, int]) -> None:
        """A Slack event's turn on one instance, then the same event again on the other."""
        event = f"Ev{self.example}-{next(self.events)}"
        for n in (one, 1 - one):
            try:
                await self.stores[n].transact(
                    self.key(who),
                    lambda s: (changed(s, what), None),
                    claim=EventClaim(event, self.seen[n]),
                )
            except AlreadyHandledError:
                assert n != one

    async def delete(self, one: int, who: int) -> None:
        if who % 2:
            await self.stores[one].delete(self.key(who))
        else:
            await self.stores[one].transact(self.key(who), lambda _: ("delete", None))

    async def link(self, who: int) -> None:
        self.roster ^= {who}

    async def busy(self, who: int, what: tuple[str, int]) -> None:
        """A leader joins or leaves while their state is written, on the other instance."""
        self.roster ^= {who}
        keys = [self.key(n) for n in sorted(self.roster)]
        starts = week_starts(self.now, self.zone)
        await asyncio.gather(
            self.stores[0].cohort_counts(self.coach, keys, self.zone, starts),
            self.write(1, who, what),
            self.write(1, (who + 1) % LEADERS, what),
        )

    async def move(self, zone: str) -> None:
        self.zone = zone

    async def later(self, weeks: int) -> None:
        self.now += timedelta(weeks=weeks)

    async def view(self, one: int) -> None:
        keys = [self.key(n) for n in sorted(self.roster)]
        await check(self.stores[one], self.coach, keys, self.zone, self.now)
        # a second coach of every leader, in another zone: each write counts for both
        everyone = [self.key(n) for n in range(LEADERS)]
        await check(self.stores[1 - one], f"{self.coach}2", everyone, "Asia/Kolkata", self.now)


async def run(url: DatabaseUrl, steps: list[tuple[Any, ...]]) -> None:
    pools = [await open_pool(url, max_size=3), await open_pool(url, max_size=3)]
    clock = FakeClock(AT)
    world = World(
        next(_examples),
        [PostgresUserStore(pool, local_sealer(), url) for pool in pools],
        [PostgresSeenEvents(pool, url, clock) for pool in pools],
    )
    try:
        for name, *args in [*steps, ("view", 0), ("view", 1)]:
            await getattr(world, name)(*args)
    finally:
        for pool in pools:
            await pool.close()


async def check(
    store: PostgresUserStore, coach: str, keys: list[UserKey], zone: str, now: datetime
) -> None:
    starts = week_starts(now, zone)
    counts = await store.cohort_counts(coach, keys, zone, starts)
    assert counts is not None
    expected = [[0] * len(KINDS) for _ in starts]
    sharing = set()
    for key in keys:
        state = await store.load(key)
        if state is None:
            continue
        for row, found in zip(expected, reference(state, starts, zone), strict=True):
            row[:] = [a + b for a, b in zip(row, found, strict=True)]
        if any(r.shared for r in state.reflections):
            sharing.add(key.hashed)
    weeks = totals_weeks(counts, starts)
    assert [[w.count(k) for k in KINDS] for w in weeks] == expected
    assert counts.sharing == sharing


@SETTINGS
@given(steps=st.lists(step, max_size=25))
def test_totals_equal_the_counts_from_the_states(
    url: DatabaseUrl, steps: list[tuple[Any, ...]]
) -> None:
    asyncio.run(run(url, steps))


def test_a_fan_out_is_counted_once_per_write(url: DatabaseUrl) -> None:
    """Every leader written by both instances at once, many times over."""
    steps: list[tuple[Any, ...]] = [("view", 0)]
    steps += [("race", n % LEADERS, ("nudge", n), ("commit", n)) for n in range(40)]
    asyncio.run(run(url, steps))


def test_weeks_are_mondays() -> None:
    assert all(s.weekday() == 0 for s in week_starts(AT, "Asia/Kolkata"))
    assert isinstance(week_starts(AT, "Asia/Kolkata")[0], date)
