"""Recovering deliveries a crash left pending, against a fake Slack Web API that enforces
conversations.history's limit for a distributed app (1 call a minute, 15 messages a call),
on virtual time: the pacer's sleep moves the clock the fake judges "too soon" by."""

import asyncio
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.slack.history import Pacer
from bot.channels.slack.notifier import SlackNotifier
from bot.domain import Reply
from bot.schedules.keys import DeliveryKey
from bot.schedules.ledger import Entry
from bot.schedules.model import NudgeSchedule, Reminder
from bot.schedules.scheduler import NudgeScheduler
from bot.services.recovery import Recovery, RecoveryStats
from dialogs.model import Say
from dialogs.recurrence import parse_days, parse_hhmm
from tests.channels.slack.world import SlackWorld, slack_world, texts
from tests.conftest import FakeClock

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
GRACE = timedelta(minutes=60)
HISTORY = "conversations.history"


class VirtualTime:
    """The app's clock as seconds for the pacer and the fake; sleeping moves it on."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.slept = 0.0

    def seconds(self) -> float:
        return self.clock.at.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.clock.at += timedelta(microseconds=math.ceil(seconds * 1_000_000))
        await asyncio.sleep(0)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, FakeClock(AT)) as opened:
        yield opened


@pytest.fixture
def time(world: SlackWorld) -> VirtualTime:
    """Distributed-app limits on both sides, on virtual time."""
    virtual = VirtualTime(world.clock)
    notifier = slack_notifier(world)
    notifier.history = Pacer(1, clock=virtual.seconds, sleep=virtual.sleep)
    notifier.history_messages = 15
    world.fake.rate_limit(HISTORY, 1, 60, clock=virtual.seconds)
    world.fake.history_cap = 15
    world.fake.ts_clock = virtual.seconds
    return virtual


def slack_notifier(world: SlackWorld) -> SlackNotifier:
    notifier = world.app.deliveries.notifiers["slack"]
    assert isinstance(notifier, SlackNotifier)
    return notifier


async def leader(world: SlackWorld, user: str) -> None:
    await world.dm(user, "hello")
    await world.click(user, "Skip for now")


def schedule_of(world: SlackWorld, user: str, due: datetime) -> NudgeSchedule:
    return NudgeSchedule(
        id=f"s-{user}",
        user=str(world.key(user)),
        themes=("influence",),
        days=parse_days("daily"),
        at=parse_hhmm(f"{due:%H:%M}"),
        timezone="UTC",
        created_by=str(world.key(user)),
        created_at=AT - timedelta(days=1),
    )


async def nudge(world: SlackWorld, user: str, due: datetime) -> str:
    """A daily schedule for the leader, due at `due`, and its nudge sent; the key."""
    schedule = schedule_of(world, user, due)
    await world.app.schedules.put_schedules(schedule)
    world.clock.at = due
    assert await world.app.deliveries.nudge(schedule, due) == "sent"
    return str(DeliveryKey.for_nudge(schedule, due))


async def left_pending(world: SlackWorld, user: str, due: datetime, *, arrived: bool) -> str:
    """A nudge recorded as pending at `due`, then posted (`arrived`) or not, and the process
    killed before it could record "sent"."""
    schedule = schedule_of(world, user, due)
    await world.app.schedules.put_schedules(schedule)
    key = str(DeliveryKey.for_nudge(schedule, due))
    world.clock.at = due
    entry = Entry(key, "pending", due, schedule.user, schedule.id, due.date(), due)
    await world.app.ledger.record(entry)
    if arrived:
        await slack_notifier(world).deliver(world.key(user), Reply((Say("A nudge"),)), key)
    return key


async def recover(world: SlackWorld, at: datetime) -> RecoveryStats:
    world.clock.at = at
    deliveries = world.app.deliveries
    recovery = Recovery(deliveries, deliveries.notifiers, world.clock, GRACE)
    return await recovery.run(world.app.ledger.pending())


def reasons(world: SlackWorld, keys: list[str]) -> list[str | None]:
    return [e.reason if (e := world.app.ledger.entry(k)) else None for k in keys]


async def test_recovery_keeps_to_the_limit_and_resends_only_what_never_arrived(
    world: SlackWorld, time: VirtualTime
) -> None:
    users = [f"U0L{i}" for i in range(5)]
    keys = []
    for i, user in enumerate(users):
        await leader(world, user)
        due = AT + timedelta(minutes=i)
        keys.append(await left_pending(world, user, due, arrived=i % 2 == 0))
    posted = len(world.fake.calls_to("chat.postMessage"))
    started = AT + timedelta(minutes=10)
    stats = await recover(world, started)
    assert len(world.fake.calls_to(HISTORY)) == 5  # one per leader
    assert world.fake.rate_limited == []  # never too soon: no 429
    assert world.clock.at - started >= timedelta(minutes=4)  # spread, a minute apart
    assert stats.answers == {"True": 3, "False": 2}
    assert [world.app.ledger.status(k) for k in keys] == ["sent"] * 5
    assert reasons(world, keys)[0::2] == ["confirmed after restart"] * 3
    assert len(world.fake.calls_to("chat.postMessage")) == posted + 2  # each lost one, once
    assert world.app.ledger.pending() == []


async def test_leaders_are_asked_about_oldest_due_first(
    world: SlackWorld, time: VirtualTime
) -> None:
    users = ["U0LATE", "U0EARLY", "U0MIDDLE"]
    dues = [AT + timedelta(minutes=m) for m in (30, 0, 15)]
    for user, due in zip(users, dues, strict=True):
        await leader(world, user)
        await left_pending(world, user, due, arrived=True)
    await recover(world, AT + timedelta(minutes=40))
    asked = [call.params["channel"] for call in world.fake.calls_to(HISTORY)]
    assert asked == ["DU0EARLY", "DU0MIDDLE", "DU0LATE"]


async def test_a_nudge_past_grace_is_settled_without_asking(
    world: SlackWorld, time: VirtualTime
) -> None:
    await leader(world, "U0ANN")
    key = await left_pending(world, "U0ANN", AT, arrived=False)
    stats = await recover(world, AT + GRACE + timedelta(minutes=1))
    assert world.fake.calls_to(HISTORY) == []
    assert stats.unasked == 1
    assert world.app.ledger.status(key) == "skipped"
    assert reasons(world, [key]) == ["unknown, past grace"]


async def test_grace_that_ends_while_waiting_its_turn_saves_the_call(
    world: SlackWorld, time: VirtualTime
) -> None:
    users = [f"U0L{i}" for i in range(4)]
    keys = []
    for user in users:
        await leader(world, user)
        keys.append(await left_pending(world, user, AT, arrived=False))
    # 57 minutes after they were due: a call a minute (and 2% to spare) fits 3 in.
    stats = await recover(world, AT + timedelta(minutes=57))
    assert len(world.fake.calls_to(HISTORY)) == 3  # at 57, 58.02 and 59.04 minutes
    assert stats.unasked == 1
    assert reasons(world, keys)[-1] == "unknown, past grace"
    assert world.fake.rate_limited == []


async def test_one_call_answers_for_all_of_a_leaders_pending_keys(
    world: SlackWorld, time: VirtualTime
) -> None:
    await leader(world, "U0ANN")
    nudge = await left_pending(world, "U0ANN", AT, arrived=True)
    reminder = Reminder(id="r1", user=str(world.key("U0ANN")), kind="snooze", due_at=AT, ref=nudge)
    follow = str(DeliveryKey.for_reminder(reminder))
    await world.app.ledger.record(Entry(follow, "pending", AT, str(world.key("U0ANN")), due_at=AT))
    stats = await recover(world, AT + timedelta(minutes=5))
    assert len(world.fake.calls_to(HISTORY)) == 1
    assert stats.answers == {"True": 1, "False": 1}  # the nudge arrived; the snooze never went
    # Not delivered, so tried again; the engine has nothing to say for a snooze the
    # leader's state never saw, which is what this made-up one is.
    assert reasons(world, [follow]) == ["nothing to send"]


async def test_a_429_left_by_the_last_process_is_waited_out(
    world: SlackWorld, time: VirtualTime
) -> None:
    await leader(world, "U0ANN")
    await left_pending(world, "U0ANN", AT, arrived=True)
    world.clock.at = AT + timedelta(minutes=2)
    world.fake.rate_limit(HISTORY, 1, 60, clock=time.seconds)
    world.fake._limits[HISTORY].at.append(time.seconds() - 10)  # its call just before dying
    stats = await recover(world, world.clock.at)
    assert len(world.fake.rate_limited) == 1  # the first try; the second waited its 50 s
    assert stats.answers == {"True": 1}
    assert time.slept >= 50


async def test_a_busy_conversation_that_hides_the_nudge_is_not_guessed(
    world: SlackWorld, time: VirtualTime
) -> None:
    await leader(world, "U0ANN")
    key = await left_pending(world, "U0ANN", AT, arrived=True)
    for minute in range(1, 21):  # twenty messages after the nudge, inside its window
        world.clock.at = AT + timedelta(minutes=minute)
        world.fake.messages["DU0ANN"].append(
            {"type": "message", "user": "U0ANN", "ts": world.fake._next_ts(), "text": "x"}
        )
    posted = len(world.fake.calls_to("chat.postMessage"))
    stats = await recover(world, AT + timedelta(minutes=25))
    assert stats.answers == {"None": 1}  # 15 shown, more to see: cannot tell
    assert reasons(world, [key]) == ["unknown after restart"]
    assert len(world.fake.calls_to("chat.postMessage")) == posted  # not sent twice


async def test_recovery_holds_up_neither_start_nor_new_nudges_nor_replies(
    world: SlackWorld,
) -> None:
    await leader(world, "U0ANN")
    await leader(world, "U0BEN")
    stuck_key = await left_pending(world, "U0ANN", AT, arrived=False)
    gate = asyncio.Event()

    async def never(_seconds: float) -> None:
        await gate.wait()  # a rate limit that never lets it through

    notifier = slack_notifier(world)
    notifier.history = Pacer(1, sleep=never)
    notifier.history.hold(60)
    app = world.app
    scheduler = NudgeScheduler(
        app.schedules, app.ledger, app.deliveries, world.clock, grace=GRACE, name="recovering"
    )
    try:
        await scheduler.start(timers=False, background=True)
        for _ in range(100):  # bounded: catch-up is quick, it does not wait for recovery
            if scheduler.state == "running":
                break
            await asyncio.sleep(0.02)
        assert scheduler.state == "running"
        assert scheduler.recovery is not None
        assert not scheduler.recovery.done()
        due = AT + timedelta(minutes=5)
        fresh = await asyncio.wait_for(nudge(world, "U0BEN", due), 5)  # a new nudge goes out
        assert app.ledger.status(fresh) == "sent"
        assert "start" in texts(await world.dm("U0ANN", "help"))  # and a reply
    finally:
        await scheduler.stop(drain=0.1)
    assert scheduler.recovery.cancelled()
    assert app.ledger.status(stuck_key) == "pending"  # for the next start to settle
