"""Schedules and one-shot reminders in one small shared TinyDB file, the source of truth.

The file changes only when a schedule or reminder does (at human pace), never per delivery,
so one shared file is fine; reads come from memory, indexed by leader, and every change is
one atomic write off the event loop. Observers (the scheduler) hear of each change.
"""

import asyncio
import secrets
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from pydantic import TypeAdapter
from tinydb import Query, TinyDB
from tinydb.middlewares import CachingMiddleware

from bot.schedules.model import NudgeSchedule, Reminder
from bot.storage.atomic import AtomicJSONStorage

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
        self.path = data_dir / "schedules.json"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.observers: list[ScheduleObserver] = []
        self._lock = asyncio.Lock()
        self._schedules: dict[str, NudgeSchedule] = {}
        self._reminders: dict[str, Reminder] = {}
        self._by_user: defaultdict[str, set[str]] = defaultdict(set)

    async def load(self) -> None:
        await asyncio.to_thread(self._load)

    def _load(self) -> None:
        db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._schedules = {d["id"]: _SCHEDULE.validate_python(d) for d in db.table("schedules")}
        self._reminders = {d["id"]: _REMINDER.validate_python(d) for d in db.table("reminders")}
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
        await self._write(lambda db: _upsert(db, "schedules", schedules, _SCHEDULE))
        for schedule in schedules:
            self._schedules[schedule.id] = schedule
            self._by_user[schedule.user].add(schedule.id)
        for observer in self.observers:
            observer.schedules_changed(list(schedules))

    async def remove_schedules(self, *schedule_ids: str) -> None:
        ids = {i for i in schedule_ids if i in self._schedules}
        if not ids:
            return
        await self._write(lambda db: db.table("schedules").remove(Query().id.one_of(ids)))
        for schedule_id in ids:
            self._forget_schedule(schedule_id)
        for observer in self.observers:
            observer.schedules_removed(sorted(ids))

    async def put_reminder(self, reminder: Reminder) -> None:
        await self._write(lambda db: _upsert(db, "reminders", (reminder,), _REMINDER))
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

    async def forget_user(self, user: str) -> None:
        """Remove every schedule and reminder of one leader (`forget me`)."""
        schedules = sorted(self._by_user.get(user, ()))
        reminders = [r.id for r in self._reminders.values() if r.user == user]
        if not schedules and not reminders:
            return

        def remove(db: TinyDB) -> None:
            for table in ("schedules", "reminders"):
                db.table(table).remove(Query().user == user)

        await self._write(remove)
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

    async def _write(self, change: Callable[[TinyDB], Any]) -> None:
        async with self._lock:
            await asyncio.to_thread(self._write_sync, change)

    def _write_sync(self, change: Callable[[TinyDB], Any]) -> None:
        middleware = CachingMiddleware(AtomicJSONStorage)  # type: ignore[no-untyped-call]  # unannotated in tinydb
        db = TinyDB(self.path, storage=middleware)
        change(db)
        db.close()  # one atomic write for the whole change


def _upsert[Item](
    db: TinyDB, table: str, items: tuple[Item, ...], adapter: TypeAdapter[Item]
) -> None:
    """Insert or replace by id; many items cost one scan and one write."""
    rows = db.table(table)
    documents = [adapter.dump_python(item, mode="json") for item in items]
    wanted = {d["id"] for d in documents}
    rows.remove(Query().id.one_of(wanted))
    rows.insert_multiple(documents)
