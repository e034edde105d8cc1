"""Combined load (issue 7): 2,000 leaders with five nudge schedules each, 10,000 nudges due in
the same minute, while 20 leaders chat with `peercoach serve` over Slack.

Three processes per run, as in bench/slack_turns.py: this load generator, `python -m bot
serve` (Slack channel, real clock, real APScheduler) and the fake Slack Web API (`python -m
bench.combined_fake fake`). Before the server starts, the data folder is set up with the
leaders' state files and their schedules, all due at the next whole minute at least LEAD
seconds away: nothing is missed at start-up, so APScheduler's own timers fire the 10,000 jobs
at that minute.

Twenty of the leaders chat from the start until the burst has been delivered: one signed
message.im event in flight per leader, a pause of PAUSE seconds after each reply, a script
that runs a coaching conversation and a few commands. Ack = the HTTP answer; a turn is complete
when the fake has received the reply's chat.postMessage (nudges carry their delivery key in the
message metadata, replies do not). Baseline: the same chat load in the same run before the
minute (after a warm-up), so the ratio shows what the burst costs the leaders who are chatting.
"""

import asyncio
import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bench.combined_fake import REPLY_WITHIN
from bench.common import BenchResult
from bench.processes import cpu_seconds, error_kinds, free_port, listening, stop
from bench.slack_turns import SECRET, fake_slack, start_server
from bench.storage import typical_state, write_states
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import UserKey
from bot.schedules.keys import DeliveryKey
from bot.schedules.model import NudgeSchedule
from bot.schedules.store import new_id
from bot.storage.tinydb.users import TinyDBUserStore
from bot.wiring import build_app
from dialogs.model import Profile
from dialogs.recurrence import parse_days
from tests.fakes.slack_signing import TEAM_ID, event_body, message_im, signed_headers

LEADERS, PER_LEADER, CHATTERS, RUNS = 2_000, 5, 20, 3
NUDGES = LEADERS * PER_LEADER
ZONE = "Europe/London"
LEAD = 15  # seconds from set-up to the due minute, at least: set-up, start-up, warm-up, baseline
WARMUP, MARGIN = 3.0, 1.0  # chat not counted: the first seconds, and the last before the minute
MIN_BASELINE = 5.0  # seconds of chat without the burst, at least
PAUSE = (0.5, 1.5)  # seconds a leader takes to read a reply and type the next message
MAX_MESSAGES = 400  # per leader and run
BURST_WITHIN, POLL = 150, 0.25
RUN_WITHIN = 3 * LEAD + 60 + BURST_WITHIN + REPLY_WITHIN
SCRIPT = (
    "start energy",
    "back-to-back meetings that decided nothing",
    "2",
    "walking the wards with the new matron",
    "a 15-minute walk after the Tuesday board",
    "1",
    "journal",
    "stop",
    "schedule",
    "help",
)


def _leader(i: int) -> str:
    return f"U{i:06d}"


# ---------------------------------------------------------------- the parent: set-up


