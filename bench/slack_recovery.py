"""Recovering 1,000 deliveries a crash left pending, at the conversations.history limit of
a commercially distributed Slack app (1 call a minute, 15 messages a call), against the fake
Web API enforcing that limit. In process: peercoach's real app, Slack channel and server.

Virtual time (the pacer's sleep moves the clock the fake judges the limit by): how long
recovery takes, in simulated minutes, for
- a kill during an 08:30 fan-out to 1,000 leaders, restarted at 08:35 (half had arrived);
- the same with 100 of them follow-ups instead of nudges (always still worth sending), and
  with all 1,000 follow-ups: the worst case, every key worth a call;
- the first again for an internal app (Tier 3, 50 calls a minute), for comparison.

Real time: the latency of new nudges and of leaders' DM replies while recovery works (500
keys past grace, settled unasked; 500 still within it, asked at the limit), against the same
with the pending keys left alone, in the same run (a ratio: 1.0 means recovery costs new
work nothing).

Target (issue 11): recovery keeps to the limit (no 429) and new nudges and replies fare as
well during recovery as without: both latency ratios at most 1.5.
"""

import asyncio
import math
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bench.common import BenchResult
from bot.channels.slack.history import LIMITS, Pacer
from bot.channels.slack.notifier import EVENT_TYPE, SlackNotifier
from bot.clock import Clock, SystemClock
from bot.config import AppKind, Settings, SlackSettings
from bot.schedules.keys import DeliveryKey
from bot.schedules.ledger import Entry
from bot.schedules.model import NudgeSchedule, Reminder
from bot.server import build_channels, build_web_app
from bot.services.recovery import Recovery, RecoveryStats
from bot.wiring import App, build_app
from dialogs.recurrence import parse_days, parse_hhmm
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SECRET = "bench-signing-secret"
HISTORY = "conversations.history"
LEADERS, NEW, RUNS = 1_000, 60, 3
DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
GRACE = timedelta(minutes=60)
TARGET_RATIO = 1.5


class VirtualClock:
    """The app's clock and the pacer's seconds in one; sleeping moves both on."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def seconds(self) -> float:
        return self.at.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.at += timedelta(microseconds=math.ceil(seconds * 1_000_000))
        await asyncio.sleep(0)


@dataclass
class World:
    app: App
    fake: FakeSlackApi
    http: TestClient[web.Request, web.Application]

    @property
    def notifier(self) -> SlackNotifier:
        notifier = self.app.deliveries.notifiers["slack"]
        assert isinstance(notifier, SlackNotifier)
        return notifier


@asynccontextmanager
async def peercoach(clock: Clock, folder: Path) -> AsyncIterator[World]:
    async with FakeSlackApi() as fake:
        settings = Settings(
            data_dir=folder,
            content_dir=CONTENT,
            slack=SlackSettings(fake.token, SECRET, api_url=fake.url + "api/"),
        )
        app = build_app(settings, clock)
        web_app = build_web_app(app, build_channels(app, slack_pace=0), timers=False)
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
            yield World(app, fake, http)


def limit(
    world: World,
    kind: AppKind,
    seconds: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """The kind's limit, on the pacer and enforced by the fake, by the given clock."""
    rate = LIMITS[kind]
    world.notifier.history = Pacer(rate.per_minute, clock=seconds, sleep=sleep)
    world.notifier.history_messages = rate.messages
    world.fake.rate_limit(HISTORY, int(rate.per_minute), 60, clock=seconds)
    world.fake.history_cap = rate.messages


async def leave_pending(
    world: World, due: datetime, users: list[str], *, reminders: int = 0
) -> None:
    """A fan-out the process died in: each leader's delivery recorded pending at `due`,
    every other one's message already in Slack (tagged with its key)."""
    schedules = [
        NudgeSchedule(
            id=f"s-{user}",
            user=f"slack:T0FAKE:{user}",
            themes=("influence",),
            days=parse_days("daily"),
            at=parse_hhmm(f"{due:%H:%M}"),
            timezone="UTC",
            created_by=f"slack:T0FAKE:{user}",
            created_at=due - timedelta(days=1),
        )
        for user in users
    ]
    await world.app.schedules.put_schedules(*schedules)
    entries = []
    for i, schedule in enumerate(schedules):
        if i < reminders:
            follow = Reminder(f"r{i}", schedule.user, "follow_up", due, f"c{i}")
            entries.append(
                Entry(
                    str(DeliveryKey.for_reminder(follow)),
                    "pending",
                    due,
                    schedule.user,
                    due_at=due,
                )
            )
        else:
            key = str(DeliveryKey.for_nudge(schedule, due))
            entries.append(Entry(key, "pending", due, schedule.user, schedule.id, due.date(), due))
    await asyncio.gather(*(world.app.ledger.record(e) for e in entries))
    for i, (user, entry) in enumerate(zip(users, entries, strict=True)):
        if i % 2 == 0:
            world.fake.messages["D" + user].append(
                {
                    "type": "message",
                    "ts": world.fake._next_ts(),
                    "text": "a nudge",
                    "metadata": {
                        "event_type": EVENT_TYPE,
                        "event_payload": {"delivery": entry.key},
                    },
                }
            )


async def recover(world: World, clock: Clock) -> RecoveryStats:
    deliveries = world.app.deliveries
    return await Recovery(deliveries, deliveries.notifiers, clock, GRACE).run(
        world.app.ledger.pending()
    )


# ---------------------------------------------------------------- virtual time


@dataclass
class Simulated:
    minutes: float
    calls: int
    refused: int
    stats: RecoveryStats


