"""Schedules and reminders in memory: for tests and trials; nothing survives the process."""

from collections.abc import Collection, Sequence

from bot.schedules.model import NudgeSchedule, Reminder
from bot.storage.changes import NoChanges


class InMemoryScheduleBackend(NoChanges):
    def __init__(self) -> None:
        self._schedules: dict[str, NudgeSchedule] = {}  # frozen values: sharing them is safe
        self._reminders: dict[str, Reminder] = {}

    async def load(self) -> tuple[list[NudgeSchedule], list[Reminder]]:
        return list(self._schedules.values()), list(self._reminders.values())

    async def read_schedule(self, schedule_id: str) -> NudgeSchedule | None:
        return self._schedules.get(schedule_id)

    async def read_reminder(self, reminder_id: str) -> Reminder | None:
        return self._reminders.get(reminder_id)

    async def put_schedules(self, schedules: Sequence[NudgeSchedule]) -> None:
        self._schedules.update((s.id, s) for s in schedules)

    async def remove_schedules(self, schedule_ids: Collection[str]) -> None:
        for schedule_id in schedule_ids:
            self._schedules.pop(schedule_id, None)

    async def put_reminder(self, reminder: Reminder) -> None:
        self._reminders[reminder.id] = reminder

    async def remove_reminder(self, reminder_id: str) -> None:
        self._reminders.pop(reminder_id, None)

    async def forget_user(self, user: str) -> None:
        self._schedules = {i: s for i, s in self._schedules.items() if s.user != user}
        self._reminders = {i: r for i, r in self._reminders.items() if r.user != user}
