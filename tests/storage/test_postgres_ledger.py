"""The PostgreSQL ledger beyond the contract: instances racing for one delivery, and a
database that goes away mid-delivery (on a server of this module's own, so no other test
sees it down)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.domain import Reply, UserKey
from bot.errors import StorageError
from bot.schedules.keys import DeliveryKey
from bot.schedules.ledger import Entry
from bot.storage.postgres.ledger import PostgresDeliveryLedger
from bot.storage.postgres.pool import DatabaseUnavailableError, open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import App, build_app
from tests.conftest import CONTENT_DIR, FakeClock
from tests.postgres_server import PostgresServer
from tests.schedules.world import RecordingNotifier, World
from tests.storage.own_server import own_server, start_again

__all__ = ["own_server"]  # a fixture

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ANN = "console:ann"


def pending(key: str) -> Entry:
    return Entry(key, "pending", NOW, ANN, "s1", date(2026, 11, 27), NOW)


async def _ledger(url: DatabaseUrl, size: int = 10) -> tuple[PostgresDeliveryLedger, Any]:
    pool = await open_pool(url, max_size=size)
    ledger = PostgresDeliveryLedger(pool, url)
    await ledger.open()
    return ledger, pool


async def test_two_instances_racing_for_the_same_keys_win_each_once(database_url: str) -> None:
    url = DatabaseUrl.parse(database_url)
    (first, pool1), (second, pool2) = await _ledger(url), await _ledger(url)
    keys = [f"nudge:{i:016x}:s1@2026-11-27T09:00Z" for i in range(100)]
    try:
        claims = [ledger.claim(pending(k)) for k in keys for ledger in (first, second)]
        won = await asyncio.gather(*claims)  # 200 claims, concurrently, on two pools
        per_key = [won[2 * i] + won[2 * i + 1] for i in range(len(keys))]
        assert per_key == [1] * len(keys)
        async with pool1.acquire() as connection:
            owners = dict(await connection.fetch("SELECT key, owner FROM deliveries"))
        for i, key in enumerate(keys):
            assert owners[key] == (first if won[2 * i] else second).owner
            loser = second if won[2 * i] else first
            assert loser.status(key) == "pending"  # a lost claim says who has it
    finally:
        await pool1.close()
        await pool2.close()


async def test_an_export_from_another_instance_sees_every_delivery(database_url: str) -> None:
    url = DatabaseUrl.parse(database_url)
    (active, pool1), (standby, pool2) = await _ledger(url), await _ledger(url)
    try:
        assert await active.claim(pending("k1"))
        await active.record(Entry("k1", "sent", NOW + timedelta(seconds=1)))
        assert standby.status("k1") is None  # its memory index is not kept current...
        exported = await standby.export_of(ANN)  # ...but an export asks the table
        assert [(d["key"], d["status"]) for d in exported["deliveries"]] == [("k1", "sent")]
    finally:
        await pool1.close()
        await pool2.close()


# ---------------------------------------------------------------- the database goes away


@pytest.fixture
async def own_url(own_server: PostgresServer) -> AsyncIterator[DatabaseUrl]:
    yield DatabaseUrl.parse(await own_server.fresh_database())
    start_again(own_server)  # up for the next test, whatever this one did


async def test_claim_record_and_tick_say_the_database_is_away_then_work_again(
    own_server: PostgresServer, own_url: DatabaseUrl
) -> None:
    ledger, pool = await _ledger(own_url, size=2)
    try:
        own_server.stop()
        for attempt in (
            ledger.claim(pending("k1")),
            ledger.record(Entry("k2", "sent", NOW)),
            ledger.tick(NOW),
            ledger.export_of(ANN),
        ):
            with pytest.raises(DatabaseUnavailableError) as raised:
                await attempt
            assert isinstance(raised.value, StorageError)
            assert own_server.password not in str(raised.value)
        start_again(own_server)
        assert await ledger.claim(pending("k1"))
        await ledger.record(Entry("k2", "sent", NOW))
        async with pool.acquire() as connection:
            assert await connection.fetchval("SELECT count(*) FROM deliveries") == 2
    finally:
        await pool.close()


class StoppingNotifier(RecordingNotifier):
    """Sends, then (once) stops the database before the send can be recorded."""

    server: PostgresServer | None = None

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        await super().deliver(key, reply, delivery)
        if self.server is not None:
            self.server.stop()
            self.server = None


async def pg_world(
    data_dir: Path, clock: FakeClock, url: DatabaseUrl, notifier: RecordingNotifier
) -> tuple[World, Any]:
    """The app `build_app` makes, with the PostgreSQL ledger wired in as the lead will."""
    app: App = build_app(Settings(data_dir=data_dir, content_dir=CONTENT_DIR), clock)
    pool = await open_pool(url, max_size=4)
    ledger = PostgresDeliveryLedger(pool, url)
    app.conversations.exporters[app.conversations.exporters.index(app.ledger)] = ledger
    app.ledger = app.deliveries.ledger = ledger
    app.notifiers["console"] = notifier
    await app.open()
    scheduler = await app.start_scheduler(timers=False)
    return World(app, clock, notifier, scheduler), pool


async def test_a_nudge_held_up_by_the_database_goes_once_when_it_returns(
    tmp_path: Path, own_server: PostgresServer, own_url: DatabaseUrl
) -> None:
    clock = FakeClock(NOW - timedelta(minutes=1))
    notifier = RecordingNotifier(clock)
    world, pool = await pg_world(tmp_path / "data", clock, own_url, notifier)
    try:
        await world.say(ANN, "hello")
        schedule = await world.add(ANN, "daily", "09:00", "UTC")
        own_server.stop()
        clock.at = NOW
        assert await world.app.deliveries.nudge(schedule, NOW) == "pending"
        assert notifier.sent == []
        assert list(world.app.deliveries.stalled) == [str(DeliveryKey.for_nudge(schedule, NOW))]
        start_again(own_server)
        clock.advance(minutes=1)
        await world.scheduler.beat()  # the heartbeat retries what was held up
        assert [s.delivery for s in notifier.sent] == [str(DeliveryKey.for_nudge(schedule, NOW))]
        assert await world.app.deliveries.nudge(schedule, NOW) == "sent"
        await world.scheduler.beat()
        assert len(notifier.sent) == 1
    finally:
        await world.close()
        await pool.close()


async def test_a_send_the_database_could_not_record_is_never_sent_again(
    tmp_path: Path, own_server: PostgresServer, own_url: DatabaseUrl
) -> None:
    clock = FakeClock(NOW - timedelta(minutes=1))
    notifier = StoppingNotifier(clock)
    world, pool = await pg_world(tmp_path / "data", clock, own_url, notifier)
    try:
        await world.say(ANN, "hello")
        schedule = await world.add(ANN, "daily", "09:00", "UTC")
        key = str(DeliveryKey.for_nudge(schedule, NOW))
        clock.at = NOW
        notifier.server = own_server  # gone between the send and its record
        assert await world.app.deliveries.nudge(schedule, NOW) == "sent"
        start_again(own_server)
        async with pool.acquire() as connection:
            row = await connection.fetchrow("SELECT status FROM deliveries WHERE key = $1", key)
        assert row is not None
        assert row["status"] == "pending"  # claimed, the send never recorded
        assert await world.app.deliveries.nudge(schedule, NOW) == "sent"  # this instance knows
        await world.scheduler.beat()  # and the heartbeat writes what the database missed
        async with pool.acquire() as connection:
            status = await connection.fetchval("SELECT status FROM deliveries WHERE key = $1", key)
        assert status == "sent"
        async with pool.acquire() as connection:  # as if it had stayed pending: a new leader
            await connection.execute(
                "UPDATE deliveries SET status = 'pending' WHERE key = $1", key
            )
    finally:
        await world.close()
        await pool.close()
    # The instance that takes over finds it pending, asks the channel, and does not resend.
    taken_over, pool = await pg_world(tmp_path / "data", clock, own_url, notifier)
    try:
        if taken_over.scheduler.recovery is not None:
            await taken_over.scheduler.recovery
        assert taken_over.app.ledger.status(key) == "sent"
        assert [s.delivery for s in notifier.sent] == [key]
    finally:
        await taken_over.close()
        await pool.close()


async def test_a_pool_survives_a_restart_between_claims(
    own_server: PostgresServer, own_url: DatabaseUrl
) -> None:
    ledger, pool = await _ledger(own_url, size=2)
    try:
        assert await ledger.claim(pending("k1"))
        own_server.stop()
        start_again(own_server)
        for attempt in range(20):  # the pool's old connections fail once, then reconnect
            try:
                assert await ledger.claim(pending("k2"))
                break
            except DatabaseUnavailableError:
                assert attempt < 19
                await asyncio.sleep(0.1)
        assert not await ledger.claim(pending("k2"))  # pending already: never sent twice
        assert await ledger.claim(pending("k2"), resume=True)  # its own: a retry may
    finally:
        await pool.close()


async def test_two_schedulers_that_both_believe_they_lead_send_each_nudge_once(
    tmp_path: Path, database_url: str
) -> None:
    url = DatabaseUrl.parse(database_url)
    clock = FakeClock(NOW - timedelta(minutes=1))
    notifier = RecordingNotifier(clock)
    leaders = [f"console:leader{i}" for i in range(20)]
    worlds = []
    try:
        for name in ("a", "b"):
            world, pool = await pg_world(tmp_path / name, clock, url, notifier)
            worlds.append((world, pool))
            for leader in leaders:
                await world.say(leader, "hello")
        schedules = []
        for i, leader in enumerate(leaders):
            schedule = await worlds[0][0].add(leader, "daily", "09:00", "UTC")
            schedule = replace(schedule, id=f"s{i:02d}")
            schedules.append(schedule)
            for world, _ in worlds:
                await world.app.schedules.put_schedules(schedule)
        clock.at = NOW
        both = [w.app.deliveries.nudge(s, NOW) for s in schedules for w, _ in worlds]
        statuses = await asyncio.gather(*both)
        keys = [s.delivery for s in notifier.sent]
        assert sorted(keys) == sorted(str(DeliveryKey.for_nudge(s, NOW)) for s in schedules)
        assert set(statuses) <= {"sent", "pending"}  # a loser says what the winner had done
        taken = sum(w.app.deliveries.stats.taken for w, _ in worlds)
        assert taken == len(schedules)
    finally:
        for world, pool in worlds:
            await world.close()
            await pool.close()


class RestartingNotifier(RecordingNotifier):
    """Restarts the database (in a thread: the fan-out goes on) after its 30th send."""

    server: PostgresServer | None = None
    restarting: asyncio.Future[None] | None = None

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        await super().deliver(key, reply, delivery)
        if len(self.sent) == 30 and self.server is not None:
            self.restarting = asyncio.ensure_future(asyncio.to_thread(self.server.restart))


async def test_a_database_restart_during_a_fan_out_loses_and_doubles_nothing(
    tmp_path: Path, own_server: PostgresServer, own_url: DatabaseUrl
) -> None:
    clock = FakeClock(NOW - timedelta(minutes=1))
    notifier = RestartingNotifier(clock, pause=0.002)
    world, pool = await pg_world(tmp_path / "data", clock, own_url, notifier)
    try:
        schedules = []
        for i in range(150):
            leader = f"console:leader{i}"
            await world.say(leader, "hello")
            schedules.append(await world.add(leader, "daily", "09:00", "UTC"))
        clock.at = NOW
        notifier.server = own_server
        await asyncio.gather(*(world.app.deliveries.nudge(s, NOW) for s in schedules))
        assert notifier.restarting is not None
        await notifier.restarting
        assert world.app.deliveries.stats.stalled > 0  # the restart held some up
        for _ in range(10):  # the heartbeat, once a minute, until nothing is held up
            if not world.app.deliveries.stalled:
                break
            clock.advance(minutes=1)
            with contextlib.suppress(StorageError):
                await world.scheduler.beat()
        assert not world.app.deliveries.stalled
        keys = sorted(s.delivery for s in notifier.sent)
        assert keys == sorted(str(DeliveryKey.for_nudge(s, NOW)) for s in schedules)
    finally:
        await world.close()
        await pool.close()
