"""asyncpg against psycopg 3 on peercoach's own database workload, to choose the driver.

The workload is what a chat turn and a delivery do to the database: a leader's row read
under a row lock, re-sealed (a 3 KB bytea) and written back in one transaction, and a
delivery claimed with one INSERT … ON CONFLICT DO NOTHING RETURNING. Both drivers use their
own pool (10 connections) at a concurrency of 20, against the same local PostgreSQL server
started for this run. The ratio is psycopg's time over asyncpg's, run by run.
"""

import asyncio
import os
import shutil
import time
from collections.abc import Awaitable, Callable

import asyncpg
import psycopg_pool

from bench.common import BenchResult
from tests.postgres_server import start_server

LEADERS = 200
TURNS = 2000
CONCURRENCY = 20
POOL = 10
RUNS = 3
STATE = os.urandom(3000)
SCHEMA = (
    "DROP TABLE IF EXISTS bench_leaders, bench_deliveries;"
    "CREATE TABLE bench_leaders (leader text PRIMARY KEY, version int NOT NULL, sealed bytea);"
    "CREATE TABLE bench_deliveries (key text PRIMARY KEY, status text NOT NULL);"
)


async def _bounded(count: int, action: Callable[[int], Awaitable[None]]) -> float:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with gate:
            await action(i)

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(count))), timeout=120)
    return time.perf_counter() - started


async def _asyncpg(url: str, run: int) -> float:
    pool = await asyncpg.create_pool(url, min_size=POOL, max_size=POOL)
    try:
        await pool.execute(SCHEMA)
        await pool.executemany(
            "INSERT INTO bench_leaders VALUES ($1, 0, $2)",
            [(f"l{i}", STATE) for i in range(LEADERS)],
        )

        async def turn(i: int) -> None:
            async with pool.acquire() as connection, connection.transaction():
                await connection.fetchrow(
                    "SELECT version, sealed FROM bench_leaders WHERE leader = $1 FOR UPDATE",
                    f"l{i % LEADERS}",
                )
                await connection.execute(
                    "UPDATE bench_leaders SET sealed = $2, version = version + 1 "
                    "WHERE leader = $1",
                    f"l{i % LEADERS}",
                    STATE,
                )
            await pool.fetchval(
                "INSERT INTO bench_deliveries VALUES ($1, 'pending') "
                "ON CONFLICT DO NOTHING RETURNING key",
                f"r{run}:{i}",
            )

        return await _bounded(TURNS, turn)
    finally:
        await pool.close()


async def _psycopg(url: str, run: int) -> float:
    pool = psycopg_pool.AsyncConnectionPool(url, min_size=POOL, max_size=POOL, open=False)
    await pool.open()
    try:
        async with pool.connection() as connection:
            await connection.execute(SCHEMA)
            async with connection.cursor() as cursor:
                await cursor.executemany(
                    "INSERT INTO bench_leaders VALUES (%s, 0, %s)",
                    [(f"l{i}", STATE) for i in range(LEADERS)],
                )

        async def turn(i: int) -> None:
            async with pool.connection() as connection, connection.transaction():
                await connection.execute(
                    "SELECT version, sealed FROM bench_leaders WHERE leader = %s FOR UPDATE",
                    (f"l{i % LEADERS}",),
                )
                await connection.execute(
                    "UPDATE bench_leaders SET sealed = %s, version = version + 1 "
                    "WHERE leader = %s",
                    (STATE, f"l{i % LEADERS}"),
                )
            async with pool.connection() as connection:
                await connection.execute(
                    "INSERT INTO bench_deliveries VALUES (%s, 'pending') "
                    "ON CONFLICT DO NOTHING RETURNING key",
                    (f"r{run}:{i}",),
                )

        return await _bounded(TURNS, turn)
    finally:
        await pool.close()


def run() -> BenchResult:
    server = start_server()
    try:
        url = asyncio.run(server.fresh_database(migrated=False))
        fast, slow = [], []
        for number in range(RUNS):
            fast.append(asyncio.run(_asyncpg(url, number)))
            slow.append(asyncio.run(_psycopg(url, number)))
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)
    result = BenchResult(
        "Database driver: asyncpg against psycopg 3",
        f"{TURNS:,} turn-shaped transactions (row lock, 3 KB sealed state written back) plus "
        f"{TURNS:,} delivery claims, {LEADERS} leaders, concurrency {CONCURRENCY}, a pool of "
        f"{POOL} each, on one local PostgreSQL 15 started for the run.",
    )
    result.add_runs("asyncpg: turns per second", [TURNS / t for t in fast], "/s")
    result.add_runs("psycopg 3: turns per second", [TURNS / t for t in slow], "/s")
    ratio = result.add_ratio("psycopg time / asyncpg time", slow, fast)
    result.target = "choose the faster driver on this workload (asyncpg is in use)"
    result.met = ratio >= 1.0
    return result
