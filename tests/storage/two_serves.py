"""Two real `peercoach serve` processes on one PostgreSQL database, for the end-to-end tests:
each its own PORT and PEERCOACH_DATA_DIR, the same PEERCOACH_DATABASE_URL and
PEERCOACH_DATA_KEY, and one fake Slack Web API in the test process (whose record of every
call survives a kill -9 of either).

    async with FakeSlackApi() as fake, two_serves(tmp_path, url, fake) as (a, b):
        await a.dm("U0ANN", "hello")
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.bot.test_serve import SECRET, free_port, slack_serve_env, start_serve, wait_until_up
from tests.fakes.slack_api import Call, FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers

TEAM = "T0FAKE"
ANN = "U0ANN"
WITHIN = 10.0  # seconds for one reply (two processes share 2 cores with other tests)


@dataclass
class Serve:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    async def post(self, body: str, headers: dict[str, str] | None = None) -> int:
        """Post one signed Slack event; the HTTP status."""
        sent = {**signed_headers(SECRET, body), **(headers or {})}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + "/slack/events", data=body.encode(), headers=sent) as response,
        ):
            return response.status

    async def dm(self, user: str, text: str) -> int:
        return await self.post(event_body(message_im(user, text)))

    async def health(self) -> tuple[int, dict[str, Any]]:
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(self.url + "/healthz") as response,
        ):
            return response.status, await response.json()

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM, as a platform stops an instance; the exit code."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise


async def start(
    name: str, folder: Path, database_url: str, fake: FakeSlackApi, **extra: str
) -> Serve:
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    port = free_port()
    env = slack_serve_env(fake, port, folder) | {
        "PEERCOACH_DATABASE_URL": database_url,
        # The fake sets no limit: at a distributed app's 1 a minute, the keys a kill leaves
        # pending would take an hour to resolve (tests/slack_recovery covers that pace).
        "PEERCOACH_SLACK_HISTORY_PER_MINUTE": "60000",
        **extra,
    }
    process = await asyncio.to_thread(start_serve, env, folder / "serve.log")
    serve = Serve(name, f"http://127.0.0.1:{port}", process, folder / "serve.log")
    try:
        await wait_until_up(serve.url, process)
    except BaseException:
        await asyncio.to_thread(serve.stop)
        raise
    return serve


@asynccontextmanager
async def two_serves(
    folder: Path, database_url: str, fake: FakeSlackApi
) -> AsyncIterator[tuple[Serve, Serve]]:
    """A and B started together (both migrate under the lock), stopped with SIGTERM after;
    each must exit 0 unless the test killed it."""
    a, b = await asyncio.gather(
        start("A", folder / "a", database_url, fake), start("B", folder / "b", database_url, fake)
    )
    try:
        yield a, b
    finally:
        codes = await asyncio.gather(asyncio.to_thread(a.stop), asyncio.to_thread(b.stop))
    for serve, code in zip((a, b), codes, strict=True):
        log = serve.log.read_text()
        assert code in (0, -signal.SIGKILL), f"{serve.name} exited {code}: {log}"
        assert "Traceback" not in log, f"{serve.name}: {log}"


async def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll (bounded in count and time) until `check()` holds."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


async def until_health(
    serve: Serve, want: Callable[[int, dict[str, Any]], bool], seconds: float
) -> tuple[int, dict[str, Any]]:
    found: tuple[int, dict[str, Any]] = (0, {})
    for _ in range(int(seconds / 0.1)):
        try:
            found = await serve.health()
        except (aiohttp.ClientError, TimeoutError):
            found = (0, {})
        if want(*found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{serve.name}'s /healthz never as wanted within {seconds} s: {found}")


def shown(call: Call) -> str:
    """What a chat.postMessage shows: its text and its blocks."""
    return str(call.params.get("text", "")) + json.dumps(call.params.get("blocks", []))


def replies_to(fake: FakeSlackApi, user: str) -> list[Call]:
    """Replies in `user`'s DM (not nudges, which carry a delivery key)."""
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.params.get("channel") in ("D" + user, user) and not call.params.get("metadata")
    ]


def delivered(fake: FakeSlackApi) -> list[str]:
    """The delivery key of every nudge the fake posted into a DM (what Slack shows, and
    what conversations.history answers). Not its record of calls: a request cut off by a
    kill -9 is recorded but never posted, and the new leader rightly sends that one again."""
    return [
        str(message["metadata"]["event_payload"]["delivery"])
        for messages in fake.messages.values()
        for message in messages
        if message.get("metadata")
    ]


async def say(serve: Serve, fake: FakeSlackApi, text: str, expect: str, user: str = ANN) -> str:
    """Send `text` to `serve` as `user`; wait for the next reply in their DM, which must
    show `expect`; return what it showed."""
    before = len(replies_to(fake, user))
    assert await serve.dm(user, text) == 200
    await until(lambda: len(replies_to(fake, user)) > before, WITHIN, f"a reply to {text!r}")
    await asyncio.sleep(0.2)  # a turn may answer in more than one message
    answer = "\n".join(shown(call) for call in replies_to(fake, user)[before:])
    assert expect in answer, f"{serve.name} answered {text!r} with: {answer}"
    return answer
