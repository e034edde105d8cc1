"""PostgreSQL SeenEventStore: event ids shared by every instance, so a retry that reaches
another instance than the first delivery is still handled once.

The check and the record are one statement (`INSERT … ON CONFLICT DO NOTHING RETURNING`): two
instances given the same id at the same moment cannot both be first. Rows older than a day
are deleted now and then; Slack stops retrying within minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from bot.clock import Clock
from bot.storage.postgres.away import GuardedPool
from bot.storage.postgres.url import DatabaseUrl

KEEP = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)

CLAIM = (
    "INSERT INTO slack_events (event_id, leader, seen_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
)
PRUNE = "DELETE FROM slack_events WHERE seen_at < $1"


class PostgresSeenEvents:
    """Over the `slack_events` table; `clock` dates the rows and decides when to prune."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        url: DatabaseUrl,
        clock: Clock,
        *,
        keep: timedelta = KEEP,
        prune_every: timedelta = PRUNE_EVERY,
    ) -> None:
        self.guard = GuardedPool(pool, url, "slack_events")
        self.clock = clock
        self.keep = keep
        self.prune_every = prune_every
        self._next_prune: datetime | None = None  # None: at the first event

    async def first_sight(self, event_id: str, leader: str | None) -> bool:
        now = self.clock.now()
        async with self.guard.connection() as connection:
            first = await connection.fetchval(CLAIM, event_id, leader, now) is not None
            await self.prune_if_due(connection, now)
        return first

    async def prune_if_due(self, connection: asyncpg.Connection[Any], now: datetime) -> None:
        """Ids older than `keep` deleted, once every `prune_every` (and at the first event);
        also after ids taken in a turn's own write (bot/storage/postgres/claims.py)."""
        if self._next_prune is None or now >= self._next_prune:
            self._next_prune = now + self.prune_every
            await connection.execute(PRUNE, now - self.keep)
