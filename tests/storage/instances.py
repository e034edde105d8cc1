"""Instances on one PostgreSQL database for tests: each a ScheduleStore and a CoachingStore
with a pool and LISTEN connections of their own, as one `peercoach serve` process has."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from bot.coaching.store import CoachingStore
from bot.schedules.store import ScheduleStore
from bot.storage.postgres.coaching import PostgresCoachingBackend
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.schedules import PostgresScheduleBackend
from bot.storage.postgres.url import DatabaseUrl
from tests.storage.shared_backends import Heard

WITHIN = 2.0  # seconds: "within seconds" of the issue


async def eventually(check: Callable[[], bool], within: float = WITHIN) -> None:
    """Wait until `check()` holds, polling; fails after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            pytest.fail(f"not within {within} s")
        await asyncio.sleep(0.02)


@dataclass
class Instance:
    schedules: ScheduleStore
    coaching: CoachingStore
    heard: Heard

    @property
    def schedule_backend(self) -> PostgresScheduleBackend:
        assert isinstance(self.schedules.backend, PostgresScheduleBackend)
        return self.schedules.backend


async def instance(pool: asyncpg.Pool[Any], url: DatabaseUrl, **options: Any) -> Instance:
    schedules = ScheduleStore(PostgresScheduleBackend(pool, url, **options))
    coaching = CoachingStore(PostgresCoachingBackend(pool, url, **options))
    await schedules.load()
    await coaching.load()
    schedules.observers.append(heard := Heard())
    await schedules.start_listening()
    await coaching.start_listening()
    return Instance(schedules, coaching, heard)


@asynccontextmanager
async def instances(url: str, count: int = 2, **options: Any) -> AsyncIterator[list[Instance]]:
    """`count` instances, listening; stopped and their pools closed afterwards."""
    parsed = DatabaseUrl.parse(url)
    pools = [await open_pool(parsed, max_size=3) for _ in range(count)]
    made: list[Instance] = []
    try:
        for pool in pools:
            made.append(await instance(pool, parsed, **options))
        yield made
    finally:
        for each in made:
            await each.schedules.stop_listening()
            await each.coaching.stop_listening()
        for pool in pools:
            await pool.close()
