"""bot.channels.slack.client.call, the lean Web API call every turn's reply takes, against
slack_sdk's own method for the same call: the same request reaches Slack, the same answer
comes back, the same retries happen and the same SlackApiError is raised."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.client import call, delivery_error, make_client, new_session
from tests.fakes.local_server import LocalServer
from tests.fakes.slack_api import DROP, FakeSlackApi

type Way = Callable[[AsyncWebClient], Awaitable[dict[str, Any]]]
MESSAGE = {
    "channel": "D0ANN",
    "text": "Hello",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
    "unfurl_links": False,
    "unfurl_media": False,
}


async def lean_post(client: AsyncWebClient) -> dict[str, Any]:
    return await call(client, "chat.postMessage", json=dict(MESSAGE))


async def sdk_post(client: AsyncWebClient) -> dict[str, Any]:
    return dict((await client.chat_postMessage(**MESSAGE)).data)  # type: ignore[arg-type]


async def lean_info(client: AsyncWebClient) -> dict[str, Any]:
    return await call(client, "users.info", params={"user": "U0ANN"})


async def sdk_info(client: AsyncWebClient) -> dict[str, Any]:
    return dict((await client.users_info(user="U0ANN")).data)  # type: ignore[arg-type]


POSTS = pytest.mark.parametrize("way", [lean_post, sdk_post], ids=["call", "slack_sdk"])
BOTH = pytest.mark.parametrize(
    ("method", "way"),
    [
        ("chat.postMessage", lean_post),
        ("chat.postMessage", sdk_post),
        ("users.info", lean_info),
        ("users.info", sdk_info),
    ],
    ids=["post-call", "post-slack_sdk", "info-call", "info-slack_sdk"],
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        api.set_user("U0ANN", tz="Europe/Paris", name="Ann")
        yield api


@pytest.fixture
async def client(fake: FakeSlackApi) -> AsyncIterator[AsyncWebClient]:
    session = new_session()
    yield make_client(fake.token, fake.url + "api/", session)
    await session.close()


@BOTH
async def test_the_same_call_and_answer(
    fake: FakeSlackApi, client: AsyncWebClient, method: str, way: Way
) -> None:
    answer = await way(client)
    assert answer["ok"] is True
    (received,) = fake.calls_to(method)
    if method == "users.info":
        assert answer["user"]["tz"] == "Europe/Paris"
        assert received.params == {"user": "U0ANN"}
    else:
        assert answer["channel"] == "D0ANN"
        assert answer["ts"]
        assert received.params == MESSAGE


@BOTH
async def test_slacks_no_is_the_same_error(
    fake: FakeSlackApi, client: AsyncWebClient, method: str, way: Way
) -> None:
    fake.error_for(method, "account_inactive")
    with pytest.raises(SlackApiError) as raised:
        await way(client)
    assert raised.value.response.status_code == 200
    assert raised.value.response.get("error") == "account_inactive"
    assert raised.value.response.api_url.endswith(method)
    assert delivery_error(raised.value).leader_gone


@POSTS
async def test_a_rate_limit_is_waited_out_once(
    fake: FakeSlackApi, client: AsyncWebClient, way: Way
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    assert (await way(client))["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2


@POSTS
async def test_a_rate_limit_that_lasts_is_a_transient_error_with_its_wait(
    fake: FakeSlackApi, client: AsyncWebClient, way: Way
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=0, times=3)
    with pytest.raises(SlackApiError) as raised:
        await way(client)
    assert len(fake.calls_to("chat.postMessage")) == 3  # two retries
    error = delivery_error(raised.value)
    assert (error.reason, error.permanent, error.retry_after) == ("ratelimited", False, 0)


@POSTS
async def test_a_server_error_is_retried(
    fake: FakeSlackApi, client: AsyncWebClient, way: Way
) -> None:
    fake.fail_next("chat.postMessage", status=503)
    assert (await way(client))["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2


@POSTS
async def test_a_dropped_connection_is_retried_once_then_raised(
    fake: FakeSlackApi, client: AsyncWebClient, way: Way
) -> None:
    fake.fail_next("chat.postMessage", status=DROP)
    assert (await way(client))["ok"] is True
    fake.fail_next("chat.postMessage", status=DROP, times=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await way(client)
    assert len(fake.calls_to("chat.postMessage")) == 4


class Recorder(LocalServer):
    """Answers every call with ok, keeping what came with it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []

    def _app(self) -> web.Application:
        async def answer(request: web.Request) -> web.Response:
            headers = {k: v for k, v in request.headers.items() if k not in ("Host",)}
            body = await request.read()
            self.seen.append((request.method, request.path_qs, headers, body))
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_route("*", "/api/{method}", answer)
        return app


@pytest.mark.parametrize(
    ("lean", "sdk"), [(lean_post, sdk_post), (lean_info, sdk_info)], ids=["post", "info"]
)
async def test_the_request_is_the_one_slack_sdk_sends(lean: Way, sdk: Way) -> None:
    """Method, URL, query, every header (User-Agent, token, content type) and the body."""
    async with Recorder() as recorder:
        session = new_session()
        try:
            client = make_client("xoxb-test", recorder.url + "api/", session)
            await sdk(client)
            await lean(client)
        finally:
            await session.close()
    ours, theirs = recorder.seen[1], recorder.seen[0]
    assert ours == theirs
