"""A fake Slack Web API on 127.0.0.1 for the real slack_sdk / slack-bolt clients.

    async with FakeSlackApi() as slack:
        client = AsyncWebClient(token=slack.token, base_url=slack.url + "api/")
        await client.chat_postMessage(channel="D1", text="hi")
        assert slack.calls_to("chat.postMessage")[0].params["text"] == "hi"

Every request is recorded in `calls` (also failed and unauthorised ones), so a test can count
retries. Failures are programmable: `fail_next` (HTTP 429/5xx), `error_for` (Slack's
`ok: false`, persistent until `clear_errors`), `delay` (slow answers), `outage` (every
call fails, with 5xx or dropped connections, for as long as a test says) and `rate_limit`
(Slack's per-method limit: 429 with Retry-After for a call that comes too soon, by a clock
the test may drive). `history_cap` is the most messages conversations.history returns per
call (15 for a distributed non-Marketplace app), and `ts_clock` stamps messages' `ts`.
"""

import asyncio
import hashlib
import itertools
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from tests.fakes.local_server import LocalServer

type Params = dict[str, Any]
type Answer = dict[str, Any]

# Fields slack_sdk sends as JSON text when it form-encodes a call; decoded so tests see dicts.
JSON_FIELDS = frozenset({"blocks", "attachments", "metadata", "files", "view"})
UPLOAD = "upload"  # the method name under which uploads to an upload_url are recorded
RESPONSE = "response_url"  # ... and posts to a response_url
DROP = 0  # an outage "status": the connection closes unanswered, as when a proxy times out


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    method: str
    params: Params
    at: datetime


@dataclass
class User:
    id: str
    tz: str = "Europe/London"
    name: str = ""

    def as_slack(self) -> Answer:
        offset = ZoneInfo(self.tz).utcoffset(datetime.now(UTC))
        name = self.name or f"Leader {self.id}"
        return {
            "id": self.id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": False,
            "deleted": False,
            "profile": {"display_name": name, "real_name": name},
        }


@dataclass
class StoredFile:
    id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel_id: str | None = None
    initial_comment: str | None = None


@dataclass(frozen=True)
class _Error:
    error: str
    channel: str | None
    user: str | None
    once: bool = False

    def applies_to(self, params: Params) -> bool:
        named = [str(params.get(k)) for k in ("channel", "channel_id") if params.get(k)]
        channels = {*named, *map(_dm_channel, named)}  # a user id stands for their DM
        users = {
            params.get("user"),
            params.get("user_id"),
            *str(params.get("users", "")).split(","),
        }
        return (self.channel is None or self.channel in channels) and (
            self.user is None or self.user in users
        )


