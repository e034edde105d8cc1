"""A fake Bot Connector (Teams' outbound REST API) on 127.0.0.1 for tests and benchmarks.

Point an inbound activity's ``serviceUrl`` at ``connector.url`` and the Agents SDK sends its
replies, updates and proactive messages here instead of to Teams. Every request is recorded;
failures, outages and slowness can be scripted to exercise retry and give-up paths.

    async with FakeBotConnector() as connector:
        ...post an activity whose serviceUrl is connector.url to the bot...
        assert connector.sent_to("a:1personal")[0].body["text"] == "hello"
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.local_server import LocalServer

# The error codes Teams puts in a failed response's body, by status (for realism only:
# the Agents SDK surfaces the status and body text, not the code).
_ERROR_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "ConversationBlockedByUser",
    404: "ConversationNotFound",
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


_Answer = Callable[[Mapping[str, str]], web.Response]
DROP = 0  # an outage "status": the connection closes unanswered, as when a proxy times out


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received, and the status it answered with."""

    method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    headers: dict[str, str]
    query: dict[str, str]
    status: int
    answer: Any = None  # the JSON the fake answered with, e.g. {"id": "activity-3"}

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_reply(self) -> bool:
        """A POST to ``.../activities/{id}``: how the SDK sends in-turn and proactive messages."""
        return self.method == "POST" and self.activity_id is not None


@dataclass
class _Failure:
    status: int
    remaining: int
    retry_after: float | None
    conversation: str | None

    def matches(self, conversation_id: str | None) -> bool:
        return self.conversation is None or self.conversation == conversation_id


