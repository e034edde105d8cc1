"""Slack DM turns under load: 1,000 leaders each send their first DM to POST /slack/events,
20 requests in flight, against a fake Slack Web API; then each sends a second one (the answer
to the first reply's question), as a leader in a conversation does.

Three processes per run, so that no two share an event loop: the load generator (this one),
the server under test, and the fake Web API (`python -m bench.slack_turns fake`). Systems:
peercoach (`python -m bot serve`, as deployed) and the bare slack-bolt echo app of
bench/baselines/slack_echo.py (`python -m bench.slack_turns echo PORT API_URL`). Every request
is signed. Ack = the HTTP answer to POST /slack/events; a turn is complete when the fake has
received a chat.postMessage to that leader's DM. Median of 3 runs each, fresh processes and
data folder per run, after a warm-up of 20 other leaders.

Target (issue): peercoach completes at least half as many turns per second as the echo app,
judged on the first DMs (the dearer turn: users.info, a new file). The second turns are the
common case afterwards (a leader's state read and rewritten, no users.info).
"""

import asyncio
import contextlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.common import BenchResult
from bench.processes import (
    START_WITHIN,
    child_env,
    cpu_seconds,
    errors_logged,
    free_port,
    listening,
    spawn,
    stop,
)
from bot.crypto.keys import generate_key
from bot.storage.tinydb.journal import JOURNAL_NAME
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers

USERS, CONCURRENCY, RUNS, WARMUP = 1_000, 20, 3, 20
ANSWER = "1"  # the second DM: the first choice of the question the welcome ends with
SECRET = "bench-signing-secret"
TOKEN = "xoxb-fake-token"  # FakeSlackApi's default
TARGET_RATIO = 0.5
REQUEST_WITHIN, RUN_WITHIN, CHILD_LIFETIME = 10, 120, 600
SYSTEMS = ("echo", "peercoach")


@dataclass
class Figures:
    p50_ms: float
    p99_ms: float
    acks_per_s: float
    turns_per_s: float
    cpu_ms: float  # the server process's CPU time per turn, all threads (nan: not Linux)
    loop_cpu_ms: float  # ... of which its main (event loop) thread
    calls: dict[str, int]
    errors: int = 0  # lines the server logged at ERROR, or tracebacks
    files_after_ms: float = 0.0  # from the last reply until the journal was empty (0: none)
    cpu_files_ms: float = 0.0  # server CPU per turn until then: the deferred files included


# ---------------------------------------------------------------- child: the fake Web API


async def serve_fake(
    status_app: Callable[[FakeSlackApi], web.Application] | None = None,
) -> None:
    """FakeSlackApi plus a status server about what it received (this module's, unless
    another benchmark brings its own); prints both URLs, lives until stdin closes."""
    async with FakeSlackApi(token=TOKEN) as fake:
        runner = web.AppRunner((status_app or _status_app)(fake), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        print(json.dumps({"api": fake.url + "api/", "status": f"http://127.0.0.1:{port}/"}))
        sys.stdout.flush()
        stdin = asyncio.StreamReader()
        await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CHILD_LIFETIME):  # bounded even if stdin stays open
                await stdin.read()  # EOF: the parent closed it, or is gone
        await runner.cleanup()


def _status_app(fake: FakeSlackApi) -> web.Application:
    """GET /status: DM channels that had a post, when the last of them had its first (epoch
    seconds), calls by method. POST /reset forgets the warm-up."""

    async def status(_: web.Request) -> web.Response:
        first: dict[str, datetime] = {}
        for call in fake.calls:
            if call.method == "chat.postMessage":
                first.setdefault(str(call.params.get("channel")), call.at)
        done_at = max(first.values()).timestamp() if first else None
        calls = Counter(call.method for call in fake.calls)
        return web.json_response({"channels": len(first), "done_at": done_at, "calls": calls})

    async def reset(_: web.Request) -> web.Response:
        fake.calls.clear()
        fake.messages.clear()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/status", status)
    app.router.add_post("/reset", reset)
    return app


# ---------------------------------------------------------------- child: the echo baseline


def _serve_echo(port: int, api_url: str) -> None:
    from bench.baselines.slack_echo import build_echo_app  # noqa: PLC0415

    logging.basicConfig(level=logging.WARNING)  # as peercoach serve logs: WARNING and up
    web.run_app(
        build_echo_app(SECRET, TOKEN, api_url),
        host="127.0.0.1",
        port=port,
        print=None,
        access_log=None,
    )


# ---------------------------------------------------------------- the parent: one run


def _signed(users: list[str], text: str = "hello") -> list[tuple[bytes, dict[str, str]]]:
    bodies = [event_body(message_im(user, text)) for user in users]
    return [(body.encode(), signed_headers(SECRET, body)) for body in bodies]


async def _load(
    session: aiohttp.ClientSession, url: str, requests: list[tuple[bytes, dict[str, str]]]
) -> list[float]:
    """Send every request with at most CONCURRENCY in flight; the ack latency of each."""
    latencies: list[float] = []
    pending = iter(requests)

    async def worker() -> None:
        for body, headers in pending:  # shared: each request is taken by one worker
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"POST /slack/events answered {response.status}")
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return latencies


