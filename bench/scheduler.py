"""Scheduler figures (issue 3): start-up with 10,000 stored schedules, and a fan-out of
10,000 deliveries due in one minute to a notifier that does nothing.

Each figure is measured in a fresh child process (wall time and peak RSS), median of 3
runs, beside a baseline from the same run: the same process with 10 schedules.
Targets on a 2-core machine: start-up under 3 s, peak RSS under 250 MB, fan-out under 10 s.
"""

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bench.common import BenchResult
from bot.config import Settings
from bot.domain import Reply, UserKey
from bot.schedules.model import NudgeSchedule
from bot.wiring import build_app
from dialogs.recurrence import parse_days

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
BIG, SMALL, RUNS = 10_000, 10, 3
DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


class NullNotifier:
    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        """Sends nothing: the figure is peercoach's own cost."""

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:
        return None


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


async def _setup(data: Path, count: int) -> None:
    app = build_app(Settings(data_dir=data, content_dir=CONTENT), FixedClock(DUE))
    await app.open()
    await app.schedules.put_schedules(*_schedules(count))
    await app.close()


def _schedules(count: int) -> list[NudgeSchedule]:
    """`count` leaders' weekday nudges, all due at DUE."""
    return [
        NudgeSchedule(
            id=f"s{i:05d}",
            user=f"slack:T1:U{i:05d}",
            themes=("influence", "resilience"),
            days=parse_days("weekdays"),
            at=clock_time(8, 30),
            timezone="Europe/London",
            created_by="console:coach",
            created_at=DUE - timedelta(days=1),
        )
        for i in range(count)
    ]


async def _startup(data: Path) -> dict[str, float]:
    started = time.perf_counter()
    app = build_app(Settings(data_dir=data, content_dir=CONTENT), FixedClock(DUE))
    await app.open()
    await app.start_scheduler(timers=True)
    wall = time.perf_counter() - started
    await app.close()
    return {"wall": wall}


async def _fanout(data: Path) -> dict[str, float]:
    clock = FixedClock(DUE + timedelta(seconds=1))
    app = build_app(Settings(data_dir=data, content_dir=CONTENT), clock)
    app.notifiers["slack"] = NullNotifier()
    await app.open()
    scheduler = await app.start_scheduler(timers=False)
    ids = [s.id for s in app.schedules.schedules()]
    started = time.perf_counter()
    await asyncio.gather(*(scheduler.fire(i) for i in ids))  # as APScheduler's tasks would
    wall = time.perf_counter() - started
    sent = app.deliveries.stats.delivered
    await app.close()
    return {"wall": wall, "sent": sent}


def _child(mode: str, data: Path) -> None:
    result = asyncio.run(_startup(data) if mode == "startup" else _fanout(data))
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _measure(mode: str, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        asyncio.run(_setup(data, count))
        out = subprocess.run(
            [sys.executable, "-m", "bench.scheduler", mode, str(data)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run() -> BenchResult:
    figures: dict[str, list[dict[str, float]]] = {}
    for _ in range(RUNS):
        for mode in ("startup", "fanout"):  # interleaved, so drift hits 10 and 10,000 alike
            for count in (SMALL, BIG):
                figures.setdefault(f"{mode}-{count}", []).append(_measure(mode, count))

    def each(key: str, field: str, scale: float = 1.0) -> list[float]:
        return [r[field] * scale for r in figures[key]]

    result = BenchResult(
        "Scheduler: start-up and fan-out with 10,000 leaders",
        "Child process per measurement, median of 3. Start-up: build, load schedules, replay "
        "the ledger, catch up, build 10,000 APScheduler jobs. Fan-out: 10,000 deliveries due "
        "in one minute fired concurrently (as APScheduler's job tasks), each one ledger "
        "pending + engine turn + durable per-leader save + send + ledger sent, to a notifier "
        "that does nothing. Baseline: the same with 10 leaders, in the same run.",
        target="start-up < 3 s, peak RSS < 250 MB, fan-out of 10,000 < 10 s",
    )
    result.add_runs("start-up, 10 schedules", each(f"startup-{SMALL}", "wall"), "s")
    startup = result.add_runs("start-up, 10,000 schedules", each(f"startup-{BIG}", "wall"), "s")
    result.add_ratio(
        "ratio start-up 10,000 / 10",
        each(f"startup-{BIG}", "wall"),
        each(f"startup-{SMALL}", "wall"),
    )
    startup_rss = result.add_runs(
        "peak RSS at start-up, 10,000", each(f"startup-{BIG}", "rss_mb"), "MB"
    )
    result.add_runs("fan-out, 10 deliveries", each(f"fanout-{SMALL}", "wall"), "s")
    fanout = result.add_runs("fan-out, 10,000 deliveries", each(f"fanout-{BIG}", "wall"), "s")
    result.add_runs(
        "deliveries per second, 10,000", [BIG / w for w in each(f"fanout-{BIG}", "wall")], "/s"
    )
    result.add_ratio(
        "ratio time per delivery, 10,000 / 10",
        each(f"fanout-{BIG}", "wall", 1 / BIG),
        each(f"fanout-{SMALL}", "wall", 1 / SMALL),
    )
    fanout_rss = result.add_runs(
        "peak RSS during fan-out, 10,000", each(f"fanout-{BIG}", "rss_mb"), "MB"
    )
    result.add_runs("delivered in the 10,000 fan-out", each(f"fanout-{BIG}", "sent"), "")
    result.met = startup < 3 and max(startup_rss, fanout_rss) < 250 and fanout < 10
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3:
        _child(sys.argv[1], Path(sys.argv[2]))
    else:
        print(run().markdown())
