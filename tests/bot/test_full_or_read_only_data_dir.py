"""A data directory that is full, or read-only, while peercoach serves Slack: the leader who
writes is told, politely and without internals, that it did not work; what was stored stays
as it was; a nudge that falls due is not lost; and all is well again once the disk is.

Real faults (see disk_faults.py), the real bolt app against the fake Slack Web API.
"""

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.schedules.keys import DeliveryKey
from bot.schedules.model import NudgeSchedule
from bot.services.conversations import SORRY
from dialogs.recurrence import parse_days, parse_hhmm
from tests.bot.disk_faults import DiskFault, full_disk, read_only_disk
from tests.channels.slack.world import SlackWorld, slack_world, texts
from tests.conftest import FakeClock

ANN = "U0ANN"
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
FAULTS = {"full": full_disk, "read-only": read_only_disk}


@pytest.fixture(params=sorted(FAULTS))
def fault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DiskFault]:
    make: type[AbstractContextManager[DiskFault]] = FAULTS[request.param]
    with make(tmp_path) as made:
        yield made


@pytest.fixture
async def world(fault: DiskFault) -> AsyncIterator[SlackWorld]:
    async with slack_world(fault.data_dir, FakeClock(START)) as w:
        yield w


def nudges(world: SlackWorld) -> list[str]:
    """The delivery key of every nudge Slack received."""
    return [
        call.params["metadata"]["event_payload"]["delivery"]
        for call in world.fake.calls_to("chat.postMessage")
        if call.params.get("metadata")
    ]


def stored_bytes(data_dir: Path) -> dict[str, bytes]:
    """Every stored file but the delivery ledger, which may gain a pending line."""
    return {
        str(path.relative_to(data_dir)): path.read_bytes()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and path.name not in ("filler", "deliveries.log")
    }


async def ann_is_set_up(world: SlackWorld) -> NudgeSchedule:
    await world.dm(ANN, "hello")
    await world.click(ANN, "Skip for now")
    schedule = NudgeSchedule(
        id="s1",
        user=str(world.key(ANN)),
        themes=("influence",),
        days=parse_days("daily"),
        at=parse_hhmm("09:30"),
        timezone="UTC",
        created_by=str(world.key(ANN)),
        created_at=START,
    )
    await world.app.schedules.put_schedules(schedule)
    return schedule


async def test_the_leader_is_told_nothing_is_lost_and_all_recovers(
    world: SlackWorld, fault: DiskFault
) -> None:
    await ann_is_set_up(world)
    state = await world.app.users.load(world.key(ANN))
    files = stored_bytes(fault.data_dir)
    scheduler = world.app.scheduler
    assert scheduler is not None

    fault.start()
    try:
        said = await world.dm(ANN, "start energy")
        assert texts(said) == SORRY
        assert "Error" not in json.dumps(said)
        world.clock.at = DUE
        await scheduler.run_until(DUE)  # the nudge falls due while nothing can be written
        assert nudges(world) == []
        assert await world.app.users.load(world.key(ANN)) == state
    finally:
        fault.stop()
    assert stored_bytes(fault.data_dir) == files  # nothing half-written, nothing left behind

    said = await world.dm(ANN, "start energy")
    assert SORRY not in texts(said)
    world.clock.at = DUE + timedelta(minutes=1)
    await scheduler.beat()  # the next heartbeat, once the disk is back
    assert nudges(world) == [str(DeliveryKey(world.key(ANN), "nudge", "s1", DUE))]
    await scheduler.beat()
    assert nudges(world) == [str(DeliveryKey(world.key(ANN), "nudge", "s1", DUE))]  # once
    assert (await world.http.get("/healthz")).status == 200