async def _setup(data: Path, due: datetime) -> set[str]:
    """Leaders a few months in, each with PER_LEADER daily schedules at the due minute (local
    time in ZONE), made by their coach; the delivery keys that must reach the fake."""
    app = build_app(Settings(data_dir=data), SystemClock())
    await app.open()
    themes = [theme.id for theme in app.content.themes]
    profile = Profile(
        display_name="Leader",
        timezone=ZONE,
        timezone_source="platform",
        themes=tuple(themes[:3]),
        welcomed_at=due - timedelta(days=60),
        onboarded=True,
    )
    keys = [UserKey("slack", TEAM_ID, _leader(i)) for i in range(LEADERS)]
    assert isinstance(app.users, TinyDBUserStore)  # this benchmark runs on TinyDB
    write_states(app.users, keys, replace(typical_state(), profile=profile))
    local_at = due.astimezone(ZoneInfo(ZONE))
    ids: set[str] = set()
    while len(ids) < NUDGES:  # random ids, as the app makes them: APScheduler runs jobs due
        ids.add(new_id())  # at the same time in id order, so a leader's five are spread out
    shuffled = sorted(ids)
    random.Random(NUDGES).shuffle(shuffled)
    schedules = [
        NudgeSchedule(
            id=schedule_id,
            user=str(keys[n // PER_LEADER]),
            themes=(themes[n % len(themes)],),
            days=parse_days("daily"),
            at=clock_time(local_at.hour, local_at.minute),
            timezone=ZONE,
            created_by="slack:T0FAKE:UCOACH",
            created_at=due - timedelta(days=30),
            origin="coach",
        )
        for n, schedule_id in enumerate(shuffled)
    ]
    await app.schedules.put_schedules(*schedules)
    await app.close()
    return {str(DeliveryKey.for_nudge(s, due)) for s in schedules}


def _progress(what: str) -> None:
    print(f"  {datetime.now(UTC):%H:%M:%S} combined: {what}", file=sys.stderr, flush=True)


def _next_minute(after: float) -> datetime:
    """The first whole minute at least `after` seconds from now."""
    at = datetime.now(UTC) + timedelta(seconds=after)
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1)


# ---------------------------------------------------------------- the parent: chat


@dataclass(frozen=True)
class Sample:
    sent_at: float  # epoch seconds
    ack: float  # seconds until the HTTP answer
    turn: float | None  # seconds until the fake saw the reply; None: no reply within REPLY_WITHIN


async def _chat(
    session: aiohttp.ClientSession, urls: dict[str, str], i: int, until: asyncio.Event
) -> list[Sample]:
    """One leader: a message, wait for the reply, pause, repeat, until told to stop."""
    user, rng, samples = _leader(i), random.Random(i), []
    await asyncio.sleep(rng.uniform(*PAUSE))  # leaders do not all start at once
    for n in range(MAX_MESSAGES):
        if until.is_set():
            break
        body = event_body(message_im(user, SCRIPT[n % len(SCRIPT)]))
        sent_at, started = time.time(), time.perf_counter()
        async with session.post(
            urls["events"], data=body.encode(), headers=signed_headers(SECRET, body)
        ) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"POST /slack/events answered {response.status}")
        ack = time.perf_counter() - started
        query = {"channel": "D" + user, "n": str(n + 1)}
        async with session.get(urls["status"] + "reply", params=query) as response:
            replied_at = (await response.json())["at"]
        samples.append(Sample(sent_at, ack, None if replied_at is None else replied_at - sent_at))
        if replied_at is None:
            break  # its replies are no longer in step with its messages
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(rng.uniform(*PAUSE)):
                await until.wait()
    return samples


