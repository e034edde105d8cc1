"""A reply the platform refused for good: the leader is told the truth — what they wrote was
saved, the reply could not be delivered — now if the platform takes a plain apology, or else
at the start of their next turn. Never the "couldn't save that" sorry, which would be false."""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.http_retry.handler import default_interval_calculator

from bot.services.conversations import LAST_REPLY_LOST, REPLY_REFUSED, SORRY
from tests.channels.slack.world import slack_world
from tests.channels.slack.world import texts as slack_texts
from tests.channels.teams import world as teams
from tests.channels.test_platform_outages import simulated_sleep, until
from tests.conftest import FakeClock
from tests.fakes import slack_api

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ENERGY = "energy"  # in the opening of `start energy`


def unmarked(text: str) -> str:
    """Slack's text fallback drops **bold**."""
    return text.replace("*", "")


@pytest.fixture(autouse=True)
def instant_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(default_interval_calculator, "calculate_sleep_duration", lambda _: 0.0)


async def test_slack_refusing_a_reply_gets_the_true_apology_at_once(tmp_path: Path) -> None:
    async with slack_world(tmp_path, FakeClock(START)) as world:
        await world.dm("U0ANN", "hello")
        world.fake.error_for("chat.postMessage", "invalid_blocks", times=1)
        said = await world.dm("U0ANN", "start energy")
        assert unmarked(slack_texts(said[-1:])) == unmarked(REPLY_REFUSED)
        assert SORRY not in slack_texts(said)
        state = await world.app.conversations.state_of(world.key("U0ANN"))
        assert state is not None
        assert state.dialogue is not None  # what they asked for was done and saved

        again = await world.dm("U0ANN", "help")  # "I'll show you where we were"
        assert ENERGY in slack_texts(again).lower()
        assert LAST_REPLY_LOST not in slack_texts(again)  # told once, already


async def test_slack_refusing_even_the_apology_says_so_with_the_next_reply(
    tmp_path: Path,
) -> None:
    async with slack_world(tmp_path, FakeClock(START)) as world:
        await world.dm("U0ANN", "hello")
        world.fake.error_for("chat.postMessage", "invalid_blocks", times=2)
        await world.dm("U0ANN", "start energy", wait=False)
        await world.fake.wait_for("chat.postMessage", 3)  # hello, the reply, the apology
        assert len(world.fake.messages["DU0ANN"]) == 1  # only the welcome arrived

        said = await world.dm("U0ANN", "journal")
        assert slack_texts(said).startswith(LAST_REPLY_LOST)
        then = await world.dm("U0ANN", "journal")
        assert LAST_REPLY_LOST not in slack_texts(then)


async def test_a_reply_lost_after_every_retry_is_owned_up_to_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack down longer than the replies' retries (about twelve minutes, simulated)."""
    clock = FakeClock(START)
    back = START + timedelta(hours=1)
    async with slack_world(tmp_path, clock) as world:
        await world.dm("U0ANN", "hello")
        world.app.deliveries.sleep = simulated_sleep(clock)
        world.fake.outage(lambda: clock.now() < back, statuses=(503, slack_api.DROP))
        with caplog.at_level(logging.INFO, logger="peercoach.deliveries"):
            await world.dm("U0ANN", "start energy", wait=False)
            await until(lambda: any(r.getMessage() == "reply.lost" for r in caplog.records))
        clock.at = back + timedelta(seconds=1)
        said = await world.dm("U0ANN", "journal")
        assert slack_texts(said).startswith(LAST_REPLY_LOST)


async def test_teams_refusing_a_reply_gets_the_true_apology_not_the_sorry(
    tmp_path: Path,
) -> None:
    async with teams.teams_world(tmp_path, FakeClock(START)) as world:
        await world.say("hello")
        world.connector.fail_next(400, times=1)
        said = await world.say("start energy")
        assert unmarked(teams.texts(said)) == unmarked(REPLY_REFUSED)
        state = await world.app.conversations.state_of(teams.ALEX)
        assert state is not None
        assert state.dialogue is not None

        world.connector.fail_next(400, times=2)  # the reply and the apology
        await world.say("journal")
        said = await world.say("journal")
        assert teams.texts(said).startswith(LAST_REPLY_LOST)
        assert SORRY not in teams.texts(world.connector.sent_to(teams.CHAT))
