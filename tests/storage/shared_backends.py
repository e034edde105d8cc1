"""The three backends of ScheduleStore, CoachingStore and CircleStore, for the contract
suites: each test gets a `Stores` that makes store objects on one storage (one memory backend,
one data folder, or one fresh database), so a second store reads what the first wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.circles.store import CircleStore
from bot.coaching.store import CoachingStore
from bot.schedules.model import NudgeSchedule, Reminder
from bot.schedules.store import ScheduleStore
from bot.storage.memory.circles import InMemoryCircleBackend
from bot.storage.memory.coaching import InMemoryCoachingBackend
from bot.storage.memory.schedules import InMemoryScheduleBackend
from bot.storage.postgres.circles import PostgresCircleBackend
from bot.storage.postgres.coaching import PostgresCoachingBackend
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.schedules import PostgresScheduleBackend
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.tinydb.circles import TinyDBCircleBackend
from bot.storage.tinydb.coaching import TinyDBCoachingBackend
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from tests.conftest import AT
from tests.postgres_server import PostgresServer

KINDS = ["memory", "tinydb", "postgres"]


@dataclass
class Stores:
    schedules: Callable[[], ScheduleStore]
    coaching: Callable[[], CoachingStore]
    circles: Callable[[], CircleStore]
    made: list[ScheduleStore | CoachingStore | CircleStore] = field(default_factory=list)

    def schedule_store(self) -> ScheduleStore:
        store = self.schedules()
        self.made.append(store)
        return store

    def coaching_store(self) -> CoachingStore:
        store = self.coaching()
        self.made.append(store)
        return store

    def circle_store(self) -> CircleStore:
        store = self.circles()
        self.made.append(store)
        return store


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> tuple[str, PostgresServer | None]:
    """Which backend; the PostgreSQL server is asked for only when needed (a sync fixture, so
    the session's server starts outside the test's event loop)."""
    server = request.getfixturevalue("postgres") if request.param == "postgres" else None
    return request.param, server


@pytest.fixture
async def stores(kind: tuple[str, PostgresServer | None], tmp_path: Path) -> AsyncIterator[Stores]:
    name, server = kind
    pool: asyncpg.Pool[Any] | None = None
    if name == "memory":
        schedules, coaching = InMemoryScheduleBackend(), InMemoryCoachingBackend()
        circles = InMemoryCircleBackend()
        made = Stores(
            lambda: ScheduleStore(schedules),
            lambda: CoachingStore(coaching),
            lambda: CircleStore(circles),
        )
    elif name == "tinydb":
        made = Stores(
            lambda: ScheduleStore(TinyDBScheduleBackend(tmp_path)),
            lambda: CoachingStore(TinyDBCoachingBackend(tmp_path)),
            lambda: CircleStore(TinyDBCircleBackend(tmp_path)),
        )
    else:
        assert server is not None
        url = DatabaseUrl.parse(await server.fresh_database())
        pool = await open_pool(url, max_size=4)
        made = Stores(
            lambda: ScheduleStore(PostgresScheduleBackend(pool, url)),
            lambda: CoachingStore(PostgresCoachingBackend(pool, url)),
            lambda: CircleStore(PostgresCircleBackend(pool, url)),
        )
    try:
        yield made
    finally:
        for store in made.made:
            await store.stop_listening()
        if pool is not None:
            await pool.close()


@dataclass
class Heard:
    """A ScheduleObserver that writes down what it was told."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def schedules_changed(self, schedules: list[NudgeSchedule]) -> None:
        self.calls.append(("changed", sorted(s.id for s in schedules)))

    def schedules_removed(self, schedule_ids: list[str]) -> None:
        self.calls.append(("removed", list(schedule_ids)))

    def reminder_changed(self, reminder: Reminder) -> None:
        self.calls.append(("reminder", reminder.id))

    def reminder_removed(self, reminder_id: str) -> None:
        self.calls.append(("reminder_removed", reminder_id))


def schedule(schedule_id: str, user: str = "slack:T1:U1", **changes: Any) -> NudgeSchedule:
    fields: dict[str, Any] = {
        "id": schedule_id,
        "user": user,
        "themes": ("resilience",),
        "days": frozenset({0, 2, 4}),
        "at": time(8, 30),
        "timezone": "Europe/London",
        "created_by": user,
        "created_at": AT,
    }
    fields.update(changes)
    return NudgeSchedule(**fields)


def reminder(reminder_id: str, user: str = "slack:T1:U1", **changes: Any) -> Reminder:
    fields: dict[str, Any] = {
        "id": reminder_id,
        "user": user,
        "kind": "snooze",
        "due_at": AT,
        "ref": f"nudge:{reminder_id}",
        "themes": ("influence",),
        "schedule": None,
    }
    fields.update(changes)
    return Reminder(**fields)