async def simulate(kind: AppKind, reminders: int) -> Simulated:
    clock = VirtualClock(DUE)
    with tempfile.TemporaryDirectory() as folder:
        async with peercoach(clock, Path(folder)) as world:
            world.fake.ts_clock = clock.seconds
            limit(world, kind, clock.seconds, clock.sleep)
            users = [f"U{i:04d}" for i in range(LEADERS)]
            await leave_pending(world, DUE, users, reminders=reminders)
            clock.at = started = DUE + timedelta(minutes=5)
            stats = await recover(world, clock)
            minutes = (clock.at - started).total_seconds() / 60
            return Simulated(
                minutes,
                len(world.fake.calls_to(HISTORY)),
                len(world.fake.rate_limited),
                stats,
            )


# ---------------------------------------------------------------- real time


async def new_work(world: World, recovering: bool) -> tuple[list[float], list[float]]:
    """NEW new nudges and NEW first DMs, one after another, while recovery runs (or not);
    the seconds each took: a nudge until Slack took it, a DM until its reply reached Slack."""
    now = datetime.now(UTC)
    await leave_pending(world, now - GRACE * 2, [f"UOLD{i:04d}" for i in range(LEADERS // 2)])
    await leave_pending(
        world, now - timedelta(minutes=5), [f"UNOW{i:04d}" for i in range(LEADERS // 2)]
    )
    task = asyncio.create_task(recover(world, SystemClock())) if recovering else None
    nudges, replies = [], []
    try:
        for i in range(NEW):
            user = f"UNEW{i:04d}"
            schedule = NudgeSchedule(
                id=f"s-{user}",
                user=f"slack:T0FAKE:{user}",
                themes=("influence",),
                days=parse_days("daily"),
                at=parse_hhmm(f"{now:%H:%M}"),
                timezone="UTC",
                created_by=f"slack:T0FAKE:{user}",
                created_at=now - timedelta(days=1),
            )
            await world.app.schedules.put_schedules(schedule)
            started = time.perf_counter()
            await world.app.deliveries.nudge(schedule, now)
            nudges.append(time.perf_counter() - started)
            replies.append(await dm(world, f"UDM{i:04d}"))
            await asyncio.sleep(0.02)
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    return nudges, replies


async def dm(world: World, user: str) -> float:
    body = event_body(message_im(user, "hello"))
    started = time.perf_counter()
    response = await world.http.post(
        "/slack/events", data=body.encode(), headers=signed_headers(SECRET, body)
    )
    assert response.status == 200
    channel = "D" + user
    await world.fake.wait_until(
        lambda calls: any(
            c.method == "chat.postMessage" and c.params.get("channel") == channel for c in calls
        )
    )
    return time.perf_counter() - started


async def real_time(recovering: bool) -> tuple[float, float, float]:
    """Median nudge and reply latency, and the slowest nudge (ms)."""
    with tempfile.TemporaryDirectory() as folder:
        async with peercoach(SystemClock(), Path(folder)) as world:
            limit(world, "distributed", time.monotonic, asyncio.sleep)
            nudges, replies = await new_work(world, recovering)
            return (
                statistics.median(nudges) * 1000,
                statistics.median(replies) * 1000,
                max(nudges) * 1000,
            )


# ---------------------------------------------------------------- the figures


async def measure() -> BenchResult:
    result = BenchResult(
        "Slack: recovering 1,000 pending deliveries at the conversations.history limit",
        __doc__.split("\n\n")[0].replace("\n", " ") if __doc__ else "",
    )
    scenarios: list[tuple[str, AppKind, int]] = [
        ("distributed, 1,000 nudges", "distributed", 0),
        ("distributed, 900 nudges + 100 follow-ups", "distributed", 100),
        ("distributed, 1,000 follow-ups (the worst case)", "distributed", LEADERS),
        ("internal, 1,000 nudges", "internal", 0),
    ]
    refused = 0
    for name, kind, reminders in scenarios:
        run = await simulate(kind, reminders)
        refused += run.refused
        result.add(f"{name}: recovery took", run.minutes, "simulated minutes")
        result.add(
            f"{name}: history calls",
            run.calls,
            "",
            f"({run.refused} refused with 429; {run.stats.unasked} keys settled unasked, "
            f"past grace; answers {dict(run.stats.answers)})",
        )
    during, without = [], []
    await real_time(recovering=False)  # warm-up: imports, first connections; not counted
    for _ in range(RUNS):
        without.append(await real_time(recovering=False))
        during.append(await real_time(recovering=True))
    nudge = result.add_ratio(
        "new nudge latency, during recovery / without",
        [d[0] for d in during],
        [w[0] for w in without],
        f"(medians {statistics.median(d[0] for d in during):.1f} ms vs "
        f"{statistics.median(w[0] for w in without):.1f} ms)",
    )
    reply = result.add_ratio(
        "DM reply latency, during recovery / without",
        [d[1] for d in during],
        [w[1] for w in without],
        f"(medians {statistics.median(d[1] for d in during):.1f} ms vs "
        f"{statistics.median(w[1] for w in without):.1f} ms)",
    )
    result.add_ratio(
        "slowest new nudge, during recovery / without",
        [d[2] for d in during],
        [w[2] for w in without],
        "(the first, behind the ledger lines of the keys settled unasked)",
    )
    result.target = (
        f"no 429 from the limit-enforcing fake, and both latency ratios at most {TARGET_RATIO}"
    )
    result.met = refused == 0 and nudge <= TARGET_RATIO and reply <= TARGET_RATIO
    return result


def run() -> BenchResult:
    return asyncio.run(measure())
