"""Schedules and one-shot reminders in one small shared TinyDB file, the source of truth.

The file changes only when a schedule or reminder does (at human pace), never per delivery,
so one shared file is fine; reads come from memory, indexed by leader, and every change is
one atomic write off the event loop. Observers (the scheduler) hear of each change.
"""

import secrets
from collections import defaultdict
from pathlib import Path
from typing import Protocol

from pydantic import TypeAdapter
from tinydb import TinyDB

from bot.schedules.model import NudgeSchedule, Reminder
from bot.storage.tinydb.shared_file import SharedFile, remove, upsert

_SCHEDULE = TypeAdapter(NudgeSchedule)
_REMINDER = TypeAdapter(Reminder)
_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: ids are typed by people


def new_id(length: int = 6) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class ScheduleObserver(Protocol):
    """Told after each change is written, e.g. so the scheduler's jobs follow the store."""

    def schedules_changed(self, schedules: list[NudgeSchedule]) -> None: ...

    def schedules_removed(self, schedule_ids: list[str]) -> None: ...

    def reminder_changed(self, reminder: Reminder) -> None: ...

    def reminder_removed(self, reminder_id: str) -> None: ...


class ScheduleStore:
    def __init__(self, data_dir: Path) -> None:
        self.file = SharedFile(data_dir / "schedules.json")
        self.observers: list[ScheduleObserver] = []
        self._schedules: dict[str, NudgeSchedule] = {}
        self._reminders: dict[str, Reminder] = {}
        self._by_user: defaultdict[str, set[str]] = defaultdict(set)

    async def load(self) -> None:
        self._schedules = {s.id: s for s in await self.file.read("schedules", _SCHEDULE)}
        self._reminders = {r.id: r for r in await self.file.read("reminders", _REMINDER)}
        self._by_user.clear()
        for schedule in self._schedules.values():
            self._by_user[schedule.user].add(schedule.id)

    # -------------------------------------------------------------- reads (memory)

    def schedules(self) -> list[NudgeSchedule]:
        return list(self._schedules.values())

    def schedule(self, schedule_id: str) -> NudgeSchedule | None:
        return self._schedules.get(schedule_id)

    def schedules_of(self, user: str) -> list[NudgeSchedule]:
        found = (self._schedules[i] for i in self._by_user.get(user, ()))
        return sorted(found, key=lambda s: (s.at, s.created_at, s.id))

    def reminders(self) -> list[Reminder]:
        return list(self._reminders.values())

    def reminders_of(self, user: str) -> list[Reminder]:
        return [r for r in self._reminders.values() if r.user == user]

    def reminder(self, reminder_id: str) -> Reminder | None:
        return self._reminders.get(reminder_id)

    def unused_id(self) -> str:
        while (candidate := new_id()) in self._schedules or candidate in self._reminders:
            pass
        return candidate

    # -------------------------------------------------------------- writes

    async def put_schedules(self, *schedules: NudgeSchedule) -> None:
        if not schedules:
            return
        await self.file.write(lambda db: upsert(db, "schedules", schedules, _SCHEDULE))
        for schedule in schedules:
            self._schedules[schedule.id] = schedule
            self._by_user[schedule.user].add(schedule.id)
        for observer in self.observers:
            observer.schedules_changed(list(schedules))

    async def remove_schedules(self, *schedule_ids: str) -> None:
        ids = {i for i in schedule_ids if i in self._schedules}
        if not ids:
            return
        await self.file.write(lambda db: remove(db, "schedules", ids))
        for schedule_id in ids:
            self._forget_schedule(schedule_id)
        for observer in self.observers:
            observer.schedules_removed(sorted(ids))

    async def put_reminder(self, reminder: Reminder) -> None:
        await self.file.write(lambda db: upsert(db, "reminders", (reminder,), _REMINDER))
        self._reminders[reminder.id] = reminder
        for observer in self.observers:
            observer.reminder_changed(reminder)

    async def remove_reminder(self, reminder_id: str) -> None:
        if reminder_id not in self._reminders:
            return
        await self.file.write(lambda db: remove(db, "reminders", (reminder_id,)))
        self._reminders.pop(reminder_id, None)
        for observer in self.observers:
            observer.reminder_removed(reminder_id)

    async def forget_user(self, user: str) -> None:
        """Remove every schedule and reminder of one leader (`forget me`)."""
        schedules = sorted(self._by_user.get(user, ()))
        reminders = [r.id for r in self._reminders.values() if r.user == user]
        if not schedules and not reminders:
            return

        def forget(db: TinyDB) -> None:
            for table in ("schedules", "reminders"):
                remove(db, table, (user,), key="user")

        await self.file.write(forget)
        for schedule_id in schedules:
            self._forget_schedule(schedule_id)
        for reminder_id in reminders:
            self._reminders.pop(reminder_id, None)
        for observer in self.observers:
            observer.schedules_removed(schedules)
            for reminder_id in reminders:
                observer.reminder_removed(reminder_id)

    def _forget_schedule(self, schedule_id: str) -> None:
        schedule = self._schedules.pop(schedule_id)
        self._by_user[schedule.user].discard(schedule_id)
        if not self._by_user[schedule.user]:
            del self._by_user[schedule.user]