async def _done(session: aiohttp.ClientSession, status: str, channels: int) -> dict[str, Any]:
    """Wait until every DM channel has had a post; the fake's status at that moment."""
    while True:
        async with session.get(status + "status") as response:
            found = await response.json()
        if found["channels"] >= channels:
            return dict(found)
        await asyncio.sleep(0.05)


async def _drive(
    session: aiohttp.ClientSession, port: int, status: str, pid: int, journal: Path
) -> tuple[Figures, Figures]:
    """First DMs of USERS leaders, then a second DM from each: figures for both."""
    url = f"http://127.0.0.1:{port}/slack/events"
    await _load(session, url, _signed([f"UWARM{i:04d}" for i in range(WARMUP)]))
    await _done(session, status, WARMUP)
    await _written(journal)
    users = [f"U{i:07d}" for i in range(USERS)]
    first = await _measure(session, url, status, pid, _signed(users), journal=journal)
    second = await _measure(session, url, status, pid, _signed(users, ANSWER), journal=journal)
    return first, second


async def _written(journal: Path) -> float:
    """Wait until peercoach's journal is empty (its files are written); when that was, in
    perf_counter seconds. At once for the echo app, which has none."""
    async with asyncio.timeout(RUN_WITHIN):
        while True:
            if _journal_bytes(journal) == 0:
                return time.perf_counter()
            await asyncio.sleep(0.005)


def _journal_bytes(journal: Path) -> int:
    try:
        return os.stat(journal).st_size
    except FileNotFoundError:
        return 0


async def _measure(
    session: aiohttp.ClientSession,
    url: str,
    status: str,
    pid: int,
    requests: list[tuple[bytes, dict[str, str]]],
    *,
    journal: Path,
) -> Figures:
    """One DM from each leader, the fake's record cleared first; then, apart, how long the
    files the journal deferred took to follow."""
    async with session.post(status + "reset") as response:
        await response.read()
    cpu_before = cpu_seconds(pid)
    started_at, started = time.time(), time.perf_counter()
    latencies = await _load(session, url, requests)
    acked = time.perf_counter() - started
    found = await _done(session, status, USERS)
    cpu, loop_cpu = (
        after - before for after, before in zip(cpu_seconds(pid), cpu_before, strict=True)
    )
    last_reply = time.perf_counter() - (time.time() - found["done_at"])
    files_written = await _written(journal)
    cpu_files = cpu_seconds(pid)[0] - cpu_before[0]
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Figures(
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=cuts[98] * 1000,
        acks_per_s=USERS / acked,
        turns_per_s=USERS / (found["done_at"] - started_at),
        cpu_ms=cpu * 1000 / USERS,
        loop_cpu_ms=loop_cpu * 1000 / USERS,
        calls=found["calls"],
        files_after_ms=max(0.0, files_written - last_reply) * 1000,
        cpu_files_ms=cpu_files * 1000 / USERS,
    )


@contextlib.asynccontextmanager
async def fake_slack(module: str, work: Path) -> AsyncIterator[dict[str, str]]:
    """`python -m MODULE fake` (which calls serve_fake); yields its "api" and "status" URLs
    and stops it on the way out."""
    fake = await spawn(["-m", module, "fake"], work / "fake.log", child_env(), pipe=True)
    try:
        assert fake.stdout is not None
        async with asyncio.timeout(START_WITHIN):
            line = await fake.stdout.readline()
        if not line:
            tail = (work / "fake.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the fake Slack Web API did not start:\n{tail}")
        yield dict(json.loads(line))
    finally:
        await stop(fake)


async def one_run(system: str, **extra: str) -> tuple[Figures, Figures]:
    """One run of `system`; `extra` settings go to peercoach serve (a database URL, say)."""
    with tempfile.TemporaryDirectory(prefix="bench-slack-") as folder:
        work = Path(folder)
        async with fake_slack("bench.slack_turns", work) as urls:
            port = free_port()
            server = await start_server(system, port, urls["api"], work, **extra)
            try:
                await listening(port, server, work / "server.log")
                timeout = aiohttp.ClientTimeout(total=REQUEST_WITHIN)
                connector = aiohttp.TCPConnector(limit=CONCURRENCY)
                async with (
                    aiohttp.ClientSession(timeout=timeout, connector=connector) as session,
                    asyncio.timeout(RUN_WITHIN),
                ):
                    first, second = await _drive(
                        session, port, urls["status"], server.pid, work / "data" / JOURNAL_NAME
                    )
                first.errors = await asyncio.to_thread(errors_logged, work / "server.log")
                return first, second
            finally:
                await stop(server)


async def start_server(
    system: str, port: int, api_url: str, work: Path, **extra: str
) -> asyncio.subprocess.Process:
    """The echo app, or `python -m bot serve` on the data folder WORK/data (with the
    `extra` settings); logs to WORK/server.log."""
    log = work / "server.log"
    if system == "echo":
        return await spawn(
            ["-m", "bench.slack_turns", "echo", str(port), api_url], log, child_env()
        )
    env = child_env(
        PEERCOACH_DATA_DIR=str(work / "data"),
        PEERCOACH_DATA_KEY=generate_key(),  # as deployed: serve seals with the given key
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        PORT=str(port),
        PEERCOACH_LOG_LEVEL="WARNING",
        **extra,
    )
    return await spawn(["-m", "bot", "serve"], log, env)


