"""Delivery ledger on PostgreSQL (issue 13 §5): a fan-out's ledger work, 10,000 claims and
10,000 "sent" records at 100 deliveries in flight, through a pool of 10 connections to a real
PostgreSQL 15 on 127.0.0.1 with durable settings (fsync and synchronous_commit on).

Baseline in the same run: the embedded file ledger (one fsync per group of lines) doing the
same work. Beside it, PostgreSQL with one statement and commit per claim and per record, to
show what grouping those of one moment into one statement buys. Median of 3 runs, a fresh
database each. Target: the ledger's share of a 10,000-delivery fan-out well under 10 s.

Then the whole fan-out as bench/scheduler.py runs it (10,000 nudges due at once: claim,
engine turn, durable save of each leader in TinyDB, send to a notifier that does nothing,
record), with the file ledger and with the PostgreSQL ledger, in the same run, and with
every store in PostgreSQL (schedules, leaders' state, ledger: `build_app(..., Database)`, as
`serve` with PEERCOACH_DATABASE_URL wires it). Target: each under 10 s.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import BenchResult
from bench.scheduler import CONTENT, FixedClock, NullNotifier, _schedules, _setup
from bot.config import Settings
from bot.schedules.ledger import DeliveryLedger, Entry
from bot.storage.postgres.ledger import (
    CLAIM,
    RECORD,
    PostgresDeliveryLedger,
    _claim_args,
    _record_args,
)
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.wiring import Database, build_app

DELIVERIES, IN_FLIGHT, POOL, RUNS = 10_000, 100, 10, 3
DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


class UnbatchedLedger(PostgresDeliveryLedger):
    """Each claim and each record its own statement and commit: what batching is measured
    against."""

    async def claim(self, entry: Entry, *, resume: bool = False) -> bool:
        async with self._connection() as connection:
            args = [[a] for a in _claim_args(entry, self.owner)]
            rows = await connection.fetch(CLAIM, *args[:6], self.owner, args[7])
        return bool(rows)

    async def record(self, entry: Entry) -> None:
        self._index.remember(entry)
        async with self._connection() as connection:
            await connection.execute(RECORD, *_record_args(entry))


def _entries() -> list[Entry]:
    return [
        Entry(
            f"nudge:{i:016x}:s{i:05d}@2026-11-30T08:30Z",
            "pending",
            DUE,
            f"slack:T1:U{i:05d}",
            f"s{i:05d}",
            date(2026, 11, 30),
            DUE,
        )
        for i in range(DELIVERIES)
    ]


async def _fan_out(ledger: DeliveryLedger, entries: list[Entry]) -> float:
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(entry: Entry) -> None:
        async with slots:
            assert await ledger.claim(entry)
            await ledger.record(Entry(entry.key, "sent", DUE))

    started = time.perf_counter()
    await asyncio.gather(*(one(e) for e in entries))
    return time.perf_counter() - started


async def _file_run(folder: Path) -> float:
    ledger = FileDeliveryLedger(folder / "deliveries.log")
    await ledger.open()
    try:
        return await _fan_out(ledger, _entries())
    finally:
        await ledger.close()


async def _pg_run(url: DatabaseUrl, kind: type[PostgresDeliveryLedger]) -> tuple[float, int]:
    pool: Any = await open_pool(url, min_size=POOL, max_size=POOL)
    try:
        ledger = kind(pool, url)
        await ledger.open()
        seconds = await _fan_out(ledger, _entries())
        await ledger.close()
        async with pool.acquire() as connection:
            sent = await connection.fetchval("SELECT count(*) FROM deliveries WHERE status='sent'")
        return seconds, int(sent)
    finally:
        await pool.close()


async def _whole_fan_out(data: Path, url: DatabaseUrl | None) -> float:
    """bench/scheduler.py's fan-out, with the PostgreSQL ledger wired in when `url`."""
    clock = FixedClock(DUE + timedelta(seconds=1))
    app = build_app(Settings(data_dir=data, content_dir=CONTENT), clock)
    pool: Any = None
    if url is not None:
        pool = await open_pool(url, min_size=POOL, max_size=POOL)
        ledger = PostgresDeliveryLedger(pool, url)
        exporters = app.conversations.exporters
        exporters[exporters.index(app.ledger)] = ledger
        app.ledger = app.deliveries.ledger = ledger
    app.notifiers["slack"] = NullNotifier()
    await app.open()
    scheduler = await app.start_scheduler(timers=False)
    ids = [s.id for s in app.schedules.schedules()]
    started = time.perf_counter()
    await asyncio.gather(*(scheduler.fire(i) for i in ids))  # as APScheduler's tasks would
    wall = time.perf_counter() - started
    assert app.deliveries.stats.delivered == DELIVERIES, app.deliveries.stats
    await app.close()
    if pool is not None:
        await pool.close()
    return wall


