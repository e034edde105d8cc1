"""Slack's retry of an event may reach another instance than the first delivery did: with the
PostgreSQL seen-store, two real Slack channels (bolt apps) on one database handle it once;
with leaders in TinyDB files (the id taken before the turn), and with leaders in PostgreSQL
too (the id taken in the turn's own write)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.slack.app import SlackChannel
from bot.config import Settings, SlackSettings
from bot.server import Channels, build_channels, build_web_app
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.seen import PostgresSeenEvents
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import Database, build_app
from tests.channels.slack.world import SECRET
from tests.conftest import CONTENT_DIR, FakeClock
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers

ANN = "U0ANN"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


class Instances:
    def __init__(self, fake: FakeSlackApi, clients: list[TestClient]) -> None:
        self.fake = fake
        self.clients = clients

    async def post(self, instance: int, body: str, **headers: str) -> ClientResponse:
        return await self.clients[instance].post(
            "/slack/events", data=body.encode(), headers=signed_headers(SECRET, body) | headers
        )

    async def replies_settle(self) -> int:
        await self.fake.wait_for("chat.postMessage")
        await asyncio.sleep(0.3)  # a second reply, were there one, would land by now
        return len(self.fake.calls_to("chat.postMessage"))


@pytest.fixture(params=["tinydb", "postgres"])
async def instances(
    database_url: str, tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[Instances]:
    url = DatabaseUrl.parse(database_url)
    async with AsyncExitStack() as stack, FakeSlackApi() as fake:
        clients = []
        for n in range(2):
            settings = Settings(
                data_dir=tmp_path / f"instance{n}",
                content_dir=CONTENT_DIR,
                slack=SlackSettings(
                    bot_token=fake.token, signing_secret=SECRET, api_url=fake.url + "api/"
                ),
            )
            pool = await open_pool(url)
            stack.push_async_callback(pool.close)
            if request.param == "postgres":
                app = build_app(settings, clock, Database(url, pool))
                seen = app.seen
            else:
                app = build_app(settings, clock)
                seen = PostgresSeenEvents(pool, url, clock)
            built = build_channels(app, slack_pace=0)
            assert built.slack is not None
            assert settings.slack is not None
            slack = SlackChannel(settings.slack, built.slack.deps, pace=0, seen=seen)
            web_app = build_web_app(app, Channels(slack=slack), timers=False)
            client = TestClient(TestServer(web_app, host="127.0.0.1"))
            await stack.enter_async_context(client)
            clients.append(client)
        yield Instances(fake, clients)


async def test_a_retry_that_reaches_the_other_instance_gets_no_second_reply(
    instances: Instances,
) -> None:
    body = event_body(message_im(ANN, "hello"), event_id="Ev-across-1")
    assert (await instances.post(0, body)).status == 200
    await instances.fake.wait_for("chat.postMessage")
    assert (await instances.post(1, body, **RETRY)).status == 200
    assert await instances.replies_settle() == 1


async def test_the_same_event_on_both_instances_at_once_is_handled_once(
    instances: Instances,
) -> None:
    body = event_body(message_im(ANN, "hello"), event_id="Ev-across-2")
    answers = await asyncio.gather(instances.post(0, body), instances.post(1, body, **RETRY))
    assert [a.status for a in answers] == [200, 200]
    assert await instances.replies_settle() == 1


async def test_different_events_are_each_answered_whichever_instance_gets_them(
    instances: Instances,
) -> None:
    await instances.post(0, event_body(message_im(ANN, "hello"), event_id="Ev-a"))
    await instances.fake.wait_for("chat.postMessage")
    await instances.post(1, event_body(message_im("U0BEN", "hello"), event_id="Ev-b"))
    await instances.fake.wait_for("chat.postMessage", 2)
    assert await instances.replies_settle() == 2