# ---------------------------------------------------------------- the result


def run() -> BenchResult:
    first: dict[str, list[Figures]] = {system: [] for system in SYSTEMS}
    second: dict[str, list[Figures]] = {system: [] for system in SYSTEMS}
    for _ in range(RUNS):
        for system in SYSTEMS:  # interleaved, so drift on the machine hits both alike
            one, two = asyncio.run(one_run(system))
            first[system].append(one)
            second[system].append(two)

    result = BenchResult(
        "Slack: DM turns from 1,000 leaders, 20 requests in flight",
        f"{USERS:,} signed message.im events from distinct leaders to POST /slack/events, "
        f"{CONCURRENCY} requests in flight, median of {RUNS} runs; then a second DM from each "
        f"(`{ANSWER}`: the answer to the question the first reply ends with). The server, the "
        "fake Slack Web API and the load generator are separate processes. Ack = the HTTP "
        "answer; a turn is complete when the fake has received the reply's chat.postMessage. "
        "peercoach: `peercoach serve` (a first DM: users.info, the welcome turn, a new "
        "leader's file; a second DM: the leader's file read and rewritten). In a burst like "
        "this the files are made durable in the journal and written once the queue is empty, "
        "partly after the last reply: how long after, and the CPU per turn with them, are shown "
        "apart (the next phase starts only once they are written). Baseline: the bare "
        "slack-bolt echo app, same run. Server CPU: all its threads, from the first request "
        "until the last turn completed.",
        target=f"peercoach completes at least {TARGET_RATIO:g}x the echo app's turns per second "
        "(first DMs)",
    )
    _report(result, first, "")
    result.met = _ratios(result, first, "") >= TARGET_RATIO
    _report(result, second, "second DMs, ")
    _ratios(result, second, "second DMs, ")
    calls = first["peercoach"][-1].calls
    per_turn = "(" + ", ".join(f"{m} {n / USERS:g}" for m, n in sorted(calls.items())) + ")"
    result.add("peercoach: Web API calls per first DM", sum(calls.values()) / USERS, "", per_turn)
    calls = second["peercoach"][-1].calls
    per_turn = "(" + ", ".join(f"{m} {n / USERS:g}" for m, n in sorted(calls.items())) + ")"
    result.add("peercoach: Web API calls per second DM", sum(calls.values()) / USERS, "", per_turn)
    return result


def _report(result: BenchResult, runs: dict[str, list[Figures]], kind: str) -> None:
    def each(system: str, field: str) -> list[float]:
        return [getattr(f, field) for f in runs[system]]

    for system in SYSTEMS:
        result.add_runs(f"{system}: {kind}ack p50", each(system, "p50_ms"), "ms")
        result.add_runs(f"{system}: {kind}ack p99", each(system, "p99_ms"), "ms")
        result.add_runs(f"{system}: {kind}acks per second", each(system, "acks_per_s"), "/s")
        result.add_runs(
            f"{system}: {kind}completed turns per second", each(system, "turns_per_s"), "/s"
        )
        result.add_runs(f"{system}: {kind}server CPU per turn", each(system, "cpu_ms"), "ms")
    result.add_runs(
        f"peercoach: {kind}of which the event-loop thread", each("peercoach", "loop_cpu_ms"), "ms"
    )
    result.add_runs(
        f"peercoach: {kind}journal emptied after the last reply",
        each("peercoach", "files_after_ms"),
        "ms",
    )
    result.add_runs(
        f"peercoach: {kind}server CPU per turn, deferred files included",
        each("peercoach", "cpu_files_ms"),
        "ms",
    )
    if not kind:
        for system in SYSTEMS:
            result.add_runs(f"{system}: errors logged by the server", each(system, "errors"), "")


def _ratios(result: BenchResult, runs: dict[str, list[Figures]], kind: str) -> float:
    """Adds the peercoach / echo ratios; returns the turns-per-second one."""
    turns = 0.0
    for field, name in RATIOS:
        ratio = result.add_ratio(
            f"ratio peercoach / echo, {kind}{name}",
            [getattr(f, field) for f in runs["peercoach"]],
            [getattr(f, field) for f in runs["echo"]],
        )
        if field == "turns_per_s":
            turns = ratio
    return turns


RATIOS = (
    ("p50_ms", "ack p50"),
    ("p99_ms", "ack p99"),
    ("acks_per_s", "acks/s"),
    ("turns_per_s", "turns/s"),
    ("cpu_ms", "server CPU per turn"),
)


if __name__ == "__main__":
    if sys.argv[1:2] == ["fake"]:
        asyncio.run(serve_fake())
    elif sys.argv[1:2] == ["echo"]:
        _serve_echo(int(sys.argv[2]), sys.argv[3])
    else:
        print(run().markdown())
