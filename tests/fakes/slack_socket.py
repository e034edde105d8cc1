"""Slack's Socket Mode on 127.0.0.1, in front of a FakeSlackApi.

    async with FakeSlackApi() as api, FakeSlackSocket(api) as slack:
        # the app's Web API base URL is slack.url + "api/"; its app-level token slack.app_token
        ...  # start the app: it calls apps.connections.open, then opens the websocket
        envelope = await slack.events_api(event_body(message_im("U1", "hello")))
        assert await slack.wait_for_ack(envelope) == {"envelope_id": envelope}
        await api.wait_for("chat.postMessage")

`apps.connections.open` (app-level token only, as in Slack) is answered here with a
`ws://127.0.0.1:<port>/link/?ticket=…` URL; every other Web API call is passed through to the
FakeSlackApi, which records it as usual. The websocket sends Slack's `hello` frame, carries the
envelopes a test pushes, and records the acks the client sends back. The push helpers take the
HTTP bodies of tests/fakes/slack_signing.py, so Socket Mode tests and HTTP tests build their
payloads the same way.
"""

import asyncio
import itertools
import json
import uuid
from typing import Any, Self
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import WSMsgType, web

from tests.fakes.local_server import LocalServer
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import API_APP_ID

APP_TOKEN = "xapp-1-fake"
FORWARDED_HEADERS = ("Authorization", "Content-Type")  # what the Web API fake reads
PASSED_HEADERS = ("Content-Type", "Retry-After")  # what the client reads from an answer


class FakeSlackSocket(LocalServer):
    """apps.connections.open and the Socket Mode websocket; the rest of the Web API is `api`."""

    def __init__(
        self, api: FakeSlackApi, *, app_token: str = APP_TOKEN, app_id: str = API_APP_ID
    ) -> None:
        self.api = api
        self.app_token = app_token
        self.app_id = app_id
        self.opened = 0  # successful apps.connections.open calls
        self.connections = 0  # websockets accepted, ever
        self.acks: dict[str, dict[str, Any]] = {}  # envelope_id -> what the client sent back
        self.unexpected: list[str] = []  # frames from the client that are not acks
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        where = self.url if self._server else "not started"
        return f"<FakeSlackSocket {where}, {len(self._sockets)} connected, {len(self.acks)} acks>"

    # -- lifecycle ---------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/apps.connections.open", self._connections_open)
        app.router.add_route("*", "/api/{method}", self._pass_through)
        app.router.add_get("/link/", self._link)
        return app

    async def start(self) -> Self:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return await super().start()

    async def close(self) -> None:
        for socket in list(self._sockets):  # the server would otherwise wait for them
            await socket.close(code=aiohttp.WSCloseCode.GOING_AWAY)
        await super().close()
        if self._session is not None:
            await self._session.close()

    @property
    def token(self) -> str:
        """The bot token the Web API fake accepts."""
        return self.api.token

    @property
    def connected(self) -> int:
        return len(self._sockets)

    # -- pushing envelopes -------------------------------------------------------------------

    async def events_api(self, body: str | dict[str, Any], *, retry_attempt: int = 0) -> str:
        """An Events API envelope around an event_callback body (slack_signing.event_body)."""
        payload = json.loads(body) if isinstance(body, str) else body
        return await self.push(
            "events_api",
            payload,
            retry_attempt=retry_attempt,
            retry_reason="timeout" if retry_attempt else "",
        )

    async def slash_commands(self, body: str) -> str:
        """A slash command envelope around the form body Slack would POST (slash_body)."""
        payload = dict(parse_qsl(body, keep_blank_values=True))
        return await self.push("slash_commands", payload, accepts_response_payload=True)

    async def interactive(self, body: str) -> str:
        """An interactive envelope around a `payload=` form body (action_body)."""
        payload = json.loads(dict(parse_qsl(body))["payload"])
        accepts = payload.get("type") in ("view_submission", "block_suggestion")
        return await self.push("interactive", payload, accepts_response_payload=accepts)

    async def push(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        within: float = 5.0,
        **extra: Any,
    ) -> str:
        """Send one envelope on the newest connection; returns its envelope_id."""
        await self.wait_connected(within=within)
        envelope_id = f"{uuid.UUID(int=next(self._ids))}"
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
            **extra,
        }
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def ask_to_reconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's `disconnect` frame: the client should open a new connection, then drop this."""
        await self._sockets[-1].send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        )

    async def wait_connected(self, count: int = 1, *, within: float = 5.0) -> None:
        """Until `count` connections were accepted in all and one of them is open."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: self.connections >= count and self.connected)

    async def wait_for_ack(self, envelope_id: str, *, within: float = 5.0) -> dict[str, Any]:
        """What the client acked this envelope with: {"envelope_id": …[, "payload": …]}."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    # -- HTTP and websocket ------------------------------------------------------------------

    async def _connections_open(self, request: web.Request) -> web.Response:
        form = await request.post()
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = bearer or str(form.get("token") or "")
        if token != self.app_token:
            # Slack's answers: a bot token here is the wrong kind, anything else is bad
            error = "not_allowed_token_type" if token.startswith("xox") else "invalid_auth"
            return web.json_response({"ok": False, "error": error})
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        self.opened += 1
        url = self._server_url("ws") + f"link/?ticket={ticket}&app_id={self.app_id}"
        return web.json_response({"ok": True, "url": url})

    async def _link(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            return web.Response(status=403, text="unknown ticket: call apps.connections.open")
        self._tickets.discard(request.query["ticket"])  # a ticket is good for one connection
        socket = web.WebSocketResponse()  # autoping: answers the client's sdk-ping-pong
        await socket.prepare(request)
        await socket.send_json(self._hello())
        async with self._changed:
            self._sockets.append(socket)
            self.connections += 1
            self._changed.notify_all()
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    await self._received(frame.data)
        finally:
            async with self._changed:
                self._sockets.remove(socket)
                self._changed.notify_all()
        return socket

    async def _received(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        async with self._changed:
            if isinstance(message, dict) and "envelope_id" in message:
                self.acks[str(message["envelope_id"])] = message
            else:
                self.unexpected.append(data)
            self._changed.notify_all()

    async def _pass_through(self, request: web.Request) -> web.Response:
        """Every other Web API method: forwarded as is to the FakeSlackApi."""
        assert self._session is not None
        headers = {k: request.headers[k] for k in FORWARDED_HEADERS if k in request.headers}
        async with self._session.request(
            request.method,
            f"{self.api.url}api/{request.match_info['method']}",
            params=request.query,
            data=await request.read(),
            headers=headers,
        ) as answer:
            body = await answer.read()
            passed = {k: answer.headers[k] for k in PASSED_HEADERS if k in answer.headers}
            return web.Response(status=answer.status, body=body, headers=passed)

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._sockets) + 1,
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    def _server_url(self, scheme: str) -> str:
        return self.url.replace("http", scheme, 1)
