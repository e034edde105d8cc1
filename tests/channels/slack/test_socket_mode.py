"""Socket Mode end to end: the real server with SLACK_APP_TOKEN set connects to a loopback
Socket Mode fake, takes envelopes from it, acks them and answers through the Web API fake."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp.test_utils import TestServer

from bot.channels.slack.render import DM_POINTER
from bot.config import Settings, SlackSettings
from bot.domain import UserKey
from bot.server import build_channels, build_web_app
from bot.wiring import App, build_app
from tests.channels.slack.world import texts
from tests.conftest import CONTENT_DIR, FakeClock
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import (
    TEAM_ID,
    action_body,
    event_body,
    message_im,
    slash_body,
)
from tests.fakes.slack_socket import FakeSlackSocket

ANN = "U0ANN"
APP_TOKEN = "xapp-1-fake"


@dataclass
class SocketWorld:
    api: FakeSlackApi
    slack: FakeSlackSocket
    app: App

    async def posts_after(self, before: int) -> list[dict[str, Any]]:
        """The chat.postMessage calls of one turn (a turn may post more than once)."""
        await self.api.wait_for("chat.postMessage", before + 1, within=3)
        await asyncio.sleep(0.05)  # let any trailing post of the same turn land
        return [c.params for c in self.api.calls_to("chat.postMessage")[before:]]

    def posted(self) -> int:
        return len(self.api.calls_to("chat.postMessage"))


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SocketWorld]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)  # the socket client would use it for 127.0.0.1
    async with FakeSlackApi() as api, FakeSlackSocket(api, app_token=APP_TOKEN) as slack:
        settings = Settings(
            data_dir=tmp_path,
            content_dir=CONTENT_DIR,
            slack=SlackSettings(
                bot_token=slack.token,
                signing_secret="x",
                app_token=APP_TOKEN,
                api_url=slack.url + "api/",
            ),
        )
        app = build_app(settings, FakeClock())
        web_app = build_web_app(app, build_channels(app, slack_pace=0), timers=False)
        async with asyncio.timeout(5):
            server = TestServer(web_app, host="127.0.0.1")
            await server.start_server()  # runs cleanup_ctx: auth.test, then Socket Mode
        try:
            await slack.wait_connected(within=3)
            yield SocketWorld(api, slack, app)
        finally:
            async with asyncio.timeout(5):
                await server.close()


async def test_the_server_connects_with_the_app_level_token(world: SocketWorld) -> None:
    assert world.slack.opened == 1
    assert world.slack.connected == 1
    assert [c.method for c in world.api.calls] == ["auth.test"]  # with the bot token


async def test_a_new_leaders_first_dm_is_acked_and_welcomed(world: SocketWorld) -> None:
    envelope = await world.slack.events_api(event_body(message_im(ANN, "hello")))
    assert await world.slack.wait_for_ack(envelope, within=3) == {"envelope_id": envelope}
    posts = await world.posts_after(0)
    assert {p["channel"] for p in posts} == {"D" + ANN}
    assert "patient" in texts(posts)  # the welcome and privacy notice
    assert world.api.calls_to("users.info")[0].params["user"] == ANN
    assert await world.app.users.load(UserKey("slack", TEAM_ID, ANN)) is not None


async def test_a_slash_command_is_acked_and_answered_in_the_dm(world: SocketWorld) -> None:
    envelope = await world.slack.slash_commands(slash_body("help", user_id=ANN))
    assert await world.slack.wait_for_ack(envelope, within=3) == {"envelope_id": envelope}
    posts = await world.posts_after(0)
    assert {p["channel"] for p in posts} == {"D" + ANN}
    assert "Here is what you can type" in texts(posts)  # the help, after the welcome


async def test_a_slash_command_elsewhere_is_acked_with_the_pointer(world: SocketWorld) -> None:
    body = slash_body("help", user_id=ANN, channel_id="C0GENERAL")
    envelope = await world.slack.slash_commands(body)
    ack = await world.slack.wait_for_ack(envelope, within=3)
    assert ack == {"envelope_id": envelope, "payload": {"text": DM_POINTER}}
    posts = await world.posts_after(0)
    assert {p["channel"] for p in posts} == {"D" + ANN}


async def test_a_button_click_is_acked_and_the_buttons_replaced(world: SocketWorld) -> None:
    await world.slack.events_api(event_body(message_im(ANN, "hello")))
    await world.posts_after(0)
    message = world.api.messages["D" + ANN][-1]
    blocks = message["blocks"]
    button = _button(blocks, "Skip for now")
    body = action_body(
        user=ANN, action_id=button["action_id"], value=button["value"], message_ts=message["ts"]
    )
    before = world.posted()
    envelope = await world.slack.interactive(_showing(body, message, button))
    assert await world.slack.wait_for_ack(envelope, within=3) == {"envelope_id": envelope}
    await world.posts_after(before)
    (update,) = await world.api.wait_for("chat.update", within=3)
    assert "You chose" in json.dumps(update.params["blocks"])


def _button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return dict(element)
    raise AssertionError(f"no button {label!r} in the message")


def _showing(body: str, message: dict[str, Any], button: dict[str, Any]) -> str:
    """The click's payload carries the message it was made on and the button's text, as
    Slack's does."""
    payload = json.loads(dict(parse_qsl(body))["payload"])
    payload["message"] |= {"text": message["text"], "blocks": message["blocks"]}
    payload["actions"][0]["text"] = button["text"]
    return urlencode({"payload": json.dumps(payload)})


async def test_a_disconnect_frame_makes_the_app_reconnect_and_carry_on(
    world: SocketWorld,
) -> None:
    await world.slack.ask_to_reconnect()  # Slack refreshes connections every few hours
    await world.slack.wait_connected(2, within=3)
    assert world.slack.opened == 2
    envelope = await world.slack.events_api(event_body(message_im(ANN, "hello")))
    assert await world.slack.wait_for_ack(envelope, within=3) == {"envelope_id": envelope}
    assert "patient" in texts(await world.posts_after(0))


async def test_a_retried_event_is_handled_once(world: SocketWorld) -> None:
    body = event_body(message_im(ANN, "hello"))
    first = await world.slack.events_api(body)
    await world.slack.wait_for_ack(first, within=3)
    await world.posts_after(0)
    retry = await world.slack.events_api(body, retry_attempt=1)  # Slack did not see the ack
    await world.slack.wait_for_ack(retry, within=3)
    await asyncio.sleep(0.3)
    assert world.posted() == 1


async def test_a_lone_surrogate_over_socket_mode_is_replaced_and_answered(
    world: SocketWorld,
) -> None:
    for text in ("hello", "start energy"):
        before = world.posted()
        await world.slack.events_api(event_body(message_im(ANN, text)))
        await world.posts_after(before)
    before = world.posted()
    await world.slack.events_api(event_body(message_im(ANN, "a small win \ud83d today")))
    posts = await world.posts_after(before)
    assert "How much energy do you have left for work this week?" in texts(posts)
    state = await world.app.users.load(UserKey("slack", TEAM_ID, ANN))
    assert state is not None
    assert state.reflections[-1].text == "a small win \ufffd today"
