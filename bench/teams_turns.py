"""Teams under load, against the bare Microsoft 365 Agents SDK measured in the same run.

1. Message turns: 1,000 leaders (distinct Entra object id, Teams id and personal chat) each
   POST one message to /api/messages, 20 requests in flight. peercoach is `python -m bot
   serve` in local trial; the baseline is bench/baselines/teams_echo.py's echo bot, served
   the same way (`python -m bench.teams_turns echo PORT`). The SDK answers only when the whole
   turn is done, outbound sends included, so the HTTP answer time is the turn time.
2. Proactive sends: 2,000 leaders have each sent one message through `peercoach serve` (so
   peercoach stored their conversation references); then, in a fresh child process built as
   bot/server.py builds it, a nudge schedule per leader falls due and all are fired at once,
   as APScheduler would (`asyncio.gather(scheduler.fire(id) ...)`). Baseline: the bare SDK's
   `continue_conversation_with_claims` sending one plain text to the same 2,000 references.

The load generator, the server (or proactive sender) and the fake Bot Connector
(`python -m bench.teams_turns fake PORT`, on one fixed port so stored references stay valid)
are separate processes on 127.0.0.1. Median of 3 runs each, fresh processes and data per run.
"""

import asyncio
import contextlib
import json
import logging
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from datetime import time as clock_time
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
from tests.fakes import teams_activity as teams
from tests.fakes.bot_connector import FakeBotConnector

USERS, LEADERS, CONCURRENCY, RUNS, WARMUP = 1_000, 2_000, 20, 3, 20
IN_FLIGHT = 64  # DeliveryService's default bound on sends in flight; the baseline gets the same
TARGET_RATIO = 0.5
REQUEST_WITHIN, RUN_WITHIN, CHILD_LIFETIME = 10, 120, 600
SYSTEMS = ("echo", "peercoach")
SENDERS = ("sdk", "peercoach", "notifier")


def _key(prefix: str, i: int) -> tuple[str, str, str]:
    """(Entra object id, Teams user id, personal conversation id) of leader i."""
    return f"{prefix}-{i:06d}-aad", f"29:{prefix}-{i:06d}", f"a:{prefix}-{i:06d}"


# ---------------------------------------------------------------- child: the fake connector


