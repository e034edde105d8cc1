"""Schedules and reminders in one small shared TinyDB file, `schedules.json`."""

from collections.abc import Collection, Sequence
from pathlib import Path

from pydantic import TypeAdapter
from tinydb import TinyDB

from bot.schedules.model import NudgeSchedule, Reminder
from bot.storage.changes import NoChanges
from bot.storage.tinydb.shared_file import SharedFile, remove, upsert

_SCHEDULE = TypeAdapter(NudgeSchedule)
_REMINDER = TypeAdapter(Reminder)


class TinyDBScheduleBackend(NoChanges):
    def __init__(self, data_dir: Path) -> None:
        self.file = SharedFile(data_dir / "schedules.json")

    async def load(self) -> tuple[list[NudgeSchedule], list[Reminder]]:
        return await self.file.read("schedules", _SCHEDULE), await self.file.read(
            "reminders", _REMINDER
        )

    async def read_schedule(self, schedule_id: str) -> NudgeSchedule | None:
        found = await self.file.read("schedules", _SCHEDULE)
        return next((s for s in found if s.id == schedule_id), None)

    async def read_reminder(self, reminder_id: str) -> Reminder | None:
        found = await self.file.read("reminders", _REMINDER)
        return next((r for r in found if r.id == reminder_id), None)

    async def put_schedules(self, schedules: Sequence[NudgeSchedule]) -> None:
        await self.file.write(lambda db: upsert(db, "schedules", schedules, _SCHEDULE))

    async def remove_schedules(self, schedule_ids: Collection[str]) -> None:
        await self.file.write(lambda db: remove(db, "schedules", schedule_ids))

    async def put_reminder(self, reminder: Reminder) -> None:
        await self.file.write(lambda db: upsert(db, "reminders", (reminder,), _REMINDER))

    async def remove_reminder(self, reminder_id: str) -> None:
        await self.file.write(lambda db: remove(db, "reminders", (reminder_id,)))

    async def forget_user(self, user: str) -> None:
        def forget(db: TinyDB) -> None:
            for table in ("schedules", "reminders"):
                remove(db, table, (user,), key="user")

        await self.file.write(forget)
