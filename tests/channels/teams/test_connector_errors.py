"""What the Bot Connector answers and what peercoach does about it, against the fake
connector: answers retrying cannot fix are not retried (403, 404, 413 and the other 4xx but
429); a 413 gets one shorter message; throttling and outages are retried."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.teams.render import SHORT_TEXT, SHORTENED
from bot.domain import Reply
from bot.ports import DeliveryError
from bot.services.conversations import REPLY_REFUSED
from dialogs.model import Say
from tests.channels.teams.test_teams_app import add_schedule
from tests.channels.teams.world import ALEX, CHAT, TeamsWorld, teams_world
from tests.conftest import FakeClock
from tests.fakes import teams_activity as teams

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
LONG = "I keep coming back to the board meeting. " * 800  # about 33,000 characters


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[TeamsWorld]:
    async with teams_world(tmp_path, FakeClock(NOW)) as opened:
        await opened.say("hello")
        opened.connector.reset()

        async def no_wait(_seconds: float) -> None:
            return None

        opened.app.deliveries.sleep = no_wait
        yield opened


async def nudge(world: TeamsWorld) -> str:
    schedule = await add_schedule(world)
    world.clock.at = DUE
    return await world.app.deliveries.nudge(schedule, DUE)


def posts(world: TeamsWorld) -> list[int]:
    """The status of every activity POSTed to the leader's chat, in order."""
    return [r.status for r in world.connector.requests if r.conversation_id == CHAT]


@pytest.mark.parametrize(
    ("status", "pauses"),
    [
        (400, False),
        (401, False),
        (403, True),
        (404, True),
        (409, False),
        (413, False),
        (422, False),
    ],
)
async def test_an_answer_retrying_cannot_fix_is_not_retried(
    world: TeamsWorld, status: int, pauses: bool
) -> None:
    world.connector.fail_next(status, times=5, conversation=CHAT)
    assert await nudge(world) == "failed"
    assert posts(world) == [status]  # one attempt (a nudge card is too short to shorten)
    assert world.app.deliveries.stats.retried == 0
    assert not world.app.deliveries.stalled  # not left for the heartbeat to try again
    (schedule,) = world.app.schedules.schedules_of(str(ALEX))
    assert schedule.paused is pauses  # the leader cannot be reached: 403 and 404 only


@pytest.mark.parametrize("status", [408, 412, 429, 500, 503])
async def test_throttling_and_outages_are_retried(world: TeamsWorld, status: int) -> None:
    world.connector.fail_next(status, retry_after=1 if status == 429 else None, conversation=CHAT)
    assert await nudge(world) == "sent"
    assert posts(world) == [status, 200]
    assert world.app.deliveries.stats.retried == 1


async def deliver_long(world: TeamsWorld) -> None:
    notifier = world.app.deliveries.notifiers["teams"]
    await notifier.deliver(ALEX, Reply((Say(LONG),)), "notice:long")


async def test_a_413_is_sent_once_more_shortened(world: TeamsWorld) -> None:
    world.connector.fail_next(413, conversation=CHAT)
    await deliver_long(world)
    assert posts(world) == [413, 200]
    first, second = (r.body for r in world.connector.requests)
    assert len(first["text"]) > 30_000
    assert second["text"].endswith(SHORTENED)
    assert len(second["text"]) <= SHORT_TEXT + len(SHORTENED)
    assert second["text"].startswith(first["text"][:1_000])


async def test_still_too_large_shortened_fails_without_a_third_try(world: TeamsWorld) -> None:
    world.connector.fail_next(413, times=5, conversation=CHAT)
    with pytest.raises(DeliveryError) as failed:
        await deliver_long(world)
    assert failed.value.permanent
    assert not failed.value.leader_gone
    assert failed.value.reason == "http 413: too large even shortened"
    assert posts(world) == [413, 413]


async def test_a_413_on_a_short_reply_in_a_turn_is_not_sent_again(world: TeamsWorld) -> None:
    world.connector.fail_next(413, conversation=CHAT)
    response = await world.post(teams.personal_message(world.url, "help"))
    assert response.status in (200, 202), await response.text()
    await asyncio.sleep(0.1)  # nor redelivered in the background
    assert posts(world) == [413, 200]  # the help, refused; then an apology, not the help again
    _refused, apology = (r.body["text"] for r in world.connector.requests)
    assert apology == REPLY_REFUSED  # the turn was saved; only the reply was refused
    assert SHORTENED not in apology
