"""Scheduler failover on PostgreSQL (issue 13 §5): kill -9 of the active scheduler during a
fan-out, then how long until the standby's first delivery, and deliveries doubled or lost.

Two real processes on one database (`python -m bench.failover child URL OUT NAME`), each an
app on PostgreSQL (`build_app(..., Database)`) contending for scheduler leadership through the
advisory lock with the production timings (PostgresLeadership, 2 s), and starting the
scheduler as `serve` does when it leads (catch-up in the background, timers on). Both send to
one file notifier that appends and fsyncs a line per delivery (key, sender, time), and, like
Slack's message metadata, answers whether a key went out. LEADERS leaders are due a minute
ago, so the leader's start-up catch-up is the fan-out. Once the first process has sent KILL_AT
of them, and then a further 0, 2/3 or 4/3 s (run by run, so that the kill lands at a different
moment of the standby's 2 s cycle of tries), it is killed with SIGKILL; the standby takes the
lock, resolves what was left pending, and sends the rest. Takeover = from the kill to the
standby's first line. Doubled = keys with more than one line; lost = keys with none once the
standby has finished (or after FINISH_WITHIN seconds). Fresh database and processes per run,
median of 3, on a PostgreSQL 15 started for the run with durable settings. Target: takeover
under 10 s, nothing doubled or lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench.common import BenchResult
from bench.processes import child_env, spawn, stop
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import Reply, UserKey
from bot.schedules.model import NudgeSchedule
from bot.storage.postgres.leadership import INTERVAL, PostgresLeadership
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import Database, build_app
from dialogs.recurrence import parse_days

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
LEADERS, KILL_AT, RUNS = 2_000, 300, 3
SEND_TIME = 0.02  # seconds of "network" per delivery, so that the kill lands mid fan-out
TAKEOVER_TARGET = 10.0
ACTIVE_WITHIN, FINISH_WITHIN, CHILD_LIFETIME = 30, 90, 180


# ---------------------------------------------------------------- child: one instance


class StampedNotifier:
    """One fsynced line per delivery: `KEY SENDER EPOCH_SECONDS`."""

    def __init__(self, path: Path, sender: str) -> None:
        self.path = path
        self.sender = sender
        self.handle = path.open("a", encoding="utf-8")

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        await asyncio.sleep(SEND_TIME)
        self.handle.write(f"{delivery} {self.sender} {time.time():.6f}\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:
        return delivery in {line.split(" ", 1)[0] for line in _lines(self.path)}


def _lines(path: Path) -> list[str]:
    """Complete lines only (a kill may leave half of one)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [line for line in text.split("\n")[:-1] if line.count(" ") == 2]


async def _child(url: str, out: Path, sender: str) -> None:
    database_url = DatabaseUrl.parse(url)
    pool: Any = await open_pool(database_url)
    folder = Path(tempfile.mkdtemp(prefix="peercoach-bench-failover-"))
    app = build_app(
        Settings(data_dir=folder, content_dir=CONTENT), SystemClock(), Database(database_url, pool)
    )
    app.notifiers["console"] = StampedNotifier(out, sender)
    await app.open()
    leadership = PostgresLeadership(database_url)

    async def lead() -> None:
        print("active", flush=True)
        await app.start_scheduler(timers=True, background=True)  # as serve does

    async def stand_by() -> None:
        if app.scheduler is not None:
            await app.scheduler.stop()

    await leadership.start(lead, stand_by)
    print("started", flush=True)
    stdin = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin
    )
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(CHILD_LIFETIME):  # bounded even if stdin stays open
            await stdin.read()
    await leadership.stop()
    await app.close()
    await pool.close()
    shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- the parent: one run