async def _get(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with session.get(url) as response:
        return dict(await response.json())


async def _delivered(session: aiohttp.ClientSession, status: str, deadline: float) -> None:
    """Wait until the fake has received every nudge, or the deadline passed."""
    while time.time() < deadline:
        if (await _get(session, status + "deliveries"))["count"] >= NUDGES:
            return
        await asyncio.sleep(POLL)


# ---------------------------------------------------------------- the parent: one run


@dataclass
class Run:
    baseline: list[Sample]
    burst: list[Sample]
    lost: int  # chat messages that got no reply
    due: float
    deliveries: list[tuple[str, float]]
    expected: set[str]
    cpu: float  # server CPU seconds from the due minute until the last delivery
    calls: Counter[str]
    errors: Counter[str] = field(default_factory=Counter)  # what the server logged at ERROR


async def _drive(
    session: aiohttp.ClientSession,
    urls: dict[str, str],
    due: datetime,
    expected: set[str],
    pid: int,
) -> Run:
    chatting, until = time.time(), asyncio.Event()
    if due.timestamp() - chatting < WARMUP + PAUSE[1] + MARGIN + MIN_BASELINE:
        raise TooLateError(f"the server was ready only {due.timestamp() - chatting:.1f} s early")
    chats = [asyncio.create_task(_chat(session, urls, i, until)) for i in range(CHATTERS)]
    try:
        await asyncio.sleep(due.timestamp() - time.time())
        cpu = cpu_seconds(pid)[0]
        _progress("due minute: burst starts")
        await _delivered(session, urls["status"], due.timestamp() + BURST_WITHIN)
        cpu = cpu_seconds(pid)[0] - cpu
        _progress("burst delivered (or given up)")
    finally:
        until.set()
        samples = [s for chat in await asyncio.gather(*chats) for s in chat]
    report = await _get(session, urls["status"] + "report")
    deliveries = [(str(key), float(at)) for key, at in report["deliveries"]]
    ended = max((at for _, at in deliveries), default=time.time())
    start = due.timestamp()
    return Run(
        baseline=[s for s in samples if chatting + WARMUP <= s.sent_at < start - MARGIN],
        burst=[s for s in samples if start <= s.sent_at <= ended],
        lost=sum(1 for s in samples if s.turn is None),
        due=start,
        deliveries=deliveries,
        expected=expected,
        cpu=cpu,
        calls=Counter(report["calls"]),
    )


class TooLateError(Exception):
    """The server came up too close to the due minute to measure chat without the burst."""


async def _one_run(lead: float) -> Run:
    keep = bool(os.environ.get("BENCH_KEEP"))  # keep the data and logs, to look into a run
    with tempfile.TemporaryDirectory(prefix="bench-combined-", delete=not keep) as folder:
        work = Path(folder)
        due = _next_minute(lead)
        _progress(f"set-up in {work}, due at {due:%H:%M:%S}")
        expected = await _setup(work / "data", due)
        _progress("set-up done")
        async with fake_slack("bench.combined_fake", work) as urls:
            port = free_port()
            server = await start_server("peercoach", port, urls["api"], work)
            try:
                await listening(port, server, work / "server.log")
                _progress("server listening")
                urls["events"] = f"http://127.0.0.1:{port}/slack/events"
                timeout = aiohttp.ClientTimeout(total=REPLY_WITHIN + 10)
                async with (
                    aiohttp.ClientSession(timeout=timeout) as session,
                    asyncio.timeout(RUN_WITHIN),
                ):
                    result = await _drive(session, urls, due, expected, server.pid)
            finally:
                await stop(server)
        result.errors = await asyncio.to_thread(error_kinds, work / "server.log")
        if result.errors:
            kept = Path(tempfile.gettempdir()) / f"{work.name}-server.log"
            shutil.copyfile(work / "server.log", kept)
            _progress(f"the server logged errors; its log is kept as {kept}")
        return result


# ---------------------------------------------------------------- the result


def _measured_run() -> Run:
    """One run; on a machine too busy to be ready LEAD seconds ahead, once more with more."""
    try:
        return asyncio.run(_one_run(LEAD))
    except TooLateError as late:
        _progress(f"{late}; again with {3 * LEAD} s to spare")
        return asyncio.run(_one_run(3 * LEAD))


def _p(values: list[float], percent: int) -> float:
    """The percentile (inclusive method), in milliseconds."""
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1] * 1000


def _turns(samples: list[Sample]) -> list[float]:
    return [s.turn for s in samples if s.turn is not None]


def run() -> BenchResult:
    runs = [_measured_run() for _ in range(RUNS)]
    result = BenchResult(
        "Combined: 10,000 nudges due in one minute while 20 leaders chat (Slack)",
        f"{LEADERS:,} leaders (state files of a few months' use), {PER_LEADER} daily nudge "
        f"schedules each, all {NUDGES:,} due at the same minute (local time, {ZONE}), set up in "
        "the data folder before `peercoach serve` starts, so APScheduler's own timers fire "
        f"them on the real clock. {CHATTERS} of the leaders chat throughout: signed message.im "
        "events, one in flight per leader, "
        f"{PAUSE[0]:g}-{PAUSE[1]:g} s pause after each reply, a coaching conversation and "
        "commands. Ack = the HTTP answer; turn = until the fake Slack Web API received the "
        "reply's chat.postMessage. Baseline: the same chat in the same run before the minute "
        f"(after {WARMUP:g} s of warm-up); during the burst: messages sent from the due minute "
        "until the last nudge arrived. Burst: due minute to last delivery seen by the fake; "
        "lag = arrival at the fake minus due time (Slack's one-message-per-second-per-channel "
        f"pacing alone spreads a leader's {PER_LEADER} nudges over {PER_LEADER - 1} s or more). "
        "The fake answers at once and never rate-limits (real Slack rates conversations.open "
        "at Tier 3, 50+ calls a minute, and the burst opens a DM for each leader not seen "
        "since the server started). "
        "Server, fake Web API and load generator are separate processes on 127.0.0.1; fresh "
        f"processes and data per run; median of {RUNS} runs.",
        target="every delivery key reaches the fake Slack Web API exactly once, in every run",
    )
    _add_chat(result, runs)
    _add_burst(result, runs)
    return result


