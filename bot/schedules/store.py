"""Schedules, preferences and reminders in one small shared TinyDB file, the source of truth.

This file changes only when a schedule or a preference changes, never per delivery, so one
shared file is fine; every change is one atomic write off the event loop.
"""

import asyncio
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from pydantic import TypeAdapter
from tinydb import Query, TinyDB
from tinydb.middlewares import CachingMiddleware

from bot.schedules.model import LeaderPrefs, NudgeSchedule, Reminder
from bot.storage.atomic import AtomicJSONStorage


class ScheduleObserver(Protocol):
    """Told after each change is written, e.g. so the scheduler's jobs follow the store."""

    def schedules_changed(self, schedules: list[NudgeSchedule]) -> None: ...

    def schedules_removed(self, schedule_ids: list[str]) -> None: ...

    def reminder_changed(self, reminder: Reminder) -> None: ...

    def reminder_removed(self, reminder_id: str) -> None: ...


_SCHEDULE = TypeAdapter(NudgeSchedule)
_PREFS = TypeAdapter(LeaderPrefs)
_REMINDER = TypeAdapter(Reminder)
_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: ids are typed by people


def new_id(length: int = 6) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class ScheduleStore:
    """All reads come from memory; every change is written through, atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "schedules.json"
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = asyncio.Lock()
        self._schedules: dict[str, NudgeSchedule] = {}
        self._prefs: dict[str, LeaderPrefs] = {}
        self._reminders: dict[str, Reminder] = {}
        self.observers: list[ScheduleObserver] = []

    async def load(self) -> None:
        await asyncio.to_thread(self._load)

    def _load(self) -> None:
        db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._schedules = {d["id"]: _SCHEDULE.validate_python(d) for d in db.table("schedules")}
        self._prefs = {d["user"]: _PREFS.validate_python(d) for d in db.table("prefs")}
        self._reminders = {d["id"]: _REMINDER.validate_python(d) for d in db.table("reminders")}

    # -------------------------------------------------------------- reads (memory)

    def schedules(self) -> list[NudgeSchedule]:
        return list(self._schedules.values())

    def schedule(self, schedule_id: str) -> NudgeSchedule | None:
        return self._schedules.get(schedule_id)

    def schedules_of(self, user: str) -> list[NudgeSchedule]:
        return sorted(
            (s for s in self._schedules.values() if s.user == user),
            key=lambda s: (s.at, s.created_at),
        )

    def prefs(self, user: str) -> LeaderPrefs:
        return self._prefs.get(user) or LeaderPrefs(user)

    def has_prefs(self, user: str) -> bool:
        return user in self._prefs

    def reminders(self) -> list[Reminder]:
        return list(self._reminders.values())

    def reminder(self, reminder_id: str) -> Reminder | None:
        return self._reminders.get(reminder_id)

    def unused_id(self) -> str:
        while (candidate := new_id()) in self._schedules or candidate in self._reminders:
            pass
        return candidate

    # -------------------------------------------------------------- writes

    async def put_schedules(self, *schedules: NudgeSchedule) -> None:
        await self._write(lambda db: _upsert(db, "schedules", "id", schedules, _SCHEDULE))
        self._schedules.update((s.id, s) for s in schedules)
        for observer in self.observers:
            observer.schedules_changed(list(schedules))

    async def remove_schedules(self, *schedule_ids: str) -> None:
        ids = set(schedule_ids)
        await self._write(lambda db: db.table("schedules").remove(Query().id.one_of(ids)))
        for schedule_id in ids:
            self._schedules.pop(schedule_id, None)
        for observer in self.observers:
            observer.schedules_removed(sorted(ids))

    async def put_prefs(self, prefs: LeaderPrefs) -> None:
        await self._write(lambda db: _upsert(db, "prefs", "user", (prefs,), _PREFS))
        self._prefs[prefs.user] = prefs

    async def put_reminder(self, reminder: Reminder) -> None:
        await self._write(lambda db: _upsert(db, "reminders", "id", (reminder,), _REMINDER))
        self._reminders[reminder.id] = reminder
        for observer in self.observers:
            observer.reminder_changed(reminder)

    async def remove_reminder(self, reminder_id: str) -> None:
        if reminder_id not in self._reminders:
            return
        await self._write(lambda db: db.table("reminders").remove(Query().id == reminder_id))
        self._reminders.pop(reminder_id, None)
        for observer in self.observers:
            observer.reminder_removed(reminder_id)

    async def forget_user(self, user: str) -> list[str]:
        """Remove everything of one leader; returns the removed schedule ids."""
        gone = [s.id for s in self._schedules.values() if s.user == user]

        def remove(db: TinyDB) -> None:
            for table in ("schedules", "prefs", "reminders"):
                db.table(table).remove(Query().user == user)

        await self._write(remove)
        for schedule_id in gone:
            self._schedules.pop(schedule_id, None)
        self._prefs.pop(user, None)
        reminders = [r.id for r in self._reminders.values() if r.user == user]
        for reminder_id in reminders:
            self._reminders.pop(reminder_id, None)
        for observer in self.observers:
            observer.schedules_removed(gone)
            for reminder_id in reminders:
                observer.reminder_removed(reminder_id)
        return gone

    async def _write(self, change: Callable[[TinyDB], Any]) -> None:
        async with self._lock:
            await asyncio.to_thread(self._write_sync, change)

    def _write_sync(self, change: Callable[[TinyDB], Any]) -> None:
        middleware = CachingMiddleware(AtomicJSONStorage)  # type: ignore[no-untyped-call]  # unannotated in tinydb
        db = TinyDB(self.path, storage=middleware)
        change(db)
        db.close()  # one atomic write for the whole change


def _upsert[T](
    db: TinyDB, table: str, field: str, items: tuple[T, ...], adapter: TypeAdapter[T]
) -> None:
    for item in items:
        document = adapter.dump_python(item, mode="json")
        db.table(table).upsert(document, Query()[field] == document[field])