async def _setup(url: DatabaseUrl) -> None:
    """LEADERS daily nudges due a minute ago, and a last tick before that (the scheduler was
    last up before they fell due)."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    pool: Any = await open_pool(url)
    folder = Path(tempfile.mkdtemp(prefix="peercoach-bench-failover-setup-"))
    try:
        app = build_app(
            Settings(data_dir=folder, content_dir=CONTENT), SystemClock(), Database(url, pool)
        )
        await app.open()
        await app.schedules.put_schedules(
            *(
                NudgeSchedule(
                    id=f"s{i:05d}",
                    user=f"console:leader{i:05d}",
                    themes=("influence",),
                    days=parse_days("daily"),
                    at=clock_time(due.hour, due.minute),
                    timezone="UTC",
                    created_by="console:coach",
                    created_at=now,
                )
                for i in range(LEADERS)
            )
        )
        await app.ledger.tick(due - timedelta(minutes=5))
        await app.close()
    finally:
        await pool.close()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Run:
    takeover_s: float  # kill -9 to the standby's first delivery
    lock_s: float  # kill -9 to the standby saying it leads
    before_kill: int  # lines the first leader wrote
    doubled: int
    lost: int
    finished_s: float  # kill -9 to the last delivery


async def _line(process: asyncio.subprocess.Process, wanted: str) -> float:
    """Wait for the child to print `wanted`; when, in epoch seconds."""
    assert process.stdout is not None
    async with asyncio.timeout(ACTIVE_WITHIN):
        while True:
            line = await process.stdout.readline()
            if not line:
                raise RuntimeError(f"a failover child exited before saying {wanted!r}")
            if line.decode().strip() == wanted:
                return time.time()


async def _one_run(url: str, work: Path, delay: float) -> Run:
    await _setup(DatabaseUrl.parse(url))
    out = work / "sent.log"
    out.touch()
    env = child_env()
    first = await spawn(["-m", "bench.failover", "child", url, str(out), "a"], work / "a.log",
                        env, pipe=True)  # fmt: skip
    second: asyncio.subprocess.Process | None = None
    try:
        await _line(first, "active")  # it leads and has begun the fan-out
        second = await spawn(["-m", "bench.failover", "child", url, str(out), "b"],
                             work / "b.log", env, pipe=True)  # fmt: skip
        await _line(second, "started")  # contending: the lock is taken, it stands by
        async with asyncio.timeout(FINISH_WITHIN):
            while True:  # polled: the lines come from another process
                if len(_lines(out)) >= KILL_AT:
                    break
                await asyncio.sleep(0.005)
        await asyncio.sleep(delay)
        killed_at = time.time()
        os.kill(first.pid, signal.SIGKILL)
        await first.wait()
        before_kill = len(_lines(out))
        active_at = await _line(second, "active")
        keys: Counter[str] = Counter()
        async with asyncio.timeout(FINISH_WITHIN):
            while True:
                lines = [line.split(" ") for line in _lines(out)]
                keys = Counter(key for key, _, _ in lines)
                if len(keys) >= LEADERS:
                    break
                await asyncio.sleep(0.05)
        await asyncio.sleep(2)  # anything sent twice would follow here
        lines = [line.split(" ") for line in _lines(out)]
        keys = Counter(key for key, _, _ in lines)
        by_standby = [float(at) for _, sender, at in lines if sender == "b"]
        if not by_standby:
            raise RuntimeError("the standby sent nothing: the fan-out ended before the kill")
        return Run(
            takeover_s=min(by_standby) - killed_at,
            lock_s=active_at - killed_at,
            before_kill=before_kill,
            doubled=sum(1 for n in keys.values() if n > 1),
            lost=LEADERS - len(keys),
            finished_s=max(float(at) for _, _, at in lines) - killed_at,
        )
    finally:
        for process in (first, second):
            if process is not None:
                await stop(process)


def run() -> BenchResult:
    from bench.pg_ledger import _durable_server  # noqa: PLC0415

    result = BenchResult(
        "Failover: kill -9 of the active scheduler during a fan-out, on PostgreSQL",
        f"{LEADERS:,} deliveries due; two instances on one database (advisory-lock "
        "leadership, production timings: 2 s between a standby's tries); the active one is "
        f"killed with SIGKILL once {KILL_AT} have gone out and a further 0, 2/3 or 4/3 s (run "
        "by run: the kill lands at a different moment of the standby's cycle). Takeover: from "
        "the kill to the standby's first delivery; doubled and lost counted from the "
        "notifier's own record, every key once. Fresh database and processes per run, "
        "median of 3.",
        target=f"takeover under {TAKEOVER_TARGET:g} s; 0 deliveries doubled, 0 lost",
    )
    try:
        server = _durable_server()
    except BaseException as error:
        result.add("skipped", float("nan"), "", f"no PostgreSQL server ({type(error).__name__})")
        return result
    runs: list[Run] = []
    try:
        for number in range(RUNS):
            url = asyncio.run(server.fresh_database())
            delay = number * INTERVAL / RUNS
            with tempfile.TemporaryDirectory(prefix="peercoach-bench-failover-") as folder:
                runs.append(asyncio.run(_one_run(url, Path(folder), delay)))
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)
    takeover = result.add_runs(
        "kill -9 to the standby's first delivery", [r.takeover_s for r in runs], "s"
    )
    result.add_runs("kill -9 to the standby leading", [r.lock_s for r in runs], "s")
    result.add_runs("delivered before the kill", [r.before_kill for r in runs], "")
    result.add_runs("kill -9 to the last delivery", [r.finished_s for r in runs], "s")
    result.add_runs("deliveries doubled", [r.doubled for r in runs], "")
    result.add_runs("deliveries lost", [r.lost for r in runs], "")
    result.met = (
        takeover < TAKEOVER_TARGET
        and max(r.takeover_s for r in runs) < TAKEOVER_TARGET
        and all(r.doubled == 0 and r.lost == 0 for r in runs)
    )
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        asyncio.run(_child(sys.argv[2], Path(sys.argv[3]), sys.argv[4]))
    else:
        print(run().markdown())
