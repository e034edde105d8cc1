"""Slack or Teams answering 5xx and dropping connections for a minute: no nudge is lost or
sent twice, each goes out once the platform is back, and a reply to a DM written during the
outage reaches the leader late rather than never.

Time is simulated: the fakes fail while the test clock is inside the outage, and the
delivery service's backoff sleeps by moving that clock. slack_sdk's own retries (a second
or two each, in real time) are made instant.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.http_retry.handler import default_interval_calculator

from bot.domain import UserKey
from bot.schedules.keys import DeliveryKey
from bot.schedules.model import NudgeSchedule
from bot.schedules.scheduler import NudgeScheduler
from bot.wiring import App
from dialogs.recurrence import parse_days, parse_hhmm
from tests.channels.slack.world import slack_world
from tests.channels.teams import world as teams
from tests.conftest import FakeClock
from tests.fakes import bot_connector, slack_api, teams_activity

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
BACK = DUE + timedelta(minutes=1)  # the end of the outage
SLACK_LEADERS = ("U0ANN", "U0BEN")
STATUSES = (500, slack_api.DROP, 503, 504)


@pytest.fixture(autouse=True)
def instant_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(default_interval_calculator, "calculate_sleep_duration", lambda _: 0.0)


def simulated_sleep(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return sleep


async def add_schedule(app: App, user: str) -> NudgeSchedule:
    schedule = NudgeSchedule(
        id=f"s-{user.rsplit(':', 1)[-1]}",
        user=user,
        themes=("influence",),
        days=parse_days("daily"),
        at=parse_hhmm("09:30"),
        timezone="UTC",
        created_by=user,
        created_at=START,
    )
    await app.schedules.put_schedules(schedule)
    return schedule


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):  # bounded, in real time
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s")


async def nudges_fall_due_in_the_outage(app: App, clock: FakeClock) -> NudgeScheduler:
    """The nudges due at DUE: each tried with backoff, then held (pending) for the heartbeat."""
    scheduler = app.scheduler
    assert scheduler is not None
    app.deliveries.sleep = simulated_sleep(clock)
    clock.at = DUE
    await scheduler.run_until(DUE)
    assert clock.now() < BACK, "the backoff outlasted the outage: nothing was held"
    assert app.ledger.count("pending") == len(app.schedules.schedules())
    assert app.ledger.count("failed") == 0
    return scheduler


async def back_after_the_outage(app: App, clock: FakeClock, scheduler: NudgeScheduler) -> None:
    """Heartbeats after the outage: the held nudges go out on the first, nothing on the next."""
    clock.at = max(clock.now(), BACK) + timedelta(seconds=1)
    await scheduler.beat()
    clock.advance(minutes=1)
    await scheduler.beat()
    assert app.ledger.count("sent") == len(app.schedules.schedules())


# ------------------------------------------------------------------ Slack


def slack_posts(fake: slack_api.FakeSlackApi) -> list[dict[str, object]]:
    """Every message Slack accepted (failed calls are recorded as calls, not as messages)."""
    return [message for messages in fake.messages.values() for message in messages]


def slack_nudges(fake: slack_api.FakeSlackApi) -> list[str]:
    return [
        str(message["metadata"]["event_payload"]["delivery"])  # type: ignore[index]
        for message in slack_posts(fake)
        if message.get("metadata")
    ]


async def test_slack_down_for_a_minute_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with slack_world(tmp_path, clock) as world:
        for user in SLACK_LEADERS:
            await world.dm(user, "hello")
            await add_schedule(world.app, str(world.key(user)))
        world.fake.outage(lambda: clock.now() < BACK, statuses=STATUSES)
        scheduler = await nudges_fall_due_in_the_outage(world.app, clock)
        assert slack_nudges(world.fake) == []

        before = len(world.fake.messages["DU0ANN"])
        await world.dm("U0ANN", "start energy", wait=False)  # written during the outage
        await until(lambda: len(world.fake.messages["DU0ANN"]) > before)
        assert clock.now() >= BACK  # it waited for the platform, in simulated time
        reply = world.fake.messages["DU0ANN"][before:]
        assert len(reply) == 1
        assert "energy" in str(reply[0]).lower()

        await back_after_the_outage(world.app, clock, scheduler)
        keys = slack_nudges(world.fake)
        leaders = [UserKey("slack", "T0FAKE", u) for u in SLACK_LEADERS]
        expected = [str(DeliveryKey(k, "nudge", f"s-{k.user}", DUE)) for k in leaders]
        assert sorted(keys) == sorted(expected)
        assert len(world.fake.messages["DU0ANN"]) == before + 2  # the reply and the nudge
        tried = world.fake.calls_to("chat.postMessage")
        assert len(tried) > len(slack_posts(world.fake)), "the outage was never hit"


# ------------------------------------------------------------------ Teams


async def test_teams_down_for_a_minute_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with teams.teams_world(tmp_path, clock) as world:
        await world.say("hello")
        await add_schedule(world.app, str(teams.ALEX))
        statuses = (500, bot_connector.DROP, 503, 504)
        world.connector.outage(lambda: clock.now() < BACK, statuses=statuses)
        scheduler = await nudges_fall_due_in_the_outage(world.app, clock)
        delivered_before = len(world.connector.sent_to(teams.CHAT))

        # written during the outage: the reply in the turn fails
        response = await world.post(teams_activity.personal_message(world.url, "start energy"))
        assert response.status in (200, 202)
        await until(lambda: len(world.connector.sent_to(teams.CHAT)) > delivered_before)
        assert clock.now() >= BACK
        (reply,) = world.connector.sent_to(teams.CHAT)[delivered_before:]
        assert "energy" in teams.texts([reply]).lower()

        await back_after_the_outage(world.app, clock, scheduler)
        after = world.connector.sent_to(teams.CHAT)[delivered_before + 1 :]
        assert len(after) == 1  # the nudge, once
        refused = [r for r in world.connector.requests if not r.ok]
        assert {r.status for r in refused} == set(statuses), "the outage was never hit"
