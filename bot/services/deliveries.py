"""Sending what the coach says unprompted, exactly once per delivery key.

The ledger claims a key as pending before the send (a claim another instance won means no
send) and records it as sent after it. Everything that can happen to a delivery — a paused
leader, quiet hours, a second firing on one local date, a platform that is slow, failing or
gone — ends as one recorded state, counted in `stats`. A delivery held up by storage (a full
disk, a database away) or by a platform down through every quick retry is kept pending in
`stalled` and retried by the scheduler's heartbeat until it goes or its grace window ends.
Whether the leader wants it now (pause, quiet hours) is the engine's call, made from the
leader's own state; this service acts on it.
"""

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain import UserKey
from bot.errors import StorageError
from bot.logs import log
from bot.schedules.keys import DeliveryKey
from bot.schedules.ledger import Entry, Status
from bot.schedules.model import NudgeSchedule, Reminder
from bot.services.delivery_sending import DeliverySending, Slot, Stalled, logger
from dialogs.model import Event, FollowUpDue, NudgeDue, SnoozeEnded
from dialogs.recurrence import local_date_of


class DeliveryService(DeliverySending):
    # ---------------------------------------------------------------- what falls due

    async def nudge(self, schedule: NudgeSchedule, due: datetime) -> Status:
        """Deliver one scheduled nudge (or record why not)."""
        key = str(DeliveryKey.for_nudge(schedule, due))
        known = self.ledger.status(key)
        if known is not None:
            return known
        local_day = local_date_of(due, schedule.timezone)
        entry = Entry(key, "pending", self.clock.now(), schedule.user, schedule.id, local_day, due)
        if self.ledger.taken_on(schedule.user, schedule.id, local_day):
            return await self._finish(entry, "skipped", "second firing on one local date")
        if schedule.paused:
            return await self._finish(entry, "skipped", "schedule paused")
        return await self._send(entry, NudgeDue(key, schedule.themes, self.clock.now()))

    async def reminder(self, reminder: Reminder) -> Status:
        """Deliver a one-shot: a snoozed nudge, a follow-up, or something quiet hours held."""
        key = self._key_of(reminder)
        if key is None:
            status: Status = "skipped"
        elif reminder.kind == "deferred":
            entry = self.ledger.entry(str(key))
            event = self._event_for(entry, self.clock.now()) if entry else None
            status = "skipped"
            if entry is not None and event is not None and entry.status == "deferred":
                status = await self._send(entry, event)
        else:
            entry = Entry(
                str(key),
                "pending",
                self.clock.now(),
                reminder.user,
                due_at=reminder.due_at,
            )
            event = self._event_for(entry, self.clock.now())
            status = self.ledger.status(entry.key) or (
                await self._send(entry, event) if event else "skipped"
            )
        await self.schedules.remove_reminder(reminder.id)
        return status

    async def one_off(
        self, key: DeliveryKey, event: Event, due_at: datetime | None = None
    ) -> Status:
        """Deliver one event under `key`, once (another service's delivery: a peer circle's
        introduction or check-in); a key the ledger knows already is left as it stands.
        `due_at`: when it fell due, if not the key's own time (for the lag)."""
        known = self.ledger.status(str(key))
        if known is not None:
            return known
        due = due_at or key.due_at
        entry = Entry(str(key), "pending", self.clock.now(), str(key.leader), due_at=due)
        return await self._send(entry, event)

    def _key_of(self, reminder: Reminder) -> DeliveryKey | None:
        try:
            return DeliveryKey.for_reminder(reminder)
        except ValueError as error:  # NotADeliveryKey, or a damaged user key: say so
            log(
                logger,
                "delivery.bad_reminder",
                level=logging.WARNING,
                reminder=reminder.id,
                error=type(error).__name__,
            )
            return None

    async def skip_missed(self, schedule: NudgeSchedule, due: datetime, reason: str) -> Status:
        local_day = local_date_of(due, schedule.timezone)
        entry = Entry(
            str(DeliveryKey.for_nudge(schedule, due)),
            "skipped",
            self.clock.now(),
            schedule.user,
            schedule.id,
            local_day,
            due,
        )
        return await self._finish(entry, "skipped", reason)

    def worth_asking(self, entry: Entry, now: datetime, grace: timedelta) -> bool:
        """Whether the channel's answer about a pending key could change anything: only if
        "not delivered" would mean sending it now (a reminder, or a nudge within grace)."""
        return _on_time(entry, now, grace) and self._event_for(entry, now) is not None

    async def settle_pending(
        self, entry: Entry, answer: bool | None, now: datetime, grace: timedelta
    ) -> Status:
        """A key a crash left pending, once the channel answered (bot.services.recovery);
        never guess twice. Delivered: record it as sent. Not delivered: send it now if it
        is still on time (a reminder always is). The channel cannot tell: skip and count it
        rather than risk a second copy."""
        if answer is True:
            return await self._finish(entry, "sent", "confirmed after restart")
        if answer is None:
            return await self._finish(entry, "skipped", "unknown after restart")
        event = self._event_for(entry, now)
        if event is None or not _on_time(entry, now, grace):
            return await self._finish(entry, "skipped", "not delivered before restart, past grace")
        return await self._send(entry, event, resume=True)

    async def settle_unasked(self, entry: Entry) -> Status:
        """A pending key nobody needs to ask about: it would not be sent again either way."""
        return await self._finish(entry, "skipped", "unknown, past grace")

    async def retry_stalled(self, now: datetime, grace: timedelta) -> None:
        """The held-up deliveries, once more: each goes out if it is still on time (and held
        up for less than the grace window), else it is recorded as failed and counted."""
        stalled, self.stalled = self.stalled, {}
        await asyncio.gather(*(self._retry(held, now, grace) for held in stalled.values()))

    async def _retry(self, held: Stalled, now: datetime, grace: timedelta) -> Status:
        entry = held.entry
        event = self._event_for(entry, now)
        if event is None or not _on_time(entry, now, grace) or now - held.since > grace:
            return await self._finish(entry, "failed", f"gave up: {held.reason}")
        if held.reply is None:  # claimed again: this ledger may hold it already
            return await self._send(entry, event, resume=True)
        user = UserKey.parse(entry.user or "")
        notifier = self.notifiers.get(user.channel)
        if notifier is None:
            return await self._finish(entry, "skipped", "channel no longer configured")
        async with Slot(self.slots) as slot:
            try:  # still ours? another instance may have taken it over meanwhile
                pending = replace(entry, status="pending", at=now)
                if not await self.ledger.claim(pending, resume=True):
                    return self._taken(entry)
            except StorageError:
                return self._stall(entry, "storage", held.reply)
            return await self._deliver(notifier, user, held.reply, entry, slot)

    def _event_for(self, entry: Entry, now: datetime) -> Event | None:
        """Rebuild the event of a delivery key (after a crash, or when quiet hours end)."""
        try:
            key = DeliveryKey.parse(entry.key, UserKey.parse(entry.user or ""))
        except ValueError:  # NotADeliveryKey too: not ours to send
            return None
        if key.kind == "snooze":
            return SnoozeEnded(key.ref, now)
        if key.kind == "follow_up":
            return FollowUpDue(key.ref, now)
        if key.kind != "nudge":
            build = self.rebuilders.get(key.kind)
            return build(key, now) if build is not None else None
        schedule = self.schedules.schedule(entry.schedule or key.ref)
        if schedule is None or schedule.user != entry.user:
            return None
        return NudgeDue(entry.key, schedule.themes, now)


def is_reminder(entry: Entry) -> bool:
    """A snooze or follow-up (always on time), not a scheduled nudge."""
    try:
        return DeliveryKey.parse(entry.key, UserKey.parse(entry.user or "")).is_reminder
    except ValueError:  # NotADeliveryKey too
        return False


def _on_time(entry: Entry, now: datetime, grace: timedelta) -> bool:
    """Still worth sending: a reminder always is, a scheduled nudge within the grace window."""
    return is_reminder(entry) or entry.due_at is None or now - entry.due_at <= grace
