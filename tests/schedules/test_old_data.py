"""A data folder written by release 3210bb6, before delivery keys named their leader
(tests/fixtures/release_3210bb6): today's code reads it. Old reminders fire once for the
right leader, and a delivery the old ledger records is not made again under today's key."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import UserKey
from bot.schedules.keys import DeliveryKey, is_current
from bot.schedules.model import Reminder
from tests.conftest import FakeClock
from tests.schedules.world import RecordingNotifier, Sent, World, open_world

OLD = Path(__file__).parents[1] / "fixtures" / "release_3210bb6" / "data"
WRITTEN_UNTIL = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
ALICE, BOB, DAVE, FRANK = (f"console:{n}" for n in ("alice", "bob", "dave", "frank"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
async def world(tmp_path: Path) -> World:
    shutil.copytree(OLD, tmp_path / "data")
    clock = FakeClock(WRITTEN_UNTIL)
    notifier = RecordingNotifier(clock)
    # dave's nudge was left pending by an error mid-send; it did arrive, under its old key.
    notifier.sent.append(Sent(DAVE, "jzfzja@2026-12-02T08:00Z", utc("2026-12-02T08:00"), "-"))
    # A grace of two hours keeps dave's 08:00 nudge worth asking about at 09:30: past grace,
    # recovery would settle it unasked (bot/services/recovery.py).
    opened = await open_world(tmp_path / "data", clock, notifier, grace_minutes=120)
    yield opened  # type: ignore[misc]
    await opened.close()


def sent_to(world: World, user: str, kind: str) -> list[str]:
    return [s.delivery for s in world.notifier.sent[1:] if s.user == user and kind in s.delivery]


async def test_old_ledger_lines_are_read_in_todays_form(world: World) -> None:
    ledger = world.app.ledger
    assert all(is_current(e.key) for e in ledger._entries.values())
    nudge = DeliveryKey(UserKey.parse(ALICE), "nudge", "b3kgjm", utc("2026-12-02T08:15"))
    assert ledger.status(str(nudge)) == "sent"
    # dave's pending line was asked about under the key it was sent with, and settled.
    dave = DeliveryKey(UserKey.parse(DAVE), "nudge", "jzfzja", utc("2026-12-02T08:00"))
    assert ledger.status(str(dave)) == "sent"
    assert world.notifier.sent[1:] == []  # the start's catch-up sent nothing already sent


async def test_a_delivery_sent_under_an_old_key_is_not_sent_again_under_the_new(
    world: World,
) -> None:
    schedule = world.app.schedules.schedule("b3kgjm")
    assert schedule is not None
    assert await world.app.deliveries.nudge(schedule, utc("2026-12-02T08:15")) == "sent"
    again = (
        Reminder("again-1", FRANK, "follow_up", utc("2026-12-01T08:15"), "c10"),
        Reminder("again-2", ALICE, "snooze", utc("2026-12-02T09:20"), "b3kgjm@2026-12-02T08:15Z"),
    )
    for reminder in again:  # as if a crash had left them in the schedules file
        await world.app.schedules.put_reminder(reminder)
        assert await world.app.deliveries.reminder(reminder) == "sent"
    assert world.notifier.sent[1:] == []


async def test_old_reminders_fire_once_each_for_the_right_leader(world: World) -> None:
    await world.run_until(utc("2026-12-02T10:05"))  # bob's quiet hours end at 10:00
    assert [s.at for s in world.notifier.sent[1:] if s.user == BOB] == [utc("2026-12-02T10:00")]
    bob = DeliveryKey(UserKey.parse(BOB), "nudge", "peprfh", utc("2026-12-02T08:15"))
    assert sent_to(world, BOB, "nudge:") == [str(bob)]  # the held one, under today's key
    await world.run_until(utc("2026-12-03T09:00"))  # alice's snooze until tomorrow 08:15
    (snooze,) = sent_to(world, ALICE, "snooze:")
    assert snooze.endswith(":b3kgjm@2026-12-02T08:15Z@2026-12-03T08:15Z")
    state = await world.app.users.load(UserKey.parse(ALICE))
    assert state is not None
    assert state.awaiting is not None  # the snoozed nudge is offered again, answerable
    await world.run_until(utc("2026-12-09T09:00"))
    # alice and bob share commitment c10 and its due minute: the old release asked one.
    for user in (ALICE, BOB):
        (check_in,) = sent_to(world, user, "follow_up:")
        assert check_in == str(
            DeliveryKey(UserKey.parse(user), "follow_up", "c10", utc("2026-12-08T08:15"))
        )
    assert sent_to(world, FRANK, "follow_up:") == []  # his went on 1 Dec
    assert not [r for r in world.app.schedules.reminders() if r.due_at <= world.clock.now()]


async def test_the_old_folder_after_a_restart_and_a_compaction_still_sends_nothing_twice(
    world: World, tmp_path: Path
) -> None:
    await world.run_until(utc("2026-12-02T10:05"))
    await world.app.ledger.compact(world.clock.now())
    await world.close()
    world.clock.at = utc("2026-12-02T10:10")
    back = await open_world(tmp_path / "data", world.clock, world.notifier)
    await back.run_until(utc("2026-12-02T12:00"))
    bob = [s for s in back.notifier.sent if s.user == BOB]
    assert len(bob) == 1
    await back.close()
