"""Does the database answer? One cheap query through the pool, with a short timeout, for
/healthz: a load balancer asks often, and an answer that hangs is itself a failure."""

from __future__ import annotations

import asyncio

import asyncpg

from bot.probes import Probes
from bot.storage.postgres.leadership import PostgresLeadership
from bot.storage.postgres.pool import describe
from bot.storage.postgres.url import DatabaseUrl

PROBE_TIMEOUT = 2.0  # seconds: below a load balancer's usual health-check timeout (5 s)


class DatabaseProbe:
    def __init__(self, pool: asyncpg.Pool, url: DatabaseUrl, timeout: float = PROBE_TIMEOUT):
        self.pool = pool
        self.url = url
        self.timeout = timeout

    @property
    def name(self) -> str:
        return self.url.redacted

    async def check(self) -> str | None:
        try:
            async with asyncio.timeout(self.timeout):
                async with self.pool.acquire() as connection:
                    await connection.fetchval("SELECT 1")
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            return describe(error)
        return None


def database_probes(url: DatabaseUrl, pool: asyncpg.Pool) -> Probes:
    """What `serve` on PostgreSQL gives build_web_app: leadership by the advisory lock, this
    probe of the database, and the pool's figures for /metrics."""
    return Probes(PostgresLeadership(url), DatabaseProbe(pool, url), pool)