class FakeSlackApi(LocalServer):
    """Slack's Web API, the upload URLs and response_urls, served on 127.0.0.1:<free port>."""

    def __init__(
        self,
        *,
        token: str = "xoxb-fake-token",
        team_id: str = "T0FAKE",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.calls: list[Call] = []
        self.messages: dict[str, list[Answer]] = defaultdict(list)  # per channel, oldest first
        self.ephemerals: list[Answer] = []
        self.views: dict[str, Answer] = {}  # the last published view per user
        self.modals: list[Answer] = []  # views.open, in order
        self.files: dict[str, StoredFile] = {}
        self.users: dict[str, User] = {}
        self.groups: dict[str, tuple[str, ...]] = {}  # group DMs opened: channel -> users
        self._failures: dict[str, deque[tuple[int, int | None]]] = defaultdict(deque)
        self._errors: dict[str, list[_Error]] = defaultdict(list)
        self._delays: dict[str, float] = {}
        self._outage: tuple[Callable[[], bool], Iterator[int]] | None = None
        self._ids = itertools.count(1)
        self._last_ts = 0
        self._limits: dict[str, _Limit] = {}
        self.rate_limited: list[Call] = []  # the calls answered 429 by `rate_limit`
        self.history_cap = 999
        self.ts_clock: Callable[[], float] = time.time
        self._called = asyncio.Condition()

    def __repr__(self) -> str:
        where = self.url if self._server else "not started"
        return f"<FakeSlackApi {where}, {len(self.calls)} calls>"

    # -- lifecycle ---------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response_url)
        return app

    def response_url(self, key: str = "1") -> str:
        """A response_url whose posts are recorded as calls to "response_url"."""
        return f"{self.url}response/{key}"

    # -- programming and reading -------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def set_user(self, user_id: str, *, tz: str = "Europe/London", name: str = "") -> None:
        self.users[user_id] = User(user_id, tz, name)

    def fail_next(
        self, method: str, *, status: int = 429, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` with HTTP `status` (429 sends Retry-After)."""
        self._failures[method].extend([(status, retry_after)] * times)

    def error_for(
        self,
        method: str,
        error: str,
        *,
        channel: str | None = None,
        user: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer matching calls with {"ok": false, "error": error} until `clear_errors`, or
        for the next `times` matching calls only."""
        self._errors[method].extend(
            [_Error(error, channel, user, once=True)] * times
            if times is not None
            else [_Error(error, channel, user)]
        )

    def clear_errors(self, method: str | None = None) -> None:
        if method is None:
            self._errors.clear()
        else:
            self._errors.pop(method, None)

    def outage(self, down: Callable[[], bool], *, statuses: Sequence[int] = (500,)) -> None:
        """Fail every call while `down()` holds (say, until a test clock passes a time), with
        each of `statuses` in turn: an HTTP status, or DROP for a connection closed without
        an answer."""
        self._outage = (down, itertools.cycle(statuses))

    def rate_limit(
        self, method: str, calls: int, per: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """At most `calls` calls of `method` in any `per` seconds by `clock`; one more is
        answered 429 with the seconds until it would have been allowed as Retry-After."""
        self._limits[method] = _Limit(calls, per, clock)

    def delay(self, method: str, seconds: float) -> None:
        """Wait `seconds` before answering each call of `method` (0 to stop)."""
        self._delays[method] = seconds

    async def wait_for(self, method: str, count: int = 1, *, within: float = 5.0) -> list[Call]:
        """Wait until `method` was called `count` times (bolt runs listeners after its ack)."""
        async with asyncio.timeout(within), self._called:
            await self._called.wait_for(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)

    async def wait_until(
        self, condition: Callable[[list[Call]], bool], *, within: float = 5.0
    ) -> None:
        """Wait until `condition(calls)` holds (checked as each call arrives)."""
        async with asyncio.timeout(within), self._called:
            await self._called.wait_for(lambda: condition(self.calls))

    async def _record(self, method: str, params: Params) -> None:
        self.calls.append(Call(method, params, datetime.now(UTC)))
        async with self._called:
            self._called.notify_all()

    # -- HTTP layer --------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        await self._record(method, params)
        if failed := await self._programmed_failure(method, request):
            return failed
        if (limit := self._limits.get(method)) and (wait := limit.refuse()) is not None:
            self.rate_limited.append(self.calls[-1])
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        handler = self._methods().get(method)
        if not self._authorised(request, params):
            answer: Answer = {"ok": False, "error": _auth_error(request, params)}
        elif handler is None:
            answer = {"ok": False, "error": "unknown_method"}
        elif error := next((e for e in self._errors[method] if e.applies_to(params)), None):
            answer = {"ok": False, "error": error.error}
            if error.once:
                self._errors[method].remove(error)
        else:
            answer = {"ok": True, **handler(params)}
        return web.json_response(answer)

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        file_id = request.match_info["file_id"]
        await self._record(UPLOAD, {"file_id": file_id, "bytes": data})
        if failed := await self._programmed_failure(UPLOAD, request):
            return failed
        if file_id not in self.files:
            return web.Response(status=404, text="file_not_found")
        self.files[file_id].data = data
        return web.Response(text=f"OK - {len(data)}")  # text/plain, like files.slack.com

    async def _response_url(self, request: web.Request) -> web.Response:
        params = {"key": request.match_info["key"], **await _params(request)}
        await self._record(RESPONSE, params)
        if failed := await self._programmed_failure(RESPONSE, request):
            return failed
        return web.Response(text="ok")

    async def _programmed_failure(self, method: str, request: web.Request) -> web.Response | None:
        if seconds := self._delays.get(method):
            await asyncio.sleep(seconds)
        if self._outage is not None and self._outage[0]():
            status, retry_after = next(self._outage[1]), None
        elif self._failures[method]:
            status, retry_after = self._failures[method].popleft()
        else:
            return None
        if status == DROP:
            if request.transport is not None:
                request.transport.close()  # the client sees ServerDisconnectedError
            return web.Response(status=599)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        error = "ratelimited" if status == 429 else "fatal_error"
        return web.json_response({"ok": False, "error": error}, status=status, headers=headers)

    def _authorised(self, request: web.Request, params: Params) -> bool:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return self.token in (bearer, params.get("token"))

    # -- Web API methods ---------------------------------------------------------------------

    def _methods(self) -> dict[str, Callable[[Params], Answer]]:
        return {
            "auth.test": self._auth_test,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.history": self._history,
            "users.info": self._users_info,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    def _auth_test(self, _: Params) -> Answer:
        return {
            "url": "https://fake.slack.com/",
            "team": "Fake NHS",
            "team_id": self.team_id,
            "user": "peercoach",
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _conversations_open(self, params: Params) -> Answer:
        users = str(params.get("users", "")).split(",")
        if not users[0]:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 1:  # a group DM (mpim) of these users and the app, the same each time
            channel = "G" + hashlib.sha256(",".join(sorted(users)).encode()).hexdigest()[:10]
            self.groups[channel] = tuple(sorted(users))
            return {"channel": {"id": channel, "is_mpim": True}}
        return {"channel": {"id": _dm_channel(users[0])}}

    def _post_message(self, params: Params) -> Answer:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        channel = _dm_channel(params["channel"])
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "ts": self._next_ts(),
            "text": params.get("text", ""),
            **_message_fields(params),
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        self.messages[channel].append(message)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _update(self, params: Params) -> Answer:
        channel = _dm_channel(str(params.get("channel", "")))
        found = [m for m in self.messages.get(channel, []) if m["ts"] == params.get("ts")]
        if not found:
            return {"ok": False, "error": "message_not_found"}
        message = found[0]
        message.update({"text": params.get("text", message["text"]), **_message_fields(params)})
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": message,
        }

    def _post_ephemeral(self, params: Params) -> Answer:
        message = {"ts": self._next_ts(), **params}
        self.ephemerals.append(message)
        return {"message_ts": message["ts"]}

    def _history(self, params: Params) -> Answer:
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        inclusive = str(params.get("inclusive", "0")).lower() in ("1", "true")
        limit = min(int(params.get("limit") or 100), self.history_cap)
        with_metadata = str(params.get("include_all_metadata", "0")).lower() in ("1", "true")
        stored = self.messages.get(str(params.get("channel")), [])

        def inside(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        newest_first = [m for m in reversed(stored) if inside(float(m["ts"]))]
        messages = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in newest_first[:limit]
        ]
        return {"messages": messages, "has_more": len(newest_first) > limit}

    def _users_info(self, params: Params) -> Answer:
        user_id = str(params.get("user", ""))
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        return {"user": self.users.get(user_id, User(user_id)).as_slack()}

    def _views_publish(self, params: Params) -> Answer:
        view = {"id": f"V{next(self._ids):06d}", **params.get("view", {})}
        self.views[str(params.get("user_id"))] = view
        return {"view": view}

    def _views_open(self, params: Params) -> Answer:
        """A modal opened from a trigger; kept in `modals`, newest last."""
        view = params.get("view", {})
        view = json.loads(view) if isinstance(view, str) else view
        opened = {"id": f"V{next(self._ids):06d}", **view}
        self.modals.append(opened)
        return {"view": opened}

    def _get_upload_url(self, params: Params) -> Answer:
        if not params.get("filename") or not params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):06d}"
        self.files[file_id] = StoredFile(file_id, params["filename"], int(params["length"]))
        return {"upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: Params) -> Answer:
        done = []
        for item in params.get("files", []):
            stored = self.files.get(item.get("id"))
            if stored is None or stored.data is None:
                return {"ok": False, "error": "file_not_found"}
            stored.title = item.get("title") or stored.filename
            stored.channel_id = params.get("channel_id")
            stored.initial_comment = params.get("initial_comment")
            done.append({"id": stored.id, "name": stored.filename, "title": stored.title})
        return {"files": done}

    def _next_ts(self) -> str:
        """Slack-style "seconds.micros", strictly increasing even within one microsecond."""
        self._last_ts = max(self._last_ts + 1, int(self.ts_clock() * 1_000_000))
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"


@dataclass
class _Limit:
    calls: int
    per: float
    clock: Callable[[], float]
    at: deque[float] = field(default_factory=deque)

    def refuse(self) -> int | None:
        """None: allowed (and counted); else whole seconds to wait, as Slack sends them."""
        now = self.clock()
        while self.at and self.at[0] <= now - self.per:
            self.at.popleft()
        if len(self.at) < self.calls:
            self.at.append(now)
            return None
        return max(1, math.ceil(self.at[0] + self.per - now))


async def _params(request: web.Request) -> Params:
    """Merge the query string and a form or JSON body, as Slack does."""
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    for name in JSON_FIELDS & params.keys():
        if isinstance(params[name], str):
            params[name] = json.loads(params[name])
    return params


def _auth_error(request: web.Request, params: Params) -> str:
    sent = "Authorization" in request.headers or "token" in params
    return "invalid_auth" if sent else "not_authed"


def _dm_channel(channel_or_user: str) -> str:
    """Posting to a user id posts to the DM with that user, as in Slack."""
    if channel_or_user.startswith(("U", "W")):
        return "D" + channel_or_user
    return channel_or_user


def _message_fields(params: Params) -> Answer:
    return {name: params[name] for name in ("blocks", "metadata") if params.get(name)}