async def _all_postgres(url: DatabaseUrl) -> float:
    """The same fan-out with every store in PostgreSQL: 10,000 schedules put there first,
    then a fresh app on the database fires them all."""
    pool: Any = await open_pool(url, min_size=POOL, max_size=POOL)
    try:
        await _setup_on(pool, url)
        app = build_app(
            Settings(data_dir=Path(tempfile.mkdtemp(prefix="peercoach-bench-pg-")),
                     content_dir=CONTENT),
            FixedClock(DUE + timedelta(seconds=1)),
            Database(url, pool),
        )  # fmt: skip
        app.notifiers["slack"] = NullNotifier()
        await app.open()
        scheduler = await app.start_scheduler(timers=False)
        ids = [s.id for s in app.schedules.schedules()]
        assert len(ids) == DELIVERIES, len(ids)
        started = time.perf_counter()
        await asyncio.gather(*(scheduler.fire(i) for i in ids))
        wall = time.perf_counter() - started
        assert app.deliveries.stats.delivered == DELIVERIES, app.deliveries.stats
        await app.close()
        async with pool.acquire() as connection:
            sent = await connection.fetchval("SELECT count(*) FROM deliveries WHERE status='sent'")
            leaders = await connection.fetchval("SELECT count(*) FROM leaders")
        assert (sent, leaders) == (DELIVERIES, DELIVERIES), (sent, leaders)
        shutil.rmtree(app.settings.data_dir, ignore_errors=True)
        return wall
    finally:
        await pool.close()


async def _setup_on(pool: Any, url: DatabaseUrl) -> None:
    """bench/scheduler.py's 10,000 schedules, put in the database."""
    folder = Path(tempfile.mkdtemp(prefix="peercoach-bench-pg-setup-"))
    try:
        app = build_app(
            Settings(data_dir=folder, content_dir=CONTENT), FixedClock(DUE), Database(url, pool)
        )
        await app.open()
        await app.schedules.put_schedules(*_schedules(DELIVERIES))
        await app.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _whole_run(server: Any, postgres: bool) -> float:
    folder = Path(tempfile.mkdtemp(prefix="peercoach-bench-fanout-"))
    try:
        asyncio.run(_setup(folder, DELIVERIES))
        url = DatabaseUrl.parse(asyncio.run(server.fresh_database())) if postgres else None
        return asyncio.run(_whole_fan_out(folder, url))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _durable_server() -> Any:
    from tests.postgres_server import PostgresServer, _free_port  # noqa: PLC0415

    server = PostgresServer(Path(tempfile.mkdtemp(prefix="peercoach-bench-pg-")), _free_port())
    server.start()  # the test settings (fsync off): stopped and started durable below
    server.stop()
    options = (
        f"-p {server.port} -k {server.folder} -c listen_addresses=127.0.0.1 "
        "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=50"
    )
    data, log = str(server.folder / "data"), str(server.folder / "log")
    server._run(server._pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "start")
    asyncio.run(server.prepare_template())
    return server


def run() -> BenchResult:
    result = BenchResult(
        "Delivery ledger on PostgreSQL: a fan-out's claims and records",
        __doc__.split("\n\n")[0].replace("\n", " ") if __doc__ else "",
        target="10,000 claims + 10,000 sent records on PostgreSQL, the whole fan-out with the "
        "PostgreSQL ledger, and the whole fan-out with every store in PostgreSQL, each under 10 s",
    )
    try:
        server = _durable_server()
    except BaseException as error:
        result.add("skipped", float("nan"), "", f"no PostgreSQL server ({type(error).__name__})")
        return result
    files: list[float] = []
    batched: list[float] = []
    unbatched: list[float] = []
    whole_file: list[float] = []
    whole_pg: list[float] = []
    everything: list[float] = []
    try:
        for _ in range(RUNS):
            folder = Path(tempfile.mkdtemp(prefix="peercoach-bench-ledger-"))
            files.append(asyncio.run(_file_run(folder)))
            shutil.rmtree(folder, ignore_errors=True)
            for kind, into in ((PostgresDeliveryLedger, batched), (UnbatchedLedger, unbatched)):
                url = DatabaseUrl.parse(asyncio.run(server.fresh_database()))
                seconds, sent = asyncio.run(_pg_run(url, kind))
                assert sent == DELIVERIES, sent
                into.append(seconds)
            whole_file.append(_whole_run(server, postgres=False))
            whole_pg.append(_whole_run(server, postgres=True))
            url = DatabaseUrl.parse(asyncio.run(server.fresh_database()))
            everything.append(asyncio.run(_all_postgres(url)))
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)
    result.add_runs("file ledger (baseline)", files, "s")
    pg = result.add_runs("PostgreSQL, claims and records batched (as shipped)", batched, "s")
    result.add_runs("PostgreSQL, one statement per claim and per record", unbatched, "s")
    result.add_ratio("PostgreSQL batched / file ledger", batched, files)
    result.add_ratio("PostgreSQL unbatched / batched", unbatched, batched)
    result.add("deliveries per second, PostgreSQL batched", DELIVERIES / pg, "/s")
    result.add_runs("whole fan-out, file ledger", whole_file, "s")
    whole = result.add_runs("whole fan-out, PostgreSQL ledger", whole_pg, "s")
    result.add_ratio("whole fan-out, PostgreSQL / file ledger", whole_pg, whole_file)
    every = result.add_runs("whole fan-out, every store in PostgreSQL", everything, "s")
    result.add_ratio(
        "whole fan-out, every store in PostgreSQL / TinyDB and file ledger", everything, whole_file
    )
    result.met = pg < 10 and whole < 10 and every < 10
    return result


if __name__ == "__main__":
    print(run().markdown())
