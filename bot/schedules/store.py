"""Schedules and one-shot reminders: read from memory, written through a backend.

The backend (a TinyDB file, memory, or PostgreSQL) is the source of truth; it changes only
when a schedule or reminder does (at human pace), never per delivery. Reads come from memory,
indexed by leader; the cache changes only after the backend has kept the write, so a failed
write leaves nothing half-applied. Observers (the scheduler) hear of each change, whether made
here or, on a shared database, by another instance.
"""

import asyncio
import secrets
from collections import defaultdict
from typing import Protocol

from bot.schedules.backend import ScheduleBackend
from bot.schedules.model import NudgeSchedule, Reminder

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
    def __init__(self, backend: ScheduleBackend) -> None:
        self.backend = backend
        self.observers: list[ScheduleObserver] = []
        self._schedules: dict[str, NudgeSchedule] = {}
        self._reminders: dict[str, Reminder] = {}
        self._by_user: defaultdict[str, set[str]] = defaultdict(set)
        # One change at a time, from the write to the cache: a notification of our own write
        # is then read after the cache holds it, and found to change nothing.
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        schedules, reminders = await self.backend.load()
        self._schedules = {s.id: s for s in schedules}
        self._reminders = {r.id: r for r in reminders}
        self._by_user.clear()
        for schedule in self._schedules.values():
            self._by_user[schedule.user].add(schedule.id)

    async def start_listening(self) -> None:
        """Follow changes other instances make (PostgreSQL); nothing to do on a file."""
        await self.backend.follow(self._heard, self.reconcile)

    async def stop_listening(self) -> None:
        await self.backend.unfollow()

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
        async with self._lock:
            await self.backend.put_schedules(schedules)
            self._changed(list(schedules))

    async def remove_schedules(self, *schedule_ids: str) -> None:
        async with self._lock:
            ids = {i for i in schedule_ids if i in self._schedules}
            if not ids:
                return
            await self.backend.remove_schedules(ids)
            self._removed(sorted(ids))

    async def put_reminder(self, reminder: Reminder) -> None:
        async with self._lock:
            await self.backend.put_reminder(reminder)
            self._reminder_changed(reminder)

    async def remove_reminder(self, reminder_id: str) -> None:
        async with self._lock:
            if reminder_id not in self._reminders:
                return
            await self.backend.remove_reminder(reminder_id)
            self._reminder_removed(reminder_id)

    async def forget_user(self, user: str) -> None:
        """Remove every schedule and reminder of one leader (`forget me`)."""
        async with self._lock:
            schedules = sorted(self._by_user.get(user, ()))
            reminders = [r.id for r in self._reminders.values() if r.user == user]
            if not schedules and not reminders:
                return
            await self.backend.forget_user(user)
            if schedules:
                self._removed(schedules)
            for reminder_id in reminders:
                self._reminder_removed(reminder_id)

    # -------------------------------------------------------------- changes made elsewhere

    async def _heard(self, table: str, key: str) -> None:
        """Another instance (or this one) wrote one row: take it as stored now."""
        async with self._lock:
            if table == "schedules":
                schedule = await self.backend.read_schedule(key)
                if schedule is None and key in self._schedules:
                    self._removed([key])
                elif schedule is not None and self._schedules.get(key) != schedule:
                    self._changed([schedule])
            elif table == "reminders":
                reminder = await self.backend.read_reminder(key)
                if reminder is None and key in self._reminders:
                    self._reminder_removed(key)
                elif reminder is not None and self._reminders.get(key) != reminder:
                    self._reminder_changed(reminder)

    async def reconcile(self) -> None:
        """Read everything again and report what differs: notifications are not stored, so
        one missed while the database was away is caught here."""
        async with self._lock:
            schedules, reminders = await self.backend.load()
            fresh = {s.id: s for s in schedules}
            changed = [s for s in schedules if self._schedules.get(s.id) != s]
            gone = sorted(self._schedules.keys() - fresh.keys())
            if changed:
                self._changed(changed)
            if gone:
                self._removed(gone)
            fresh_reminders = {r.id: r for r in reminders}
            for reminder in reminders:
                if self._reminders.get(reminder.id) != reminder:
                    self._reminder_changed(reminder)
            for reminder_id in sorted(self._reminders.keys() - fresh_reminders.keys()):
                self._reminder_removed(reminder_id)

    # -------------------------------------------------------------- the cache

    def _changed(self, schedules: list[NudgeSchedule]) -> None:
        for schedule in schedules:
            old = self._schedules.get(schedule.id)
            if old is not None and old.user != schedule.user:
                self._unindex(old)
            self._schedules[schedule.id] = schedule
            self._by_user[schedule.user].add(schedule.id)
        for observer in self.observers:
            observer.schedules_changed(schedules)

    def _removed(self, schedule_ids: list[str]) -> None:
        for schedule_id in schedule_ids:
            self._unindex(self._schedules.pop(schedule_id))
        for observer in self.observers:
            observer.schedules_removed(schedule_ids)

    def _unindex(self, schedule: NudgeSchedule) -> None:
        self._by_user[schedule.user].discard(schedule.id)
        if not self._by_user[schedule.user]:
            del self._by_user[schedule.user]

    def _reminder_changed(self, reminder: Reminder) -> None:
        self._reminders[reminder.id] = reminder
        for observer in self.observers:
            observer.reminder_changed(reminder)

    def _reminder_removed(self, reminder_id: str) -> None:
        self._reminders.pop(reminder_id, None)
        for observer in self.observers:
            observer.reminder_removed(reminder_id)