@dataclass
class FakeBotConnector(LocalServer):
    """Answers the Bot Connector v3 routes the Agents SDK calls; see the module docstring.

    ``members`` is what the member routes return (Teams ``TeamsChannelAccount`` dicts).
    """

    members: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list, init=False)
    _failures: list[_Failure] = field(default_factory=list, init=False)
    _delay: float = field(default=0.0, init=False)
    _outage: tuple[Callable[[], bool], Iterator[int]] | None = field(default=None, init=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), init=False)

    # ---- scripting ---------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        conversation: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (to ``conversation``, if given) with ``status``.

        ``retry_after`` (seconds) becomes a Retry-After header, as Teams sends with 429s.
        The body is Bot Framework's ``{"error": {"code": ..., "message": ...}}``.
        """
        self._failures.append(_Failure(status, times, retry_after, conversation))

    def outage(self, down: Callable[[], bool], *, statuses: Sequence[int] = (500,)) -> None:
        """Fail every request while `down()` holds (say, until a test clock passes a time),
        with each of `statuses` in turn: an HTTP status, or DROP for a connection closed
        without an answer. Recorded like any request, a dropped one with status 0."""
        self._outage = (down, itertools.cycle(statuses))

    def delay(self, seconds: float) -> None:
        """Wait ``seconds`` before answering every later request; ``delay(0)`` stops waiting."""
        self._delay = seconds

    def reset(self) -> None:
        """Forget recorded requests, scripted failures and the delay."""
        self.requests.clear()
        self._failures.clear()
        self._delay = 0.0

    # ---- queries -------------------------------------------------------------------------

    def sent_to(self, conversation_id: str) -> list[RecordedRequest]:
        """Activities accepted for a conversation: new messages and replies, in order."""
        return [
            r
            for r in self.requests
            if r.method == "POST" and r.conversation_id == conversation_id and r.ok
        ]

    def updates(self, conversation_id: str | None = None) -> list[RecordedRequest]:
        """Accepted activity updates (PUTs), optionally for one conversation."""
        return [
            r
            for r in self.requests
            if r.method == "PUT"
            and r.ok
            and (conversation_id is None or r.conversation_id == conversation_id)
        ]

    def activities(self) -> list[dict[str, Any]]:
        """The bodies of every accepted POSTed activity, across conversations."""
        return [
            r.body
            for r in self.requests
            if r.method == "POST" and r.conversation_id is not None and r.ok
        ]

    # ---- the aiohttp app -----------------------------------------------------------------

    def _app(self) -> web.Application:
        base = "/v3/conversations"
        activity = base + "/{conversation_id}/activities/{activity_id}"
        routes = [
            ("POST", base, self._created),
            ("POST", base + "/{conversation_id}/activities", self._posted),
            ("POST", activity, self._posted),
            ("PUT", activity, self._updated),
            ("DELETE", activity, lambda _: web.Response()),
            ("GET", base + "/{conversation_id}/members", self._members),
            ("GET", base + "/{conversation_id}/pagedmembers", self._paged_members),
            ("GET", base + "/{conversation_id}/members/{member_id}", self._member),
            ("*", "/{tail:.*}", self._unknown),
        ]
        app = web.Application()
        for method, path, answer in routes:
            app.router.add_route(method, path, self._handler(answer))
        return app

    def _handler(self, answer: _Answer) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            text = await request.text()
            try:
                body = json.loads(text) if text else None
            except json.JSONDecodeError:
                body = text
            info = request.match_info
            response, dropped = self._choose(answer, info)
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    conversation_id=info.get("conversation_id"),
                    activity_id=info.get("activity_id"),
                    body=body,
                    headers=dict(request.headers),
                    query=dict(request.query),
                    status=DROP if dropped else response.status,
                    answer=json.loads(response.text) if response.text else None,
                )
            )
            if dropped and request.transport is not None:
                request.transport.close()  # the client sees ServerDisconnectedError
            if self._delay > 0:
                await asyncio.sleep(self._delay)
            return response

        return handle

    def _choose(self, answer: _Answer, info: Mapping[str, str]) -> tuple[web.Response, bool]:
        """The scripted outage or failure if any, else the route's answer; True: drop it."""
        if self._outage is not None and self._outage[0]():
            status = next(self._outage[1])
            return _error_response(status or 599), status == DROP
        failure = self._take_failure(info.get("conversation_id"))
        return (self._error(failure) if failure is not None else answer(info)), False

    def _take_failure(self, conversation_id: str | None) -> _Failure | None:
        failure = next((f for f in self._failures if f.matches(conversation_id)), None)
        if failure is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
        return failure

    @staticmethod
    def _error(failure: _Failure) -> web.Response:
        headers = {}
        if failure.retry_after is not None:
            seconds = failure.retry_after
            headers["Retry-After"] = str(int(seconds) if float(seconds).is_integer() else seconds)
        return _error_response(failure.status, headers)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def _posted(self, _: Mapping[str, str]) -> web.Response:
        return web.json_response({"id": self._new_id("activity-")})

    @staticmethod
    def _updated(info: Mapping[str, str]) -> web.Response:
        return web.json_response({"id": info["activity_id"]})

    def _created(self, _: Mapping[str, str]) -> web.Response:
        conversation = {"id": self._new_id("a:created-"), "activityId": self._new_id("activity-")}
        return web.json_response({**conversation, "serviceUrl": self.url})

    def _members(self, _: Mapping[str, str]) -> web.Response:
        return web.json_response(self.members)

    def _paged_members(self, _: Mapping[str, str]) -> web.Response:
        return web.json_response({"members": self.members})

    def _member(self, info: Mapping[str, str]) -> web.Response:
        for member in self.members:
            if info["member_id"] in (member.get("id"), member.get("aadObjectId")):
                return web.json_response(member)
        return _error_response(404)

    @staticmethod
    def _unknown(info: Mapping[str, str]) -> web.Response:
        # Visible in ``requests`` with status 404: a test can assert nothing unexpected was called.
        return _error_response(404, message=f"no such route: /{info['tail']}")


def _error_response(
    status: int, headers: dict[str, str] | None = None, message: str | None = None
) -> web.Response:
    code = _ERROR_CODES.get(status, "Error")
    error = {"code": code, "message": message or f"fake Bot Connector: scripted {code}"}
    return web.json_response({"error": error}, status=status, headers=headers)
