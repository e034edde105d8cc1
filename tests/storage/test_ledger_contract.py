"""One contract for every delivery ledger (memory, the embedded file, PostgreSQL): the same
assertions over each. `Backend.another()` is a second ledger on the same storage with an
owner of its own: another process after a restart, or another instance beside this one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.domain import UserKey
from bot.schedules.keys import DeliveryKey
from bot.schedules.ledger import RETAIN, DeliveryLedger, Entry
from bot.storage.memory.ledger import InMemoryDeliveryLedger
from bot.storage.postgres.ledger import PostgresDeliveryLedger
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.tinydb.ledger import FileDeliveryLedger
from tests.postgres_server import PostgresServer

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ANN, BOB = "slack:T1:U1", "slack:T1:U2"
DAY = date(2026, 11, 27)


@dataclass
class Backend:
    ledger: DeliveryLedger
    another: Callable[[], Awaitable[DeliveryLedger]]
    opened: list[DeliveryLedger] = field(default_factory=list)


def nudge(key: str = "k1", user: str = ANN, status: Any = "pending", **more: Any) -> Entry:
    return Entry(key, status, NOW, user, "s1", DAY, NOW, **more)


async def _memory(_request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    first = InMemoryDeliveryLedger()

    async def another() -> DeliveryLedger:
        return InMemoryDeliveryLedger(first)

    yield Backend(first, another)


async def _file(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    path: Path = request.getfixturevalue("tmp_path") / "deliveries.log"
    first = FileDeliveryLedger(path)
    await first.open()
    backend = Backend(first, lambda: reopened())  # noqa: PLW0108 - defined below

    async def reopened() -> DeliveryLedger:  # one process writes the file: a restart
        await backend.ledger.close()
        ledger = FileDeliveryLedger(path)
        await ledger.open()
        backend.opened.append(ledger)
        return ledger

    yield backend
    for ledger in (first, *backend.opened):
        await ledger.close()


async def _postgres(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    server: PostgresServer = request.getfixturevalue("postgres")
    url = DatabaseUrl.parse(await server.fresh_database())
    pools: list[asyncpg.Pool[Any]] = []

    async def ledger() -> DeliveryLedger:
        pools.append(await open_pool(url, max_size=4))
        opened = PostgresDeliveryLedger(pools[-1], url)
        await opened.open()
        return opened

    backend = Backend(await ledger(), ledger)
    yield backend
    await backend.ledger.close()
    for pool in pools:
        await pool.close()


BACKENDS = {"memory": _memory, "tinydb": _file, "postgres": _postgres}


@pytest.fixture(params=list(BACKENDS))
def kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.getfixturevalue("postgres")  # started here, outside any event loop
    return str(request.param)


@pytest.fixture
async def backend(kind: str, request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    async for made in BACKENDS[kind](request):
        yield made


async def test_a_recorded_state_is_what_every_read_answers(backend: Backend) -> None:
    ledger = backend.ledger
    assert ledger.status("k1") is None
    assert ledger.entry("k1") is None
    await ledger.record(nudge(status="sent"))
    assert ledger.status("k1") == "sent"
    stored = ledger.entry("k1")
    assert stored is not None
    assert (stored.user, stored.schedule, stored.local_date, stored.at) == (ANN, "s1", DAY, NOW)
    assert ledger.taken_on(ANN, "s1", DAY)
    assert not ledger.taken_on(ANN, "s1", DAY + timedelta(days=1))
    assert not ledger.taken_on(BOB, "s1", DAY)
    assert ledger.count("sent") == 1
    assert ledger.count("pending") == 0
    assert ledger.pending() == []


async def test_a_later_state_keeps_what_the_first_said(backend: Backend) -> None:
    await backend.ledger.record(nudge(status="deferred", reason="quiet hours"))
    await backend.ledger.record(Entry("k1", "failed", NOW + timedelta(minutes=1), reason="x"))
    stored = backend.ledger.entry("k1")
    assert stored is not None
    assert (stored.status, stored.user, stored.schedule, stored.reason) == (
        "failed",
        ANN,
        "s1",
        "x",
    )
    assert stored.at == NOW + timedelta(minutes=1)


@pytest.mark.parametrize("final", ["sent", "skipped", "failed"])
async def test_a_finished_key_is_never_reopened(backend: Backend, final: str) -> None:
    await backend.ledger.record(nudge(status=final))
    await backend.ledger.record(nudge(status="pending"))
    assert backend.ledger.status("k1") == final
    assert not await backend.ledger.claim(nudge())
    assert backend.ledger.status("k1") == final
    again = await backend.another()
    assert again.status("k1") == final


async def test_a_claim_of_an_absent_key_makes_it_pending(backend: Backend) -> None:
    assert await backend.ledger.claim(nudge())
    assert backend.ledger.status("k1") == "pending"
    assert [e.key for e in backend.ledger.pending()] == ["k1"]
    assert backend.ledger.taken_on(ANN, "s1", DAY)
    again = await backend.another()
    assert again.status("k1") == "pending"  # durable before the send


async def test_a_deferred_key_can_be_claimed_once(backend: Backend) -> None:
    await backend.ledger.record(nudge(status="deferred", reason="quiet hours"))
    later = replace(nudge(), at=NOW + timedelta(hours=8))
    assert await backend.ledger.claim(later)
    stored = backend.ledger.entry("k1")
    assert stored is not None
    assert (stored.status, stored.reason, stored.at) == ("pending", None, later.at)
    other = await backend.another()
    assert not await other.claim(later)


async def test_a_ledger_claims_its_own_pending_key_again_only_as_a_retry(
    backend: Backend,
) -> None:
    assert await backend.ledger.claim(nudge())
    assert not await backend.ledger.claim(nudge())  # a second send at once: never
    retry = replace(nudge(), at=NOW + timedelta(minutes=5))
    assert await backend.ledger.claim(retry, resume=True)  # a retry after a stall
    stored = backend.ledger.entry("k1")
    assert stored is not None
    assert stored.at == NOW  # the first pending time: recovery looks from then on
    assert backend.ledger.count("pending") == 1


async def test_a_key_pending_under_another_owner_is_not_claimed_but_resumed_once(
    backend: Backend,
) -> None:
    assert await backend.ledger.claim(nudge())
    crashed = backend.ledger.entry("k1")
    assert crashed is not None
    second = await backend.another()
    assert not await second.claim(nudge())
    [left] = second.pending()
    assert left.owner == crashed.owner
    assert await second.claim(left, resume=True)
    assert await second.claim(left, resume=True)  # its own now: a retry of the resume
    third = await backend.another()
    assert not await third.claim(left, resume=True)  # the second took it over first
    assert third.status("k1") == "pending"


async def test_a_retry_claims_a_key_its_first_claim_never_reached(backend: Backend) -> None:
    assert await backend.ledger.claim(nudge(), resume=True)  # absent: the first never wrote
    assert backend.ledger.status("k1") == "pending"


async def test_resuming_a_finished_key_fails(backend: Backend) -> None:
    await backend.ledger.record(nudge(status="sent"))
    assert not await backend.ledger.claim(nudge(), resume=True)
    assert backend.ledger.status("k1") == "sent"


async def test_the_last_tick_is_kept(backend: Backend) -> None:
    assert backend.ledger.last_tick is None
    await backend.ledger.tick(NOW)
    await backend.ledger.tick(NOW + timedelta(minutes=1))
    assert backend.ledger.last_tick == NOW + timedelta(minutes=1)
    assert (await backend.another()).last_tick == NOW + timedelta(minutes=1)


async def test_compaction_drops_old_settled_entries_only(backend: Backend) -> None:
    old = NOW - RETAIN - timedelta(minutes=1)
    await backend.ledger.record(replace(nudge("old", status="sent"), at=old))
    await backend.ledger.record(replace(nudge("stuck", status="pending"), at=old))
    await backend.ledger.record(nudge("new", status="sent"))
    assert await backend.ledger.compact(NOW) == 1
    assert backend.ledger.status("old") is None
    assert backend.ledger.status("stuck") == "pending"
    assert backend.ledger.status("new") == "sent"
    again = await backend.another()
    assert {k: again.status(k) for k in ("old", "stuck", "new")} == {
        "old": None,
        "stuck": "pending",
        "new": "sent",
    }


async def test_an_export_holds_the_leaders_deliveries_only_oldest_first(
    backend: Backend,
) -> None:
    await backend.ledger.record(replace(nudge("k2", status="sent"), at=NOW + timedelta(hours=1)))
    await backend.ledger.record(nudge("k1", status="skipped", reason="schedule paused"))
    await backend.ledger.record(nudge("k3", user=BOB, status="sent"))
    exported = await backend.ledger.export_of(ANN)
    assert exported == {
        "deliveries": [
            {
                "key": "k1",
                "status": "skipped",
                "at": NOW.isoformat(),
                "schedule": "s1",
                "local_date": DAY.isoformat(),
                "due_at": NOW.isoformat(),
                "reason": "schedule paused",
            },
            {
                "key": "k2",
                "status": "sent",
                "at": (NOW + timedelta(hours=1)).isoformat(),
                "schedule": "s1",
                "local_date": DAY.isoformat(),
                "due_at": NOW.isoformat(),
                "reason": None,
            },
        ]
    }
    assert await (await backend.another()).export_of(ANN) == exported
    assert await backend.ledger.export_of("slack:T1:nobody") == {"deliveries": []}


async def test_open_loads_what_was_recorded(backend: Backend) -> None:
    await backend.ledger.record(nudge("k1", status="sent"))
    await backend.ledger.record(nudge("k2", status="deferred"))
    assert await backend.ledger.claim(nudge("k3"))
    again = await backend.another()
    await again.open()  # again: as when an instance takes over the scheduler
    assert [again.status(k) for k in ("k1", "k2", "k3")] == ["sent", "deferred", "pending"]
    assert again.count("sent") == 1
    assert again.taken_on(ANN, "s1", DAY)


async def test_entries_come_out_and_go_back_as_they_are(backend: Backend) -> None:
    """`db import` and `db export`: every entry, owner and old key form included."""
    TODAYS = str(DeliveryKey(UserKey.parse(ANN), "nudge", "s1", NOW))
    entries = [
        nudge("k1", owner="a-dead-instance"),
        nudge("k2", BOB, "sent", owner="another"),
        nudge(TODAYS, status="deferred", written_as="s1@2026-11-27T09:00Z"),
        nudge("k4", status="failed", reason="not_in_channel"),
    ]
    await backend.ledger.put_entries(entries)
    await backend.ledger.put_entries(entries)  # twice leaves what once does
    by_key = {e.key: e for e in entries}
    assert {e.key: e for e in backend.ledger.entries()} == by_key
    later = await backend.another()
    await later.open()
    assert {e.key: e for e in later.entries()} == by_key
    assert [e.key for e in later.pending()] == ["k1"]
    assert later.taken_on(BOB, "s1", DAY)
