"""Where schedules and reminders persist, behind ScheduleStore's memory cache."""

from collections.abc import Collection, Sequence
from typing import Protocol

from bot.schedules.model import NudgeSchedule, Reminder
from bot.storage.changes import Heard, Resync


class ScheduleBackend(Protocol):
    """A TinyDB file, memory, or PostgreSQL. Each write is whole or not at all."""

    async def load(self) -> tuple[list[NudgeSchedule], list[Reminder]]:
        """Every schedule and every reminder."""
        ...

    async def read_schedule(self, schedule_id: str) -> NudgeSchedule | None:
        """One schedule as stored now, to follow a change made by another instance."""
        ...

    async def read_reminder(self, reminder_id: str) -> Reminder | None:
        """One reminder as stored now."""
        ...

    async def put_schedules(self, schedules: Sequence[NudgeSchedule]) -> None:
        """Insert or replace by id, all in one write."""
        ...

    async def remove_schedules(self, schedule_ids: Collection[str]) -> None: ...

    async def put_reminder(self, reminder: Reminder) -> None: ...

    async def remove_reminder(self, reminder_id: str) -> None: ...

    async def forget_user(self, user: str) -> None:
        """Every schedule and reminder of one leader, in one write."""
        ...

    async def follow(self, heard: Heard, resync: Resync) -> None:
        """Report changes other instances make (see bot.storage.changes)."""
        ...

    async def unfollow(self) -> None: ...