def _add_chat(result: BenchResult, runs: list[Run]) -> None:
    def acks(samples: list[Sample]) -> list[float]:
        return [s.ack for s in samples]

    for label, pick in (("without burst", "baseline"), ("during burst", "burst")):
        chosen = [getattr(r, pick) for r in runs]
        result.add_runs(f"chat {label}: messages measured", [len(c) for c in chosen], "")
        for name, percent in (("p50", 50), ("p99", 99)):
            result.add_runs(
                f"chat {label}: turn {name}", [_p(_turns(c), percent) for c in chosen], "ms"
            )
            result.add_runs(
                f"chat {label}: ack {name}", [_p(acks(c), percent) for c in chosen], "ms"
            )
        slowest = [max(acks(c), default=float("nan")) * 1000 for c in chosen]
        result.add_runs(f"chat {label}: slowest ack", slowest, "ms")
    for name, percent in (("turn p50", 50), ("turn p99", 99)):
        result.add_ratio(
            f"ratio chat {name}, during burst / without",
            [_p(_turns(r.burst), percent) for r in runs],
            [_p(_turns(r.baseline), percent) for r in runs],
        )
    for name, percent in (("ack p50", 50), ("ack p99", 99)):
        result.add_ratio(
            f"ratio chat {name}, during burst / without",
            [_p(acks(r.burst), percent) for r in runs],
            [_p(acks(r.baseline), percent) for r in runs],
        )
    result.add_runs("chat messages without a reply", [r.lost for r in runs], "")


def _add_burst(result: BenchResult, runs: list[Run]) -> None:
    def lags(r: Run) -> list[float]:
        return [at - r.due for _, at in r.deliveries]

    took = [max(lags(r), default=float("nan")) for r in runs]
    result.add_runs("burst: nudges delivered", [len(r.deliveries) for r in runs], "")
    result.add_runs("burst: due minute to last delivery", took, "s")
    per_s = [len(r.deliveries) / t for r, t in zip(runs, took, strict=True)]
    result.add_runs("burst: deliveries per second", per_s, "/s")
    result.add_runs("scheduler lag p50", [_p(lags(r), 50) / 1000 for r in runs], "s")
    result.add_runs("scheduler lag p99", [_p(lags(r), 99) / 1000 for r in runs], "s")
    result.add_runs("scheduler lag max", took, "s")
    first = [min(lags(r), default=float("nan")) for r in runs]
    result.add_runs("first delivery after the due minute", first, "s")
    cores = [r.cpu / t for r, t in zip(runs, took, strict=True)]
    result.add_runs("server CPU during the burst (cores busy)", cores, "")
    calls = ", ".join(f"{method} {n:,}" for method, n in sorted(runs[-1].calls.items()))
    totals = [r.calls.total() for r in runs]
    result.add_runs("Web API calls received by the fake", totals, "", f"(last run: {calls})")
    for name, index in (
        ("delivery keys received twice or more", 0),
        ("delivery keys due but never received", 1),
        ("delivery keys received but not due", 2),
    ):
        result.add_runs(name, [_counts(r)[index] for r in runs], "")
    result.met = all(_counts(r) == (0, 0, 0) for r in runs)
    kinds = sum((r.errors for r in runs), Counter[str]())
    note = ", ".join(f"{kind} x{n}" for kind, n in kinds.most_common())
    note = f"({note})" if note else ""
    result.add_runs("errors logged by the server", [r.errors.total() for r in runs], "", note)


def _counts(r: Run) -> tuple[int, int, int]:
    """(keys received more than once, keys due but missing, keys received but not due)."""
    seen = Counter(key for key, _ in r.deliveries)
    twice = sum(1 for n in seen.values() if n > 1)
    return twice, len(r.expected - seen.keys()), len(seen.keys() - r.expected)


if __name__ == "__main__":
    print(run().markdown())
