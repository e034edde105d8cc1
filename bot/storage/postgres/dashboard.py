"""DashboardStore on PostgreSQL (tables of 0006_dashboard.sql), shared by every instance:
a link one instance made signs in on any other, and a token is spent by one statement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import asyncpg

from bot.dashboard.model import Session, SignInToken
from bot.storage.postgres.away import GuardedPool
from bot.storage.postgres.url import DatabaseUrl

PUT_TOKEN = """
INSERT INTO dashboard_tokens (digest, coach, created_at, expires_at, used_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (digest) DO UPDATE SET used_at = excluded.used_at
"""
TOKEN = "SELECT digest, coach, created_at, expires_at, used_at FROM dashboard_tokens"
SPEND = """
UPDATE dashboard_tokens SET used_at = $2
WHERE digest = $1 AND used_at IS NULL AND expires_at > $2
RETURNING digest, coach, created_at, expires_at, used_at
"""
PUT_SESSION = """
INSERT INTO dashboard_sessions (digest, coach, created_at, expires_at, ended_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (digest) DO UPDATE SET ended_at = excluded.ended_at
"""
SESSION = "SELECT digest, coach, created_at, expires_at, ended_at FROM dashboard_sessions"
END = "UPDATE dashboard_sessions SET ended_at = $2 WHERE digest = $1 AND ended_at IS NULL"
OPENED = """
INSERT INTO dashboard_visits (coach, at) VALUES ($1, $2)
ON CONFLICT (coach) DO UPDATE SET at = greatest(dashboard_visits.at, excluded.at)
"""
VISITS = "SELECT coach, at FROM dashboard_visits WHERE coach = ANY($1::text[])"
FORGET = (
    "DELETE FROM dashboard_tokens WHERE coach = $1",
    "DELETE FROM dashboard_sessions WHERE coach = $1",
    "DELETE FROM dashboard_visits WHERE coach = $1",
    # the coach's cohort totals (0008_cohorts.sql): no leader's write counts for them again
    "UPDATE leaders SET cohorts = cohorts - $1::text WHERE cohorts ? $1",
    "DELETE FROM cohort_counts WHERE coach = $1",
    "DELETE FROM cohorts WHERE coach = $1",
)
PURGE_TOKENS = "DELETE FROM dashboard_tokens WHERE expires_at < $1"
PURGE_SESSIONS = "DELETE FROM dashboard_sessions WHERE expires_at < $1"


class PostgresDashboardStore:
    def __init__(self, pool: asyncpg.Pool[Any], url: DatabaseUrl) -> None:
        self.guard = GuardedPool(pool, url, "dashboard")

    async def put_token(self, token: SignInToken) -> None:
        async with self.guard.connection() as connection:
            await connection.execute(
                PUT_TOKEN,
                token.digest,
                token.coach,
                token.created_at,
                token.expires_at,
                token.used_at,
            )

    async def token(self, digest: str) -> SignInToken | None:
        async with self.guard.connection() as connection:
            record = await connection.fetchrow(TOKEN + " WHERE digest = $1", digest)
        return SignInToken(**dict(record)) if record else None

    async def spend_token(self, digest: str, at: datetime) -> SignInToken | None:
        async with self.guard.connection() as connection:
            record = await connection.fetchrow(SPEND, digest, at)
        return SignInToken(**dict(record)) if record else None

    async def put_session(self, session: Session) -> None:
        async with self.guard.connection() as connection:
            await connection.execute(
                PUT_SESSION,
                session.digest,
                session.coach,
                session.created_at,
                session.expires_at,
                session.ended_at,
            )

    async def session(self, digest: str) -> Session | None:
        async with self.guard.connection() as connection:
            record = await connection.fetchrow(SESSION + " WHERE digest = $1", digest)
        return Session(**dict(record)) if record else None

    async def end_session(self, digest: str, at: datetime) -> None:
        async with self.guard.connection() as connection:
            await connection.execute(END, digest, at)

    async def opened(self, coach: str, at: datetime) -> None:
        async with self.guard.connection() as connection:
            await connection.execute(OPENED, coach, at)

    async def last_opened(self, coaches: Iterable[str]) -> dict[str, datetime]:
        async with self.guard.connection() as connection:
            records = await connection.fetch(VISITS, list(coaches))
        return {r["coach"]: r["at"] for r in records}

    async def forget(self, coach: str) -> None:
        async with self.guard.transaction() as connection:
            for statement in FORGET:
                await connection.execute(statement, coach)

    async def purge(self, before: datetime) -> None:
        async with self.guard.transaction() as connection:
            await connection.execute(PURGE_TOKENS, before)
            await connection.execute(PURGE_SESSIONS, before)
