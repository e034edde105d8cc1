"""The bare slack-bolt echo bot that the benchmarks compare peercoach's Slack channel against.

Nothing but what any slack-bolt bot needs: an AsyncApp whose message listener echoes a DM via
say(), behind a minimal aiohttp handler at POST /slack/events. Its Web API client shares one
aiohttp session (otherwise slack_sdk opens a session per call), so the baseline is not
handicapped.
"""

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

SESSION = web.AppKey("slack_echo_session", aiohttp.ClientSession)


def build_echo_app(signing_secret: str, token: str, api_url: str) -> web.Application:
    """An aiohttp app serving an echoing AsyncApp; `api_url` is the Web API base ("…/api/")."""
    client = AsyncWebClient(token=token, base_url=api_url)
    bolt = AsyncApp(client=client, signing_secret=signing_secret)

    @bolt.event("message")
    async def echo(event: dict[str, object], say: AsyncSay) -> None:
        if event.get("channel_type") == "im" and isinstance(event.get("text"), str):
            await say(str(event["text"]))

    async def slack_events(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return web.Response(status=400, text="body is not UTF-8")
        bolt_request = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
        response = await bolt.async_dispatch(bolt_request)
        return web.Response(
            status=response.status,
            body=response.body.encode("utf-8"),
            headers=response.first_headers_without_set_cookie(),
        )

    async def shared_session(app: web.Application) -> AsyncIterator[None]:
        # A shared session overrides AsyncWebClient's timeout, so it carries slack_sdk's 30 s.
        timeout = aiohttp.ClientTimeout(total=client.timeout)
        client.session = app[SESSION] = aiohttp.ClientSession(timeout=timeout)
        yield
        await app[SESSION].close()

    app = web.Application()
    app.router.add_post("/slack/events", slack_events)
    app.cleanup_ctx.append(shared_session)
    return app
