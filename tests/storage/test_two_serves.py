"""Two real `peercoach serve` processes on one PostgreSQL database and the fake Slack Web API
(issue 13 §2-§3): a leader's conversation continues whichever instance gets the next message,
events for one leader on both instances are all kept, a Slack retry landing on the other
instance is answered once, and exactly one of the two runs the scheduler."""

import asyncio
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import UserKey
from bot.storage.postgres.commands import prepare_database
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import Database, build_app
from dialogs.model import UserState
from tests.conftest import CONTENT_DIR
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im
from tests.storage.two_serves import ANN, TEAM, WITHIN, replies_to, say, shown, two_serves, until


async def stored(database_url: str, tmp_path: Path, user: str) -> UserState | None:
    """A leader's state as a third instance reads it from the database."""
    url = DatabaseUrl.parse(database_url)
    database = Database(url, await prepare_database(url))
    try:
        settings = Settings(data_dir=tmp_path / "reader", content_dir=CONTENT_DIR)
        app = build_app(settings, SystemClock(), database)
        return await app.users.load(UserKey.parse(f"slack:{TEAM}:{user}"))
    finally:
        await database.pool.close()


async def test_a_dialogue_alternating_between_instances_carries_on_and_one_leads(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeSlackApi() as fake, two_serves(tmp_path, database_url, fake) as (a, b):
        await say(a, fake, "hello", "Would you like to take a minute now")
        await say(b, fake, "Skip for now", "No problem.")
        await say(a, fake, "start energy", "Let's take stock of your energy")
        drained = "back-to-back meetings that decided nothing"
        await say(b, fake, drained, "How much energy do you have left")
        await say(a, fake, "Getting by", "felt more like yourself")
        await say(b, fake, "walking the wards with the new matron", "")
        (status_a, health_a), (status_b, health_b) = await a.health(), await b.health()
    assert (status_a, status_b) == (200, 200)
    assert health_a["database"] == health_b["database"] == "ok"
    assert sorted([health_a["scheduler"], health_b["scheduler"]]) == ["active", "standby"]
    assert health_a["status"] == health_b["status"] == "ok"
    state = await stored(database_url, tmp_path, ANN)
    assert state is not None
    assert state.dialogue is not None  # still in the energy audit: both instances' answers
    assert [r.text for r in state.reflections] == [
        "back-to-back meetings that decided nothing",
        "walking the wards with the new matron",
    ]


EVENTS = 20


async def test_concurrent_events_for_one_leader_on_both_instances_are_all_kept(
    tmp_path: Path, database_url: str
) -> None:
    """Twenty "nudge" commands at once, half to each instance: each appends a nudge to the
    leader's record (a read-modify-write of one row). None may overwrite another."""
    async with FakeSlackApi() as fake, two_serves(tmp_path, database_url, fake) as (a, b):
        await say(a, fake, "hello", "Would you like to take a minute now")
        await say(b, fake, "Skip for now", "No problem.")
        before = len(replies_to(fake, ANN))
        statuses = await asyncio.gather(
            *((a if i % 2 else b).dm(ANN, "nudge") for i in range(EVENTS))
        )
        assert statuses == [200] * EVENTS
        await until(lambda: len(replies_to(fake, ANN)) >= before + EVENTS, 30, f"{EVENTS} nudges")
    state = await stored(database_url, tmp_path, ANN)
    assert state is not None
    assert len(state.nudges) == EVENTS
    assert len({n.delivery for n in state.nudges}) == EVENTS  # each its own, none overwritten


async def test_a_slack_retry_on_the_other_instance_is_answered_once(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeSlackApi() as fake, two_serves(tmp_path, database_url, fake) as (a, b):
        await say(a, fake, "hello", "Would you like to take a minute now")
        before = len(replies_to(fake, ANN))
        body = event_body(message_im(ANN, "help"), event_id="Ev0RETRIED1")
        assert await a.post(body) == 200
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        assert await b.post(body, retry) == 200
        await until(lambda: len(replies_to(fake, ANN)) > before, WITHIN, "the answer")
        await asyncio.sleep(1.5)  # a second answer, from B, would have come by now
        answers = replies_to(fake, ANN)[before:]
    assert len(answers) == 1, [shown(c) for c in answers]
    assert "Here is what you can type" in shown(answers[0])
