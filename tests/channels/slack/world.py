"""peercoach's real aiohttp server with the real slack-bolt app, talking to a fake Slack Web
API on 127.0.0.1, driven by correctly signed requests — the way Slack drives it."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings, SlackSettings
from bot.domain import UserKey
from bot.server import build_channels, build_web_app
from bot.wiring import App, build_app
from tests.conftest import CONTENT_DIR, FakeClock
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import (
    API_APP_ID,
    event_body,
    message_im,
    signed_headers,
    slash_body,
)

SECRET = "test-signing-secret"
TEAM = "T0FAKE"


@dataclass
class SlackWorld:
    fake: FakeSlackApi
    http: TestClient
    app: App
    clock: FakeClock

    def key(self, user: str) -> UserKey:
        return UserKey("slack", TEAM, user)

    async def post(self, body: str, **headers: str) -> ClientResponse:
        return await self.http.post(
            "/slack/events", data=body.encode(), headers=signed_headers(SECRET, body) | headers
        )

    async def dm(self, user: str, text: str, *, wait: bool = True) -> list[dict[str, Any]]:
        """The leader writes in the DM; returns the messages the bot posted in reply."""
        before = len(self.fake.calls_to("chat.postMessage"))
        response = await self.post(event_body(message_im(user, text)))
        assert response.status == 200
        return await self.replies(before) if wait else []

    async def replies(self, before: int) -> list[dict[str, Any]]:
        await self.fake.wait_for("chat.postMessage", before + 1)
        await asyncio.sleep(0.05)  # a turn posts once; let any trailing call land
        return [c.params for c in self.fake.calls_to("chat.postMessage")[before:]]

    async def slash(self, user: str, text: str, channel: str | None = None) -> ClientResponse:
        return await self.post(slash_body(text, user_id=user, channel_id=channel))

    def last_message(self, user: str) -> dict[str, Any]:
        return self.fake.messages["D" + user][-1]

    async def click(self, user: str, label: str, *, wait: bool = True) -> list[dict[str, Any]]:
        """Press the button with this label on the bot's last message to the leader."""
        message = self.last_message(user)
        blocks = _blocks(message)
        action = _find_action(blocks, label)
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "api_app_id": API_APP_ID,
            "user": {"id": user, "team_id": TEAM},
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": "D" + user,
            },
            "channel": {"id": "D" + user},
            "trigger_id": "t",
            "message": {
                "type": "message",
                "ts": message["ts"],
                "text": message.get("text"),
                "blocks": blocks,
            },
            "response_url": "http://127.0.0.1:9/none",
            "actions": [action],
        }
        before = len(self.fake.calls_to("chat.postMessage"))
        response = await self.post(urlencode({"payload": json.dumps(payload)}))
        assert response.status == 200
        return await self.replies(before) if wait else []


def texts(posts: list[dict[str, Any]]) -> str:
    return "\n".join(str(p.get("text") or "") for p in posts)


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def _find_action(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return {
                    "type": "button",
                    "action_id": element["action_id"],
                    "value": element["value"],
                    "text": element["text"],
                }
            for option in element.get("options") or []:
                if option["text"]["text"] == label:
                    return {
                        "type": "static_select",
                        "action_id": element["action_id"],
                        "selected_option": option,
                    }
    raise AssertionError(f"no button {label!r} in the last message")


@asynccontextmanager
async def slack_world(tmp_path: Path, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with FakeSlackApi() as fake:
        settings = Settings(
            data_dir=tmp_path,
            content_dir=CONTENT_DIR,
            slack=SlackSettings(
                bot_token=fake.token,
                signing_secret=SECRET,
                api_url=fake.url + "api/",
                # Real time: at a distributed app's 1 a minute, a test's second history call
                # would wait a minute. Tests of the limit set a pacer on virtual time.
                history_per_minute=60_000,
            ),
        )
        app = build_app(settings, clock)
        web_app = build_web_app(app, build_channels(app, slack_pace=0), timers=False)
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
            yield SlackWorld(fake, http, app, clock)
