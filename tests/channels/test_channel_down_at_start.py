"""Slack unreachable when `serve` starts (auth.test refused, or the Web API answering 503):
Teams and the scheduler run regardless, /healthz names the channel that is down, and the
Slack channel keeps trying in the background until Slack answers, then serves as usual.

The background retry's sleep is a gate the test opens one try at a time."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.http_retry.handler import default_interval_calculator

from bot.channels.status import NO_ANSWER, ChannelStatus, Reconnector, retry_delay
from bot.config import Settings, SlackSettings
from bot.server import build_channels, build_web_app
from bot.wiring import App, build_app
from tests.channels.slack.world import SECRET
from tests.channels.teams.world import CHAT, texts
from tests.conftest import CONTENT_DIR, FakeClock
from tests.fakes import teams_activity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def instant_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(default_interval_calculator, "calculate_sleep_duration", lambda _: 0.0)


@dataclass
class Gate:
    """An injected sleep: records each delay asked for and waits until the test opens it."""

    delays: list[float] = field(default_factory=list)
    _open: asyncio.Queue[None] = field(default_factory=asyncio.Queue)

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        await self._open.get()

    async def let_one_try(self, fake: FakeSlackApi) -> None:
        """Open the gate once and wait until that try has reached the fake Slack."""
        before = len(fake.calls_to("auth.test"))
        self._open.put_nowait(None)
        await fake.wait_for("auth.test", before + 1)
        await asyncio.sleep(0.05)  # its answer recorded in the status


@dataclass
class World:
    slack: FakeSlackApi
    connector: FakeBotConnector
    http: TestClient
    app: App
    gate: Gate

    async def health(self) -> tuple[int, dict[str, Any]]:
        response = await self.http.get("/healthz")
        return response.status, await response.json()

    async def dm(self, user: str, text: str) -> int:
        body = event_body(message_im(user, text))
        response = await self.http.post(
            "/slack/events", data=body.encode(), headers=signed_headers(SECRET, body)
        )
        return response.status


@asynccontextmanager
async def both_channels(tmp_path: Path, slack: FakeSlackApi, gate: Gate) -> AsyncIterator[World]:
    async with FakeBotConnector() as connector:
        settings = Settings(
            data_dir=tmp_path,
            content_dir=CONTENT_DIR,
            slack=SlackSettings(slack.token, SECRET, api_url=slack.url + "api/"),
            local_trial=True,  # Teams without credentials, on loopback
        )
        app = build_app(settings, FakeClock(START))
        channels = build_channels(app, slack_pace=0, retry_sleep=gate.sleep)
        web_app = build_web_app(app, channels, timers=False)
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
            yield World(slack, connector, http, app, gate)


async def test_slack_refusing_auth_test_at_start_stops_neither_teams_nor_the_scheduler(
    tmp_path: Path,
) -> None:
    gate = Gate()
    async with FakeSlackApi() as slack:
        slack.error_for("auth.test", "invalid_auth")
        async with both_channels(tmp_path, slack, gate) as world:
            status, health = await world.health()
            assert status == 200  # degraded, not unhealthy: see bot/health.py
            assert health["status"] == "degraded"
            assert health["channels"] == {
                "slack": "down: auth.test answered invalid_auth: check SLACK_BOT_TOKEN",
                "teams": "ok",
            }
            assert health["scheduler_running"] is True
            assert slack.token not in str(health)
            metrics = await (await world.http.get("/metrics")).text()
            assert 'peercoach_channel_up{channel="slack"} 0.0' in metrics
            assert 'peercoach_channel_up{channel="teams"} 1.0' in metrics

            # Teams answers as ever
            activity = teams_activity.personal_message(world.connector.url, "hello")
            response = await world.http.post("/api/messages", json=activity)
            assert response.status in (200, 202)
            assert "peercoach" in texts(world.connector.sent_to(CHAT))

            # a DM to Slack meanwhile: 503, so Slack sends it again later; nothing posted
            assert await world.dm("U0ANN", "hello") == 503
            assert slack.calls_to("chat.postMessage") == []

            # Slack still refuses at the first background try, takes the second
            await world.gate.let_one_try(slack)
            assert (await world.health())[1]["status"] == "degraded"
            slack.clear_errors("auth.test")
            await world.gate.let_one_try(slack)
            status, health = await world.health()
            assert (status, health["status"]) == (200, "ok")
            assert health["channels"] == {"slack": "ok", "teams": "ok"}
            metrics = await (await world.http.get("/metrics")).text()
            assert 'peercoach_channel_up{channel="slack"} 1.0' in metrics
            assert gate.delays[:2] == [retry_delay(1), retry_delay(2)]
            assert retry_delay(2) > retry_delay(1)

            # and Slack is served: Slack's resent DM is answered
            assert await world.dm("U0ANN", "hello") == 200
            (reply, *_) = await slack.wait_for("chat.postMessage")
            assert reply.params["channel"] == "DU0ANN"
            assert len(gate.delays) == 2  # up: no more tries


async def test_a_dm_while_down_asks_slack_again_at_once(tmp_path: Path) -> None:
    """Slack back before the next background try: the first DM finds out and is served."""
    gate = Gate()
    async with FakeSlackApi() as slack:
        down = True
        slack.outage(lambda: down, statuses=(503,))
        async with both_channels(tmp_path, slack, gate) as world:
            _, health = await world.health()
            assert health["channels"]["slack"] == "down: auth.test answered fatal_error"
            down = False
            assert await world.dm("U0ANN", "hello") == 200
            await slack.wait_for("chat.postMessage")
            assert (await world.health())[1]["channels"]["slack"] == "ok"


async def test_retry_delays_double_and_are_capped() -> None:
    delays = [retry_delay(n) for n in range(1, 20)]
    assert delays[0] < delays[1] < delays[2]
    assert max(delays) == delays[-1] <= 300


async def test_slacks_url_check_is_answered_while_down(tmp_path: Path) -> None:
    """Saving the manifest (Slack's url_verification) needs no Web API: it works while down."""
    gate = Gate()
    async with FakeSlackApi() as slack:
        slack.error_for("auth.test", "invalid_auth")
        async with both_channels(tmp_path, slack, gate) as world:
            body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
            response = await world.http.post(
                "/slack/events",
                data=body.encode(),
                headers={**signed_headers(SECRET, body), "Content-Type": "application/json"},
            )
            assert response.status == 200
            assert "c-123" in await response.text()


async def test_a_platform_that_does_not_answer_does_not_hold_up_the_start() -> None:
    answer = asyncio.Event()

    async def check() -> str | None:
        await answer.wait()
        return None

    status, gate = ChannelStatus("slack"), Gate()
    reconnector = Reconnector(status, check, gate.sleep, first_wait=0.05)
    async with asyncio.timeout(5):
        await reconnector.start()
    assert status.describe() == f"down: {NO_ANSWER}"
    answer.set()
    for _ in range(100):  # bounded: 1 s
        if status.down is None:
            break
        await asyncio.sleep(0.01)
    assert status.describe() == "ok"
    assert gate.delays == []  # the first check's own answer counted: no second try
    await reconnector.close()
