"""Schedules and reminders on PostgreSQL (tables of 0003_schedules_coaching.sql), shared by
every instance; each instance's ScheduleStore follows the others' writes by LISTEN."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from bot.schedules.model import NudgeSchedule, Reminder
from bot.storage.changes import Heard, Resync
from bot.storage.postgres.listen import ChangeListener
from bot.storage.postgres.rows import Connection, Mirror, SharedRows, body, model, named
from bot.storage.postgres.url import DatabaseUrl

_SCHEDULE = TypeAdapter(NudgeSchedule)
_REMINDER = TypeAdapter(Reminder)

PUT_SCHEDULE = """
INSERT INTO schedules (id, leader, body) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET leader = excluded.leader, body = excluded.body, updated_at = now()
"""
PUT_REMINDER = """
INSERT INTO reminders (id, leader, body) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET leader = excluded.leader, body = excluded.body, updated_at = now()
"""


class PostgresScheduleBackend:
    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        url: DatabaseUrl,
        *,
        reconcile_every: float = 30.0,
        retry_every: float = 1.0,
    ) -> None:
        """`url` gives the LISTEN connection (outside the pool) and names the server in
        errors; see ChangeListener for the two periods."""
        self.rows = SharedRows(pool, url)
        self._schedules = Mirror("schedules", "id", _SCHEDULE)
        self._reminders = Mirror("reminders", "id", _REMINDER)
        self.listener = ChangeListener(
            url, name="schedules", reconcile_every=reconcile_every, retry_every=retry_every
        )

    async def load(self) -> tuple[list[NudgeSchedule], list[Reminder]]:
        return await self._schedules.all(self.rows), await self._reminders.all(self.rows)

    async def read_schedule(self, schedule_id: str) -> NudgeSchedule | None:
        found = await self.rows.fetch("SELECT body FROM schedules WHERE id = $1", schedule_id)
        return model("schedules", _SCHEDULE, found[0]) if found else None

    async def read_reminder(self, reminder_id: str) -> Reminder | None:
        found = await self.rows.fetch("SELECT body FROM reminders WHERE id = $1", reminder_id)
        return model("reminders", _REMINDER, found[0]) if found else None

    async def put_schedules(self, schedules: Sequence[NudgeSchedule]) -> None:
        async def put(connection: Connection) -> list[str]:
            await connection.executemany(
                PUT_SCHEDULE, [(s.id, s.user, body(_SCHEDULE, s)) for s in schedules]
            )
            return named("schedules", (s.id for s in schedules))

        await self.rows.change(put)

    async def remove_schedules(self, schedule_ids: Collection[str]) -> None:
        async def remove(connection: Connection) -> list[str]:
            gone = await connection.fetch(
                "DELETE FROM schedules WHERE id = ANY($1::text[]) RETURNING id", list(schedule_ids)
            )
            return named("schedules", (r["id"] for r in gone))

        await self.rows.change(remove)

    async def put_reminder(self, reminder: Reminder) -> None:
        async def put(connection: Connection) -> list[str]:
            await connection.execute(
                PUT_REMINDER, reminder.id, reminder.user, body(_REMINDER, reminder)
            )
            return named("reminders", (reminder.id,))

        await self.rows.change(put)

    async def remove_reminder(self, reminder_id: str) -> None:
        async def remove(connection: Connection) -> list[str]:
            gone = await connection.fetch(
                "DELETE FROM reminders WHERE id = $1 RETURNING id", reminder_id
            )
            return named("reminders", (r["id"] for r in gone))

        await self.rows.change(remove)

    async def forget_user(self, user: str) -> None:
        async def forget(connection: Connection) -> list[str]:
            schedules = await connection.fetch(
                "DELETE FROM schedules WHERE leader = $1 RETURNING id", user
            )
            reminders = await connection.fetch(
                "DELETE FROM reminders WHERE leader = $1 RETURNING id", user
            )
            return named("schedules", (r["id"] for r in schedules)) + named(
                "reminders", (r["id"] for r in reminders)
            )

        await self.rows.change(forget)

    async def follow(self, heard: Heard, resync: Resync) -> None:
        await self.listener.start(heard, resync)

    async def unfollow(self) -> None:
        await self.listener.stop()
