"""The fake Slack Web API of the combined benchmark (`python -m bench.combined_fake fake`):
FakeSlackApi, plus a status server that tells replies from nudges as they arrive, so the load
generator learns when each chat turn is complete and which delivery keys arrived when."""

import asyncio
import contextlib
import sys
from collections import Counter, defaultdict

from aiohttp import web

from bench.slack_turns import CHILD_LIFETIME, serve_fake
from tests.fakes.slack_api import FakeSlackApi

REPLY_WITHIN = 30  # seconds a chat turn may take before it counts as without a reply


class Seen:
    """What the fake received, sorted as it arrives: replies per DM channel, and deliveries
    (posts tagged with a delivery key). Scans the fake's call list every few milliseconds."""

    def __init__(self, fake: FakeSlackApi) -> None:
        self.fake = fake
        self.replies: defaultdict[str, list[float]] = defaultdict(list)
        self.deliveries: list[tuple[str, float]] = []
        self.changed = asyncio.Condition()
        self._cursor = 0
        self._following: asyncio.Task[None] | None = None

    def scan(self) -> bool:
        """Sort what arrived since the last scan; whether anything did."""
        calls = self.fake.calls[self._cursor :]
        self._cursor += len(calls)
        for call in calls:
            if call.method == "chat.postMessage":
                payload = (call.params.get("metadata") or {}).get("event_payload") or {}
                if "delivery" in payload:
                    self.deliveries.append((str(payload["delivery"]), call.at.timestamp()))
                else:
                    self.replies[str(call.params.get("channel"))].append(call.at.timestamp())
        return bool(calls)

    async def follow(self) -> None:
        loop = asyncio.get_running_loop()
        ends = loop.time() + CHILD_LIFETIME  # the fake's own lifetime
        while loop.time() < ends:
            if self.scan():
                async with self.changed:
                    self.changed.notify_all()
            await asyncio.sleep(0.005)

    def app(self) -> web.Application:
        """GET /reply?channel=&n= waits for that channel's n-th reply (its time, or null);
        GET /deliveries counts them; GET /report lists them."""

        async def reply(request: web.Request) -> web.Response:
            channel, n = request.query["channel"], int(request.query["n"])
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(REPLY_WITHIN), self.changed:
                    await self.changed.wait_for(lambda: len(self.replies[channel]) >= n)
            times = self.replies[channel]
            return web.json_response({"at": times[n - 1] if len(times) >= n else None})

        async def deliveries(_: web.Request) -> web.Response:
            self.scan()
            return web.json_response({"count": len(self.deliveries)})

        async def report(_: web.Request) -> web.Response:
            self.scan()
            calls = Counter(call.method for call in self.fake.calls)
            return web.json_response({"deliveries": self.deliveries, "calls": calls})

        async def on_startup(_: web.Application) -> None:
            self._following = asyncio.create_task(self.follow())

        app = web.Application()
        app.router.add_get("/reply", reply)
        app.router.add_get("/deliveries", deliveries)
        app.router.add_get("/report", report)
        app.on_startup.append(on_startup)
        return app


if __name__ == "__main__" and sys.argv[1:2] == ["fake"]:
    asyncio.run(serve_fake(lambda fake: Seen(fake).app()))
