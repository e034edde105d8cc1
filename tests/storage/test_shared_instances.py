"""Two instances on one PostgreSQL database: two ScheduleStore (and CoachingStore) objects,
each with its own LISTEN connection, as two `peercoach serve` processes would have. What one
writes reaches the other's cache and observers within seconds; a notification missed while a
listener was down is caught by reconcile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.schedules.scheduler import NudgeScheduler
from bot.schedules.store import ScheduleStore
from bot.storage.postgres.pool import DatabaseUnavailableError, open_pool
from bot.storage.postgres.rows import CorruptRowError
from bot.storage.postgres.schedules import PostgresScheduleBackend
from bot.storage.postgres.url import DatabaseUrl
from tests.conftest import AT, FakeClock
from tests.schedules.world import open_world
from tests.storage.instances import Instance, eventually, instance, instances
from tests.storage.shared_backends import reminder, schedule


@pytest.fixture
async def two(database_url: str) -> AsyncIterator[tuple[Instance, Instance]]:
    async with instances(database_url) as (a, b):
        yield a, b


async def test_a_schedule_put_on_one_instance_reaches_the_other(
    two: tuple[Instance, Instance],
) -> None:
    a, b = two
    await a.schedules.put_schedules(schedule("s1"), schedule("s2"))
    await eventually(lambda: len(b.schedules.schedules()) == 2)
    assert b.schedules.schedule("s1") == schedule("s1")
    assert [s.id for s in b.schedules.schedules_of("slack:T1:U1")] == ["s1", "s2"]
    await eventually(lambda: len(b.heard.calls) == 2)  # one notification per row
    assert sorted(b.heard.calls) == [("changed", ["s1"]), ("changed", ["s2"])]

    await a.schedules.put_schedules(schedule("s1", paused=True))
    await eventually(lambda: b.schedules.schedule("s1") == schedule("s1", paused=True))
    assert b.heard.calls[-1] == ("changed", ["s1"])


async def test_a_removal_reaches_the_other_instance(two: tuple[Instance, Instance]) -> None:
    a, b = two
    await a.schedules.put_schedules(schedule("s1"), schedule("s2"))
    await eventually(lambda: len(b.schedules.schedules()) == 2)
    await b.schedules.remove_schedules("s1")
    await eventually(lambda: a.schedules.schedule("s1") is None)
    assert a.heard.calls[-1] == ("removed", ["s1"])
    await a.schedules.forget_user("slack:T1:U1")
    await eventually(lambda: b.schedules.schedules() == [])
    assert b.heard.calls[-1] == ("removed", ["s2"])
    assert b.schedules.schedules_of("slack:T1:U1") == []


async def test_a_reminder_reaches_the_other_instance(two: tuple[Instance, Instance]) -> None:
    a, b = two
    await a.schedules.put_reminder(reminder("r1"))
    await eventually(lambda: b.schedules.reminder("r1") == reminder("r1"))
    assert b.heard.calls == [("reminder", "r1")]
    await a.schedules.remove_reminder("r1")
    await eventually(lambda: b.schedules.reminder("r1") is None)
    assert b.heard.calls == [("reminder", "r1"), ("reminder_removed", "r1")]


async def test_an_instance_applies_its_own_write_once(two: tuple[Instance, Instance]) -> None:
    a, b = two
    await a.schedules.put_schedules(schedule("s1"))
    await a.schedules.put_reminder(reminder("r1"))
    await eventually(lambda: len(b.heard.calls) == 2)
    await a.schedules.reconcile()  # also: a reconcile finds nothing to tell
    await asyncio.sleep(0.2)  # a's own notifications came back by now (b's did)
    assert a.heard.calls == [("changed", ["s1"]), ("reminder", "r1")]


async def test_a_coaching_link_made_on_one_instance_is_seen_on_the_other(
    two: tuple[Instance, Instance],
) -> None:
    a, b = two
    await a.coaching.grant("slack:T1:UC", "console:admin", AT)
    link = await a.coaching.new_link("slack:T1:UC", "slack:T1:UL", AT)
    await eventually(lambda: b.coaching.link("slack:T1:UC", "slack:T1:UL") == link)
    assert b.coaching.is_coach("slack:T1:UC")
    accepted = await b.coaching.set_status(link, "accepted", AT)
    await eventually(lambda: a.coaching.links_of_leader("slack:T1:UL") == [accepted])
    a.coaching.remember_name("slack:T1:UL", "Lee Leader")
    await a.coaching.flush()
    await eventually(lambda: b.coaching.name_of("slack:T1:UL") == "Lee Leader")
    await b.coaching.forget("slack:T1:UL")
    await eventually(lambda: a.coaching.name_of("slack:T1:UL") == "UL")  # the last one heard
    assert a.coaching.link_by_id(link.id) is None


async def test_reconcile_catches_a_change_made_while_the_listener_was_down(
    two: tuple[Instance, Instance],
) -> None:
    a, b = two
    await a.schedules.put_schedules(schedule("old"))
    await eventually(lambda: b.schedules.schedule("old") is not None)
    await b.schedules.stop_listening()  # b's LISTEN connection closed: b hears nothing now
    await a.schedules.put_schedules(schedule("new"))
    await a.schedules.remove_schedules("old")
    await a.schedules.put_reminder(reminder("r1"))
    await asyncio.sleep(0.3)
    assert b.schedules.schedule("new") is None  # missed
    assert b.schedules.schedule("old") is not None
    await b.schedules.reconcile()
    assert b.schedules.schedule("new") == schedule("new")
    assert b.schedules.schedule("old") is None
    assert b.heard.calls[-3:] == [
        ("changed", ["new"]),
        ("removed", ["old"]),
        ("reminder", "r1"),
    ]


async def test_a_dropped_listen_connection_comes_back_and_catches_up(
    two: tuple[Instance, Instance],
) -> None:
    a, b = two
    listener = b.schedule_backend.listener
    assert listener.connection is not None
    listener.connection.terminate()  # as a network cut would
    await a.schedules.put_schedules(schedule("while-away"))  # its notification is lost to b
    await eventually(lambda: b.schedules.schedule("while-away") is not None, within=5.0)
    assert listener.connections == 2
    await a.schedules.put_schedules(schedule("after"))  # and b hears by notification again
    await eventually(lambda: b.schedules.schedule("after") is not None)


async def test_the_periodic_reconcile_catches_what_no_notification_said(
    database_url: str,
) -> None:
    url = DatabaseUrl.parse(database_url)
    pool = await open_pool(url, max_size=2)
    b = await instance(pool, url, reconcile_every=0.3)
    try:
        # A write that sends no notification: say, a restore, or an older release.
        await pool.execute(
            "INSERT INTO reminders (id, leader, body) VALUES ($1, $2, $3)",
            "quiet",
            "slack:T1:U1",
            {**reminder("quiet").__dict__, "due_at": AT.isoformat(), "themes": ["influence"]},
        )
        await eventually(lambda: b.schedules.reminder("quiet") is not None)
        assert b.heard.calls == [("reminder", "quiet")]
    finally:
        await b.schedules.stop_listening()
        await b.coaching.stop_listening()
        await pool.close()


async def test_the_scheduler_on_one_instance_follows_schedules_made_on_the_other(
    two: tuple[Instance, Instance], tmp_path: Path, clock: FakeClock
) -> None:
    a, b = two
    world = await open_world(tmp_path, clock)  # its ledger and services; b's schedules
    scheduler = NudgeScheduler(
        b.schedules, world.app.ledger, world.app.deliveries, clock, name="b"
    )
    try:
        await scheduler.start(timers=False)
        await a.schedules.put_schedules(schedule("s1"))
        await a.schedules.put_reminder(reminder("r1", due_at=AT + timedelta(hours=1)))
        await eventually(lambda: scheduler.aps.get_job("nudge:s1") is not None)
        await eventually(lambda: scheduler.aps.get_job("reminder:r1") is not None)
        await a.schedules.put_schedules(schedule("s1", paused=True))
        await eventually(lambda: scheduler.aps.get_job("nudge:s1") is None)  # paused: no job
        await a.schedules.remove_reminder("r1")
        await eventually(lambda: scheduler.aps.get_job("reminder:r1") is None)
    finally:
        await scheduler.stop()
        await world.close()


async def test_a_row_that_no_longer_fits_is_refused_and_the_listener_goes_on(
    two: tuple[Instance, Instance], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = two
    pool = a.schedule_backend.rows.pool
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "INSERT INTO schedules (id, leader, body) VALUES ('bad', 'slack:T1:U1', $1)",
            {"id": "bad", "user": "slack:T1:U1", "note": "private words"},
        )
        await connection.execute("SELECT pg_notify('peercoach_changes', 'schedules:bad')")
    await a.schedules.put_schedules(schedule("good"))  # heard after the bad one
    await eventually(lambda: b.schedules.schedule("good") is not None)
    assert b.schedules.schedule("bad") is None
    assert "changes.read_failed" in caplog.text
    with pytest.raises(CorruptRowError, match="a row of table schedules cannot be read") as raised:
        await ScheduleStore(PostgresScheduleBackend(pool, a.schedule_backend.rows.url)).load()
    assert "private words" not in str(raised.value)
    assert "private words" not in caplog.text


async def test_forgetting_a_leader_is_one_transaction(two: tuple[Instance, Instance]) -> None:
    a, b = two
    await a.schedules.put_schedules(schedule("s1"))
    await a.schedules.put_reminder(reminder("r1"))
    await eventually(lambda: b.schedules.reminder("r1") is not None)
    pool = a.schedule_backend.rows.pool
    await pool.execute(  # the second delete of the transaction fails
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'refused'; END $$;"
        " CREATE TRIGGER refuse BEFORE DELETE ON reminders FOR EACH ROW EXECUTE FUNCTION refuse()"
    )
    with pytest.raises(asyncpg.RaiseError):
        await a.schedules.forget_user("slack:T1:U1")
    assert await pool.fetchval("SELECT count(*) FROM schedules") == 1  # rolled back
    assert a.schedules.schedule("s1") == schedule("s1")  # and the cache kept it
    await asyncio.sleep(0.2)
    assert b.schedules.schedule("s1") == schedule("s1")  # nothing was notified


async def test_a_read_only_database_refuses_writes_as_unavailable(database_url: str) -> None:
    """As after a failover to a standby that DNS still points at: the leader is told "I can't
    save right now", and nothing changes in memory."""
    url = DatabaseUrl.parse(database_url)
    pool = await open_pool(url, max_size=2)
    try:
        store = ScheduleStore(PostgresScheduleBackend(pool, url))
        await store.load()
        await pool.execute(f"ALTER DATABASE {url.database} SET default_transaction_read_only = on")
        await pool.expire_connections()
        with pytest.raises(DatabaseUnavailableError, match="the server said 25006"):
            await store.put_schedules(schedule("s1"))
        assert store.schedules() == []
    finally:
        await pool.close()
