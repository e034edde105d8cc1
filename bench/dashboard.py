"""The coach's dashboard page (issue 15 §3): GET /dashboard for a coach with 1,000 leaders
and a year of history, against the same page for a coach with 10 leaders (the baseline), in
the same run, on PostgreSQL 15 on 127.0.0.1, through aiohttp's client over loopback.

Each size: a fresh database, the cohort seeded through the real stores
(tests/dashboard/seed.py), one sign-in and one view (the first after the upgrade: the
coach's cohort totals are made, once, from every leader's glance); then a restart (a new
application and pool on the same database, nothing kept in the process) and its first view
(the totals, kept in the database, and the glances of the 50 leaders shown), the median of
20 further views, and the first view after a fan-out wrote every leader's state (a nudge
each, through the store's turns, each adding its difference to the totals in the same
statement). Median of 3 runs. Target: the page at 1,000 leaders under 3x the page at 10,
and under 300 ms; the same for the first view after a restart and after a fan-out"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bench.common import BenchResult, median
from bot.config import Settings
from bot.domain import UserKey
from bot.server import Channels, build_web_app
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import Database, build_app
from dialogs.model import NudgeRecord, UserState
from tests.conftest import CONTENT_DIR, FakeClock
from tests.dashboard.conftest import COACH, PUBLIC_URL, csrf_of
from tests.dashboard.seed import seed_cohort, sign_in_link

SIZES, WEEKS, VIEWS, RUNS = (10, 1000), 52, 20, 3
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def _views(server: Any, leaders: int) -> tuple[float, float, float, float, int]:
    """(first view after the upgrade, first view after a restart, median later view, view
    after a fan-out) in seconds, and the page's size in bytes."""
    url = DatabaseUrl.parse(await server.fresh_database())
    folder = Path(mkdtemp(prefix="peercoach-bench-dash-"))
    settings = Settings(data_dir=folder, content_dir=CONTENT_DIR, public_url=PUBLIC_URL)
    try:
        async with _serving(settings, url) as (app, client):  # the serve before the restart
            keys = await seed_cohort(app, COACH, leaders, WEEKS)
            await _settled(app)
            await _signed_in(app, client)
            upgrade = await _timed_get(client)  # no totals kept yet: they are made
        async with _serving(settings, url) as (app, client):  # a restart: nothing in memory
            await _settled(app)
            await _signed_in(app, client)
            first = await _timed_get(client)
            later = [await _timed_get(client) for _ in range(VIEWS)]
            size = len(await (await client.get("/dashboard")).read())
            for user in keys:  # a fan-out: every leader's state written
                await app.users.transact(UserKey.parse(user), _nudged)
            fanned = await _timed_get(client)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return upgrade, first, median(later), fanned, size


@asynccontextmanager
async def _serving(settings: Settings, url: DatabaseUrl) -> AsyncIterator[tuple[Any, TestClient]]:  # type: ignore[type-arg]
    pool = await open_pool(url, max_size=10)
    try:
        app = build_app(settings, FakeClock(AT), Database(url, pool))
        web_app = build_web_app(app, Channels(), timers=False)
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
            yield app, client
    finally:
        await pool.close()


async def _signed_in(app: Any, client: TestClient) -> None:  # type: ignore[type-arg]
    path = await sign_in_link(app, COACH)
    csrf = csrf_of(await (await client.get(path)).text())
    await client.post(path, data={"csrf": csrf}, allow_redirects=False)


def _nudged(state: UserState | None) -> tuple[UserState, None]:
    assert state is not None
    nudge = NudgeRecord(f"nudge:fan-out:{len(state.nudges)}", AT, nudge="resilience.pause")
    return replace(state, nudges=(*state.nudges, nudge)), None


async def _settled(app: Any) -> None:
    """Until the store has heard back every row the seeding wrote (LISTEN/NOTIFY), so that
    the views measured are steady ones (at most 30 s)."""
    last, deadline = -1, time.monotonic() + 30
    while app.coaching_store.revision != last and time.monotonic() < deadline:
        last = app.coaching_store.revision
        await asyncio.sleep(0.5)


async def _timed_get(client: TestClient) -> float:  # type: ignore[type-arg]
    started = time.perf_counter()
    response = await client.get("/dashboard")
    await response.read()
    elapsed = time.perf_counter() - started
    assert response.status == 200, response.status
    return elapsed


def run() -> BenchResult:
    result = BenchResult(
        "Dashboard: the cohort page at 1,000 leaders with a year of history, beside 10",
        __doc__.split("\n\n")[0].replace("\n", " ") if __doc__ else "",
        target=(
            "page at 1,000 leaders under 3x the page at 10 (same run), and under 300 ms: the "
            "page kept, the first view after start, and the view after a fan-out"
        ),
    )
    try:
        from tests.postgres_server import start_server  # noqa: PLC0415

        server = start_server()
    except BaseException as error:
        result.add("skipped", float("nan"), "", f"no PostgreSQL server ({type(error).__name__})")
        return result
    upgrades: dict[int, list[float]] = {n: [] for n in SIZES}
    firsts: dict[int, list[float]] = {n: [] for n in SIZES}
    laters: dict[int, list[float]] = {n: [] for n in SIZES}
    fanned: dict[int, list[float]] = {n: [] for n in SIZES}
    sizes: dict[int, int] = {}
    try:
        for _ in range(RUNS):
            for leaders in SIZES:
                upgrade, first, later, fan_out, size = asyncio.run(_views(server, leaders))
                upgrades[leaders].append(upgrade * 1000)
                firsts[leaders].append(first * 1000)
                laters[leaders].append(later * 1000)
                fanned[leaders].append(fan_out * 1000)
                sizes[leaders] = size
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)
    small, big = SIZES

    def view(
        label: str, ratio_label: str, runs: dict[int, list[float]], note: str = ""
    ) -> tuple[float, float]:
        """One view at both sizes, and its ratio: (median at 1,000, ratio)."""
        suffix = " (baseline)" if label == "page" else ""
        result.add_runs(f"{label}, {small} leaders{suffix}", runs[small], "ms")
        at_big = result.add_runs(f"{label}, {big:,} leaders", runs[big], "ms", note)
        return at_big, result.add_ratio(
            f"{ratio_label}, {big:,} / {small} leaders", runs[big], runs[small]
        )

    page, ratio = view("page", "page", laters)
    totals = "the cohort totals, and the glances of the 50 leaders shown"
    cold, cold_ratio = view("first view after start", "first view", firsts, totals)
    written = "every leader's state written since the last view"
    fan, fan_ratio = view("view after a fan-out", "view after a fan-out", fanned, written)
    result.add_runs(f"first view after the upgrade, {small} leaders", upgrades[small], "ms")
    result.add_runs(
        f"first view after the upgrade, {big:,} leaders",
        upgrades[big],
        "ms",
        "once: the cohort totals made from every leader's glance",
    )
    result.add(f"page size, {big:,} leaders", sizes[big] / 1024, "KiB", "50 leaders a page")
    result.met = all(r < 3 for r in (ratio, cold_ratio, fan_ratio)) and max(page, cold, fan) < 300
    return result


if __name__ == "__main__":
    print(run().markdown())
