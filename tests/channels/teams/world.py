"""peercoach's real server with the Agents SDK's CloudAdapter, talking to a fake Bot
Connector on 127.0.0.1; activities posted the way Teams posts them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings, TeamsSettings
from bot.domain import UserKey
from bot.server import build_channels, build_web_app
from bot.wiring import App, build_app
from tests.conftest import CONTENT_DIR, FakeClock
from tests.fakes import teams_activity as teams
from tests.fakes.bot_connector import FakeBotConnector, RecordedRequest

ALEX = UserKey("teams", teams.TENANT_ID, teams.USER_AAD_OBJECT_ID)
CHAT = teams.PERSONAL_CONVERSATION_ID


@dataclass
class TeamsWorld:
    connector: FakeBotConnector
    http: TestClient
    app: App
    clock: FakeClock

    @property
    def url(self) -> str:
        return self.connector.url

    async def post(self, activity: dict[str, Any] | bytes, **headers: str) -> ClientResponse:
        if isinstance(activity, bytes):
            return await self.http.post(
                "/api/messages",
                data=activity,
                headers={"Content-Type": "application/json", **headers},
            )
        return await self.http.post("/api/messages", json=activity, headers=headers)

    async def say(self, text: str, **changes: Any) -> list[RecordedRequest]:
        before = len(self.connector.sent_to(CHAT))
        response = await self.post(teams.personal_message(self.url, text, **changes))
        assert response.status in (200, 202), await response.text()
        return self.connector.sent_to(CHAT)[before:]

    def last_card(self) -> tuple[str, dict[str, Any]]:
        """The id and content of the last card the bot sent."""
        for request in reversed(self.connector.sent_to(CHAT)):
            for attachment in (request.body or {}).get("attachments") or []:
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                    return str(request.answer["id"]), attachment["content"]
        raise AssertionError("no card was sent")

    async def press(self, label: str) -> list[RecordedRequest]:
        """Submit the card button with this title (or pick it from the drop-down)."""
        card_id, card = self.last_card()
        value = _submit_value(card, label)
        before = len(self.connector.sent_to(CHAT))
        response = await self.post(teams.card_submit(self.url, value, reply_to_id=card_id))
        assert response.status in (200, 202), await response.text()
        return self.connector.sent_to(CHAT)[before:]


def _submit_value(card: dict[str, Any], label: str) -> dict[str, Any]:
    for action in card.get("actions") or []:
        if action.get("title") == label:
            return dict(action["data"])
    for element in card.get("body") or []:
        for choice in element.get("choices") or []:
            if choice["title"] == label:
                go = card["actions"][0]["data"]
                return {**go, "choice": choice["value"]}
    raise AssertionError(f"no button {label!r} on the last card")


def texts(requests: list[RecordedRequest]) -> str:
    parts = []
    for request in requests:
        body = request.body or {}
        parts.append(str(body.get("text") or ""))
        for attachment in body.get("attachments") or []:
            content = attachment.get("content") or {}
            parts += [str(b.get("text") or "") for b in content.get("body") or []]
            parts += [str(a.get("title") or "") for a in content.get("actions") or []]
    return "\n".join(parts)


@asynccontextmanager
async def teams_world(
    tmp_path: Path, clock: FakeClock, *, credentials: TeamsSettings | None = None
) -> AsyncIterator[TeamsWorld]:
    async with FakeBotConnector() as connector:
        settings = Settings(
            data_dir=tmp_path,
            content_dir=CONTENT_DIR,
            teams=credentials,
            local_trial=credentials is None,
        )
        app = build_app(settings, clock)
        web_app = build_web_app(app, build_channels(app), timers=False)
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
            yield TeamsWorld(connector, http, app, clock)
