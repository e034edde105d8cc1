"""/healthz and /metrics with a database and scheduler leadership: a standby is healthy, a
database that does not answer is 503 naming it (never its password), and both recover."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import SystemClock
from bot.config import Settings
from bot.probes import Probes
from bot.server import build_channels, build_web_app
from bot.storage.postgres.commands import prepare_database
from bot.storage.postgres.leadership import SCHEDULER_LOCK, PostgresLeadership
from bot.storage.postgres.probe import DatabaseProbe, database_probes
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import build_app
from tests.conftest import CONTENT_DIR
from tests.postgres_server import PostgresServer
from tests.storage.own_server import own_server, start_again

__all__ = ["own_server"]  # a fixture


@asynccontextmanager
async def serving(
    tmp_path: Path, probes: Probes | None = None
) -> AsyncIterator[TestClient[Any, Any]]:
    settings = Settings(data_dir=tmp_path, content_dir=CONTENT_DIR, local_trial=True)
    app = build_app(settings, SystemClock())
    web_app = build_web_app(app, build_channels(app), timers=False, probes=probes)
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
        yield http


async def health(http: TestClient[Any, Any]) -> tuple[int, dict[str, Any]]:
    async with http.get("/healthz") as response:
        return response.status, await response.json()


async def metrics(http: TestClient[Any, Any]) -> str:
    async with http.get("/metrics") as response:
        return await response.text()


async def until_health(
    http: TestClient[Any, Any], want: dict[str, object], seconds: float = 10
) -> dict[str, Any]:
    for _ in range(int(seconds / 0.1)):
        _, document = await health(http)
        if all(document.get(k) == v for k, v in want.items()):
            return document
        await asyncio.sleep(0.1)
    raise AssertionError(f"/healthz never showed {want}: {document}")


NAMES = ("size", "idle", "in_use")


def gauge(page: str, name: str) -> float:
    (line,) = [line for line in page.splitlines() if line.startswith(name + " ")]
    return float(line.split()[1])


@asynccontextmanager
async def on_database(url: str) -> AsyncIterator[Probes]:
    database = DatabaseUrl.parse(url)
    pool = await prepare_database(database)
    probes = database_probes(database, pool)  # as serve builds them, with quicker timings
    leadership = PostgresLeadership(database, interval=0.2, check_timeout=1.0, max_backoff=0.5)
    probe = DatabaseProbe(pool, database, timeout=1.0)
    assert isinstance(probes.leadership, PostgresLeadership)
    assert isinstance(probes.database, DatabaseProbe)
    assert probes.pool is pool
    try:
        yield Probes(leadership, probe, pool)
    finally:
        await leadership.stop()
        await pool.close()


async def test_one_process_on_tinydb_leads_and_uses_no_database(tmp_path: Path) -> None:
    async with serving(tmp_path) as http:
        status, document = await health(http)
        page = await metrics(http)
    assert status == 200
    assert document["database"] == "not used"
    assert document["scheduler"] == "active"
    assert "peercoach_scheduler_active 1.0" in page
    assert "peercoach_db_pool" not in page


async def test_a_standby_is_healthy_and_takes_over_when_the_lock_is_free(
    tmp_path: Path, database_url: str
) -> None:
    holder = await asyncpg.connect(database_url)  # another instance leads
    try:
        assert await holder.fetchval("SELECT pg_try_advisory_lock($1)", SCHEDULER_LOCK)
        async with on_database(database_url) as probes, serving(tmp_path, probes) as http:
            status, document = await health(http)
            assert status == 200
            assert document["scheduler"] == "standby"
            assert document["scheduler_running"] is False
            assert document["database"] == "ok"
            page = await metrics(http)
            assert "peercoach_scheduler_active 0.0" in page
            assert "peercoach_db_pool_max 10.0" in page
            size, idle, in_use = (gauge(page, f"peercoach_db_pool_{n}") for n in NAMES)
            assert size >= 1
            assert in_use == size - idle
            await holder.close()  # that instance dies
            document = await until_health(http, {"scheduler": "active"})
            assert document["scheduler_running"] is True
            assert document["status"] == "ok"
            assert "peercoach_scheduler_active 1.0" in await metrics(http)
    finally:
        if not holder.is_closed():
            await holder.close()


async def test_an_unreachable_database_is_503_naming_it_then_recovers(
    tmp_path: Path, own_server: PostgresServer
) -> None:
    url = await own_server.fresh_database()
    async with on_database(url) as probes, serving(tmp_path, probes) as http:
        await until_health(http, {"scheduler": "active", "database": "ok"})
        await asyncio.to_thread(own_server.stop, "fast")
        async with http.get("/healthz") as response:
            status, body = response.status, await response.text()
        assert status == 503
        document = await until_health(http, {"scheduler": "standby"})
        assert document["database"] == "unreachable"
        (problem,) = [p for p in document["problems"] if p.startswith("database")]
        assert f"cannot reach postgresql://peercoach:***@127.0.0.1:{own_server.port}/" in problem
        assert own_server.password not in body + str(document)
        await asyncio.to_thread(start_again, own_server)
        document = await until_health(http, {"status": "ok", "scheduler": "active"})
        assert document["database"] == "ok"