class _ConnectorOnPort(FakeBotConnector):
    """The test fake, on a fixed port: references stored in one process must stay valid."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port


def _status_app(fake: FakeBotConnector) -> web.Application:
    """GET /status: accepted POSTs, distinct conversations, failed requests. POST /reset."""

    async def status(_: web.Request) -> web.Response:
        posts = [r for r in fake.requests if r.method == "POST" and r.ok]
        return web.json_response(
            {
                "posts": len(posts),
                "conversations": len({r.conversation_id for r in posts}),
                "requests": len(fake.requests),
                "failed": sum(1 for r in fake.requests if not r.ok),
            }
        )

    async def reset(_: web.Request) -> web.Response:
        fake.reset()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/status", status)
    app.router.add_post("/reset", reset)
    return app


async def _serve_fake(port: int) -> None:
    """Prints the status URL, then lives until stdin closes (bounded by CHILD_LIFETIME)."""
    async with _ConnectorOnPort(port) as fake:
        runner = web.AppRunner(_status_app(fake), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        print(json.dumps({"status": f"http://127.0.0.1:{runner.addresses[0][1]}/"}), flush=True)
        stdin = asyncio.StreamReader()
        await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CHILD_LIFETIME):
                await stdin.read()
        await runner.cleanup()


# ---------------------------------------------------------------- child: the echo baseline


def _serve_echo(port: int) -> None:
    from bench.baselines.teams_echo import build_echo_app  # noqa: PLC0415

    logging.basicConfig(level=logging.WARNING)  # as peercoach serve logs: WARNING and up
    web.run_app(build_echo_app(), host="127.0.0.1", port=port, print=None, access_log=None)


# ---------------------------------------------------------------- child: proactive senders


async def _send_peercoach(data: Path, *, direct: bool) -> dict[str, float]:
    """The app as bot/server.py builds it (local trial); each leader's nudge through the
    scheduler and delivery service, or (direct) one text straight through the notifier."""
    from bot.clock import SystemClock  # noqa: PLC0415 - the children import only what they use
    from bot.config import Settings  # noqa: PLC0415
    from bot.domain import Reply, UserKey  # noqa: PLC0415
    from bot.logs import setup_logging  # noqa: PLC0415
    from bot.schedules.model import NudgeSchedule  # noqa: PLC0415
    from bot.server import build_channels  # noqa: PLC0415
    from bot.wiring import build_app  # noqa: PLC0415
    from dialogs.model import Say  # noqa: PLC0415
    from dialogs.recurrence import parse_days  # noqa: PLC0415

    setup_logging("WARNING")
    app = build_app(Settings(data_dir=data, local_trial=True), SystemClock())
    channels = build_channels(app)
    assert channels.teams is not None
    notifier = channels.teams.notifier
    await app.open()
    app.notifiers["teams"] = notifier
    scheduler = await app.start_scheduler(timers=False)
    users = [UserKey("teams", teams.TENANT_ID, _key("leader", i)[0]) for i in range(LEADERS)]
    now = app.clock.now()
    due = (now - timedelta(minutes=1)).astimezone(UTC)
    schedules = [
        NudgeSchedule(
            id=f"bench{i:05d}",
            user=str(user),
            themes=("influence", "resilience"),
            days=parse_days("daily"),
            at=clock_time(due.hour, due.minute),
            timezone="UTC",
            created_by="console:coach",
            created_at=now,
        )
        for i, user in enumerate(users)
    ]
    await app.schedules.put_schedules(*schedules)  # after start: catch-up must not send them
    slots = asyncio.Semaphore(IN_FLIGHT)
    reply = Reply(messages=(Say("A moment to pause: what went well today?"),))

    async def direct_send(i: int, user: UserKey) -> None:
        async with slots:
            await notifier.deliver(user, reply, f"bench:{i}")

    cpu, started = _own_cpu(), time.perf_counter()
    if direct:
        await asyncio.gather(*(direct_send(i, u) for i, u in enumerate(users)))
        sent = LEADERS
    else:
        await asyncio.gather(*(scheduler.fire(s.id) for s in schedules))
        sent = app.deliveries.stats.delivered
    wall, cpu = time.perf_counter() - started, _own_cpu() - cpu
    retried = app.deliveries.stats.retried  # a transient failure waits >= 1 s before retrying
    await app.close()
    return {"wall": wall, "sent": sent, "cpu": cpu, "retried": retried}


async def _send_sdk(data: Path) -> dict[str, float]:
    """The bare SDK: plain text to each stored reference, anonymous (as in local trial)."""
    from microsoft_agents.hosting.aiohttp import CloudAdapter  # noqa: PLC0415
    from microsoft_agents.hosting.core import (  # noqa: PLC0415
        AnonymousTokenProvider,
        ConnectionManager,
        TurnContext,
    )
    from microsoft_agents.hosting.core.app.proactive import Conversation  # noqa: PLC0415

    from bot.channels.teams.bot import CONVERSATION  # noqa: PLC0415
    from bot.domain import UserKey  # noqa: PLC0415
    from bot.storage.tinydb.users import TinyDBUserStore  # noqa: PLC0415

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("microsoft_agents").setLevel(logging.ERROR)  # "no App ID" per send
    store = TinyDBUserStore(data)  # read before timing: the references, as stored JSON
    stored = await asyncio.gather(
        *(
            store.load_extra(UserKey("teams", teams.TENANT_ID, _key("leader", i)[0]), CONVERSATION)
            for i in range(LEADERS)
        )
    )
    store.close()
    manager = ConnectionManager(
        provider_factory=lambda _config: AnonymousTokenProvider(),
        CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": {}}},
    )
    adapter = CloudAdapter(connection_manager=manager)
    slots = asyncio.Semaphore(IN_FLIGHT)
    sent: list[int] = []

    async def send_one(item: dict[str, Any]) -> None:
        conversation = Conversation.from_json_to_store_item(item["conversation"])

        async def callback(turn_context: TurnContext) -> None:
            await turn_context.send_activity("A moment to pause: what went well today?")
            sent.append(1)

        async with slots:
            await adapter.continue_conversation_with_claims(
                Conversation.identity_from_claims(conversation.claims),
                conversation.conversation_reference.get_continuation_activity(),
                callback,
            )

    cpu, started = _own_cpu(), time.perf_counter()
    await asyncio.gather(*(send_one(item) for item in stored if item))
    return {"wall": time.perf_counter() - started, "sent": len(sent), "cpu": _own_cpu() - cpu}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _proactive_child(sender: str, data: Path) -> None:
    if sender == "sdk":
        result = asyncio.run(_send_sdk(data))
    else:
        result = asyncio.run(_send_peercoach(data, direct=sender == "notifier"))
    print(json.dumps(result), flush=True)


# ---------------------------------------------------------------- the parent: processes


@contextlib.asynccontextmanager
async def _fake_connector(connector_port: int, work: Path) -> AsyncIterator[str]:
    """The fake Bot Connector child; yields its status URL and stops it on the way out."""
    fake = await spawn(
        ["-m", "bench.teams_turns", "fake", str(connector_port)],
        work / "fake.log",
        child_env(),
        pipe=True,
    )
    try:
        assert fake.stdout is not None
        async with asyncio.timeout(START_WITHIN):
            line = await fake.stdout.readline()
        if not line:
            tail = (work / "fake.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"fake Bot Connector did not start:\n{tail}")
        yield json.loads(line)["status"]
    finally:
        await stop(fake)


async def _server(system: str, port: int, data: Path, work: Path) -> asyncio.subprocess.Process:
    log = work / f"{system}-server.log"
    if system == "echo":
        server = await spawn(["-m", "bench.teams_turns", "echo", str(port)], log, child_env())
    else:
        env = child_env(
            PEERCOACH_LOCAL_TRIAL="1",
            PEERCOACH_DATA_DIR=str(data),
            PORT=str(port),
            PEERCOACH_LOG_LEVEL="WARNING",
        )
        server = await spawn(["-m", "bot", "serve"], log, env)
    await listening(port, server, log)
    return server


async def _status(session: aiohttp.ClientSession, status: str) -> dict[str, int]:
    async with session.get(status + "status") as response:
        return dict(await response.json())


async def _reset(session: aiohttp.ClientSession, status: str) -> None:
    async with session.post(status + "reset") as response:
        await response.read()


# ---------------------------------------------------------------- the parent: load


def _messages(prefix: str, count: int, service_url: str) -> list[bytes]:
    bodies = []
    for i in range(count):
        aad, user, chat = _key(prefix, i)
        activity = teams.personal_message(
            service_url, "hello", conversation_id=chat, user_id=user, aad_object_id=aad
        )
        bodies.append(json.dumps(activity).encode())
    return bodies


async def _load(session: aiohttp.ClientSession, url: str, bodies: list[bytes]) -> list[float]:
    """Post every body with CONCURRENCY in flight; the answer time of each."""
    latencies: list[float] = []
    pending = iter(bodies)
    headers = {"Content-Type": "application/json"}

    async def worker() -> None:
        for body in pending:  # shared: each body is taken by one worker
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status not in (200, 201, 202):
                    raise RuntimeError(f"POST /api/messages answered {response.status}")
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return latencies


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=REQUEST_WITHIN),
        connector=aiohttp.TCPConnector(limit=CONCURRENCY),
    )


@dataclass
class Turns:
    p50_ms: float
    p99_ms: float
    per_s: float
    cpu_ms: float  # the server process's CPU time per turn, all threads
    sends: float  # connector POSTs per turn
    errors: int = 0


async def _turn_run(system: str, connector_port: int) -> Turns:
    with tempfile.TemporaryDirectory(prefix="bench-teams-") as folder:
        work = Path(folder)
        service_url = f"http://127.0.0.1:{connector_port}/"
        async with _fake_connector(connector_port, work) as status:
            port = free_port()
            server = await _server(system, port, work / "data", work)
            try:
                async with _session() as session, asyncio.timeout(RUN_WITHIN):
                    url = f"http://127.0.0.1:{port}/api/messages"
                    await _load(session, url, _messages("warm", WARMUP, service_url))
                    await _reset(session, status)
                    bodies = _messages("user", USERS, service_url)
                    cpu = cpu_seconds(server.pid)[0]
                    started = time.perf_counter()
                    latencies = await _load(session, url, bodies)
                    wall = time.perf_counter() - started
                    cpu = cpu_seconds(server.pid)[0] - cpu
                    found = await _status(session, status)
            finally:
                await stop(server)
        if found["conversations"] != USERS or found["failed"]:
            raise RuntimeError(f"{system}: the connector saw {found}, expected {USERS} chats")
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        return Turns(
            p50_ms=statistics.median(latencies) * 1000,
            p99_ms=cuts[98] * 1000,
            per_s=USERS / wall,
            cpu_ms=cpu * 1000 / USERS,
            sends=found["posts"] / USERS,
            errors=errors_logged(work / f"{system}-server.log"),
        )


# ---------------------------------------------------------------- the parent: proactive


async def _setup_leaders(data: Path, connector_port: int, work: Path) -> None:
    """LEADERS first messages through `peercoach serve`: it stores their references."""
    async with _fake_connector(connector_port, work) as status:
        port = free_port()
        server = await _server("peercoach", port, data, work)
        try:
            async with _session() as session, asyncio.timeout(RUN_WITHIN):
                service_url = f"http://127.0.0.1:{connector_port}/"
                url = f"http://127.0.0.1:{port}/api/messages"
                await _load(session, url, _messages("leader", LEADERS, service_url))
                found = await _status(session, status)
        finally:
            await stop(server)
    if found["conversations"] != LEADERS:
        raise RuntimeError(f"setup: the connector saw {found}, expected {LEADERS} chats")


async def _proactive_run(sender: str, master: Path, connector_port: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-teams-send-") as folder:
        work = Path(folder)
        data = work / "data"
        await asyncio.to_thread(shutil.copytree, master, data)  # fresh ledger every run
        async with _fake_connector(connector_port, work) as status:
            log = work / "sender.log"
            child = await spawn(
                ["-m", "bench.teams_turns", "send", sender, str(data)],
                log,
                child_env(),
                pipe=True,
            )
            try:
                assert child.stdout is not None
                async with asyncio.timeout(RUN_WITHIN):
                    out = await child.stdout.read()
                    await child.wait()
            finally:
                await stop(child)
            if child.returncode != 0:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{sender} sender exited with {child.returncode}:\n{tail}")
            result = dict(json.loads(out.decode().strip().splitlines()[-1]))
            async with _session() as session:
                found = await _status(session, status)
        if result["sent"] != LEADERS or found["conversations"] != LEADERS or found["failed"]:
            raise RuntimeError(f"{sender}: sent {result['sent']}, the connector saw {found}")
        result["posts"] = found["posts"]
        result["errors"] = errors_logged(log)
        return result


async def _proactive(connector_port: int) -> dict[str, list[dict[str, float]]]:
    runs: dict[str, list[dict[str, float]]] = {sender: [] for sender in SENDERS}
    with tempfile.TemporaryDirectory(prefix="bench-teams-leaders-") as folder:
        work = Path(folder)
        await _setup_leaders(work / "data", connector_port, work)
        for _ in range(RUNS):
            for sender in SENDERS:
                runs[sender].append(await _proactive_run(sender, work / "data", connector_port))
    return runs


# ---------------------------------------------------------------- the result


DESCRIPTION = (
    f"Turns: {USERS:,} personal-chat messages from distinct leaders (Entra id, Teams id, chat) "
    f"to POST /api/messages, {CONCURRENCY} in flight; latency = the HTTP answer, which the "
    "Agents SDK gives only after the whole turn, outbound sends included. peercoach: "
    "`peercoach serve` in local trial (a first message: the welcome turn, reference and state "
    "saved durably). Baseline: the bare Agents SDK echo bot (ActivityHandler + CloudAdapter), "
    f"same run. Proactive: {LEADERS:,} leaders who each sent one message through `peercoach "
    "serve`; then, in a fresh process built as the server is, a nudge schedule per leader due "
    "now, all fired at once as APScheduler would (delivery service: ledger pending, engine "
    "turn, durable save, load the reference, continue_conversation_with_claims, send the "
    "nudge card, remember it, ledger sent). Also: one text per leader straight through the "
    "Teams notifier. Baseline: the bare SDK's continue_conversation_with_claims with one plain "
    f"text per reference, {IN_FLIGHT} in flight (as the delivery service). Load generator, "
    "server and fake Bot Connector are separate processes on 127.0.0.1; median of "
    f"{RUNS} runs each. Where the issue asks for a bare botbuilder echo as the baseline, this "
    "is it: `botbuilder-core` (the Bot Framework SDK) is archived, and the Microsoft 365 "
    "Agents SDK, which peercoach runs on, is its maintained successor with the same "
    "ActivityHandler / TurnContext / CloudAdapter shapes."
)
SENDER_NAMES = {
    "sdk": "bare SDK",
    "peercoach": "peercoach nudges",
    "notifier": "peercoach notifier",
}


def run() -> BenchResult:
    connector_port = free_port()
    turns: dict[str, list[Turns]] = {system: [] for system in SYSTEMS}
    for _ in range(RUNS):
        for system in SYSTEMS:  # interleaved, so drift on the machine hits both alike
            turns[system].append(asyncio.run(_turn_run(system, connector_port)))
    sends = asyncio.run(_proactive(connector_port))
    result = BenchResult(
        "Teams: message turns from 1,000 leaders, and proactive sends to 2,000",
        DESCRIPTION,
        target=f"peercoach handles at least {TARGET_RATIO:g}x the echo bot's turns per second",
    )
    _add_turns(result, turns)
    _add_sends(result, sends)
    return result


def _each(runs: list[Turns], name: str) -> list[float]:
    return [getattr(t, name) for t in runs]


def _add_turns(result: BenchResult, turns: dict[str, list[Turns]]) -> None:
    for system in SYSTEMS:
        runs = turns[system]
        result.add_runs(f"{system}: turn p50", _each(runs, "p50_ms"), "ms")
        result.add_runs(f"{system}: turn p99", _each(runs, "p99_ms"), "ms")
        result.add_runs(f"{system}: turns per second", _each(runs, "per_s"), "/s")
        result.add_runs(f"{system}: server CPU per turn", _each(runs, "cpu_ms"), "ms")
        result.add_runs(f"{system}: connector POSTs per turn", _each(runs, "sends"), "")
        result.add_runs(f"{system}: errors logged", _each(runs, "errors"), "")
    for name, label in (("per_s", "turns/s"), ("p50_ms", "p50"), ("cpu_ms", "CPU per turn")):
        ratio = result.add_ratio(
            f"ratio peercoach / echo, {label}",
            _each(turns["peercoach"], name),
            _each(turns["echo"], name),
        )
        if name == "per_s":
            result.met = ratio >= TARGET_RATIO


def _add_sends(result: BenchResult, sends: dict[str, list[dict[str, float]]]) -> None:
    def per_s(sender: str) -> list[float]:
        return [LEADERS / r["wall"] for r in sends[sender]]

    for sender in SENDERS:
        name, runs = SENDER_NAMES[sender], sends[sender]
        result.add_runs(f"{name}: sends per second", per_s(sender), "/s")
        cpu_ms = [r["cpu"] * 1000 / LEADERS for r in runs]
        result.add_runs(f"{name}: sender CPU per send", cpu_ms, "ms")
    result.add_runs(
        "peercoach nudges: retried after a failure",
        [r.get("retried", 0) for r in sends["peercoach"]],
        "",
    )
    errors = [sum(r["errors"] for r in run) for run in zip(*sends.values(), strict=True)]
    result.add_runs("proactive: errors logged by the three senders", errors, "")
    for sender in ("peercoach", "notifier"):
        result.add_ratio(
            f"ratio {SENDER_NAMES[sender]} / bare SDK, sends/s", per_s(sender), per_s("sdk")
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["fake"]:
        asyncio.run(_serve_fake(int(sys.argv[2])))
    elif sys.argv[1:2] == ["echo"]:
        _serve_echo(int(sys.argv[2]))
    elif sys.argv[1:2] == ["send"]:
        _proactive_child(sys.argv[2], Path(sys.argv[3]))
    else:
        print(run().markdown())
