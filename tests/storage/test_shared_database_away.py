"""Schedules and coaching on a database that goes away and comes back. A PostgreSQL server of
this module's own, so that no other test sees it down: writes raise DatabaseUnavailableError
with nothing half-applied to the caches, and after a restart the stores write again and the
listeners reconnect and reconcile by themselves."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.storage.postgres.pool import DatabaseUnavailableError
from tests.conftest import AT
from tests.postgres_server import PostgresServer
from tests.storage.instances import Instance, eventually, instances
from tests.storage.own_server import own_server, start_again
from tests.storage.shared_backends import reminder, schedule

__all__ = ["own_server"]  # a fixture

LEADER = "slack:T1:U1"


@pytest.fixture
async def two(own_server: PostgresServer) -> AsyncIterator[tuple[Instance, Instance]]:
    async with instances(await own_server.fresh_database(), retry_every=0.2) as (a, b):
        yield a, b


def snapshot(each: Instance) -> tuple[Any, ...]:
    store, coaching = each.schedules, each.coaching
    return (
        sorted(store.schedules(), key=lambda s: s.id),
        sorted(store.reminders(), key=lambda r: r.id),
        coaching.coaches(),
        coaching.links_with_leader(LEADER),
        coaching.name_of(LEADER),
    )


async def test_after_a_database_restart_writes_work_and_listeners_catch_up(
    own_server: PostgresServer, two: tuple[Instance, Instance]
) -> None:
    a, b = two
    await a.schedules.put_schedules(schedule("before"))
    await eventually(lambda: b.schedules.schedule("before") is not None)
    await asyncio.to_thread(own_server.restart)
    await a.schedules.put_schedules(schedule("after"))  # the pool's dead connection: retried
    await a.coaching.grant("slack:T1:UC", "console:admin", AT)
    await eventually(lambda: b.schedules.schedule("after") is not None, within=5.0)
    await eventually(lambda: b.coaching.is_coach("slack:T1:UC"), within=5.0)
    assert ("changed", ["after"]) in b.heard.calls
    assert b.schedule_backend.listener.connections >= 2  # it reconnected by itself
    await a.schedules.remove_schedules("before")  # and hears by notification again
    await eventually(lambda: b.schedules.schedule("before") is None)


async def test_writes_while_the_database_is_down_fail_whole_and_leave_the_cache(
    own_server: PostgresServer, two: tuple[Instance, Instance], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    a, b = two
    await a.schedules.put_schedules(schedule("kept"))
    await a.schedules.put_reminder(reminder("r1"))
    link = await a.coaching.new_link("slack:T1:UC", LEADER, AT)
    await eventually(lambda: b.coaching.link_by_id(link.id) is not None)
    before, heard = snapshot(a), list(a.heard.calls)

    own_server.stop()
    try:
        a.coaching.remember_name(LEADER, "Lee Leader")
        writes = [
            a.schedules.put_schedules(schedule("new")),
            a.schedules.put_schedules(schedule("kept", paused=True)),
            a.schedules.remove_schedules("kept"),
            a.schedules.put_reminder(reminder("r2")),
            a.schedules.remove_reminder("r1"),
            a.schedules.forget_user(LEADER),
            a.coaching.grant("slack:T1:UC", "console:admin", AT),
            a.coaching.set_status(link, "accepted", AT),
            a.coaching.new_link("slack:T1:UC", "slack:T1:UX", AT),
            a.coaching.flush(),
            a.coaching.forget(LEADER),
        ]
        for write in writes:
            with pytest.raises(DatabaseUnavailableError) as raised:
                await write
            assert own_server.password not in str(raised.value)
            assert "PEERCOACH_DATABASE_URL" in str(raised.value)
        assert snapshot(a) == (*before[:-1], "Lee Leader")  # the name waits for a flush
        assert a.heard.calls == heard  # nothing told: nothing changed
        assert a.schedules.schedules_of(LEADER) == [schedule("kept")]  # reads go on
    finally:
        start_again(own_server)

    await a.coaching.flush()  # the name learnt while away is written now
    await a.schedules.put_schedules(schedule("back"))
    await eventually(lambda: b.schedules.schedule("back") is not None, within=5.0)
    await eventually(lambda: b.coaching.name_of(LEADER) == "Lee Leader", within=5.0)
    assert sorted(s.id for s in b.schedules.schedules()) == ["back", "kept"]
    assert own_server.password not in caplog.text
