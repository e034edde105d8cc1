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
from bot.storage.postgres.rows import Connection, Mirror, SharedRows, body, named
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
        return await self._schedules.one(self.rows, schedule_id)

    async def read_reminder(self, reminder_id: str) -> Reminder | None:
        return await self._reminders.one(self.rows, reminder_id)

    async def put_schedules(self, schedules: Sequence[NudgeSchedule]) -> None:
        async def put(connection: Connection) -> list[str]:
            await connection.executemany(
                PUT_SCHEDULE, [(s.id, s.user, body(_SCHEDULE, s)) for s in schedules]
            )
            return named("schedules", (s.id for s in schedules))

        await self.rows.change(put)

    async def remove_schedules(self, schedule_ids: Collection[str]) -> None:
        async def remove(connection: Connection) -> list[str]:
            return await self._schedules.delete(
                connection, "id = ANY($1::text[])", list(schedule_ids)
            )

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
            return await self._reminders.delete(connection, "id = $1", reminder_id)

        await self.rows.change(remove)

    async def forget_user(self, user: str) -> None:
        async def forget(connection: Connection) -> list[str]:
            return await self._schedules.delete(
                connection, "leader = $1", user
            ) + await self._reminders.delete(connection, "leader = $1", user)

        await self.rows.change(forget)

    async def follow(self, heard: Heard, resync: Resync) -> None:
        await self.listener.start(heard, resync)

    async def unfollow(self) -> None:
        await self.listener.stop()
