"""A message in a DM is run by the Slack channel itself, not dispatched to bolt
(bot/channels/slack/app.py, `_direct`): acknowledged at once, as bolt acknowledges events,
and still waited for when the server stops."""

from datetime import UTC, datetime
from pathlib import Path

from bot.storage.tinydb.users import TinyDBUserStore
from tests.channels.slack.world import slack_world
from tests.conftest import FakeClock
from tests.fakes.slack_signing import event_body, message_im

ANN = "U0ANN"
SLOW = 0.5  # seconds the fake takes over each chat.postMessage


async def test_a_dm_is_acknowledged_before_its_turn_is_done(tmp_path: Path) -> None:
    async with slack_world(tmp_path, FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))) as w:
        w.fake.delay("chat.postMessage", SLOW)
        response = await w.post(event_body(message_im(ANN, "hello")))
        assert response.status == 200
        assert await response.text() == ""
        assert not w.fake.messages.get("D" + ANN)  # the reply is still on its way
        (reply,) = await w.fake.wait_for("chat.postMessage")
        assert reply.params["channel"] == "D" + ANN


async def test_a_dm_being_answered_when_the_server_stops_is_finished(tmp_path: Path) -> None:
    async with slack_world(tmp_path, FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))) as w:
        w.fake.delay("chat.postMessage", SLOW)
        response = await w.post(event_body(message_im(ANN, "hello")))
        assert response.status == 200
        await w.fake.wait_for("chat.postMessage")  # under way, its answer not yet back
    # The server has stopped (the channel's close() waits for acknowledged work): the reply
    # arrived, and the turn was saved.
    assert len(w.fake.messages["D" + ANN]) == 1
    assert isinstance(w.app.users, TinyDBUserStore)
    assert w.app.users.path_for(w.key(ANN)).exists()
