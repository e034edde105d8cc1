"""Sending what the coach says unprompted, exactly once per delivery key.

The ledger records a key as pending before the send and as sent after it. Everything that
can happen to a delivery — paused leader, quiet hours, a second firing on one local date,
a platform that is slow, failing or gone — ends as one recorded state, counted in `stats`.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.domain import Reply, UserKey
from bot.logs import log
from bot.ports import DeliveryError, Notifier
from bot.schedules.ledger import DeliveryLedger, Entry, Status
from bot.schedules.model import NudgeSchedule, Reminder
from bot.schedules.recurrence import local_date_of, quiet_until
from bot.schedules.store import ScheduleStore
from bot.services.conversations import ConversationService
from dialogs.model import Event, FollowUpDue, NudgeDue, SnoozeEnded

logger = logging.getLogger("peercoach.deliveries")


def delivery_key(schedule_id: str, due: datetime) -> str:
    """Schedule id plus due time in UTC: the identity of one scheduled nudge."""
    return f"{schedule_id}@{due.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


REMINDER_PREFIXES = ("snooze:", "follow_up:")


def reminder_key(reminder: Reminder) -> str:
    """`snooze:<delivery>@<due>` or `follow_up:<commitment>@<due>`."""
    return f"{reminder.kind}:{reminder.ref}@{reminder.due_at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for transient failures; Retry-After wins when the platform sends it."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 120.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        return min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)


@dataclass
class DeliveryStats:
    delivered: int = 0
    retried: int = 0
    deferred: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    lag_seconds: list[float] = field(default_factory=list)  # how late each delivery went out


class DeliveryService:
    def __init__(
        self,
        ledger: DeliveryLedger,
        schedules: ScheduleStore,
        conversations: ConversationService,
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        *,
        in_flight: int = 64,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.ledger = ledger
        self.schedules = schedules
        self.conversations = conversations
        self.notifiers = notifiers
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.stats = DeliveryStats()
        self._slots = asyncio.Semaphore(in_flight)
        self._sleep = sleep

    async def nudge(self, schedule: NudgeSchedule, due: datetime) -> Status:
        """Deliver one scheduled nudge (or record why not)."""
        key = delivery_key(schedule.id, due)
        known = self.ledger.status(key)
        if known is not None and known != "deferred":
            return known
        local_day = local_date_of(due, schedule.timezone)
        entry = Entry(key, "pending", self.clock.now(), schedule.user, schedule.id, local_day, due)
        if known is None and self.ledger.taken_on(schedule.id, local_day):
            return await self._skip(entry, "second firing on one local date")
        prefs = self.schedules.prefs(schedule.user)
        if schedule.paused or prefs.is_paused_on(local_day):
            return await self._skip(entry, "paused")
        if prefs.quiet_hours and known is None:
            held_until = quiet_until(self.clock.now(), prefs.quiet_hours, prefs.timezone)
            if held_until is not None:
                return await self._defer(entry, schedule, held_until)
        return await self._send(entry, NudgeDue(key, schedule.themes, self.clock.now()))

    async def reminder(self, reminder: Reminder) -> Status:
        """Deliver a one-shot: a snoozed nudge, a follow-up, or a nudge held by quiet hours."""
        if reminder.kind == "deferred" and reminder.schedule:
            schedule = self.schedules.schedule(reminder.schedule)
            entry = self.ledger.entry(reminder.ref)
            status: Status = "skipped"
            if schedule is not None and entry is not None and entry.due_at is not None:
                status = await self.nudge(schedule, entry.due_at)
            await self.schedules.remove_reminder(reminder.id)
            return status
        key = reminder_key(reminder)
        known = self.ledger.status(key)
        if known is not None:
            await self.schedules.remove_reminder(reminder.id)
            return known
        event: Event = (
            SnoozeEnded(reminder.ref, self.clock.now())
            if reminder.kind == "snooze"
            else FollowUpDue(reminder.ref, self.clock.now())
        )
        entry = Entry(key, "pending", self.clock.now(), reminder.user, due_at=reminder.due_at)
        status = await self._send(entry, event)
        await self.schedules.remove_reminder(reminder.id)
        return status

    async def skip_missed(self, schedule: NudgeSchedule, due: datetime, reason: str) -> Status:
        local_day = local_date_of(due, schedule.timezone)
        entry = Entry(
            delivery_key(schedule.id, due),
            "skipped",
            self.clock.now(),
            schedule.user,
            schedule.id,
            local_day,
            due,
        )
        return await self._skip(entry, reason)

    async def resolve_pending(self, entry: Entry, now: datetime, grace: timedelta) -> Status:
        """A key a crash left pending: ask the channel whether it arrived; never guess twice.

        Delivered: record it as sent. Not delivered: send it now if it is still on time (a
        reminder always is). The channel cannot tell: skip and count it rather than risk a
        second copy."""
        user = UserKey.parse(entry.user or "")
        notifier = self.notifiers.get(user.channel)
        answer: bool | None = None
        if notifier is not None:
            try:
                answer = await notifier.was_delivered(user, entry.key)
            except DeliveryError:
                answer = None
        if answer is True:
            return await self._finish(entry, "sent", "confirmed after restart")
        if answer is None:
            return await self._skip(entry, "unknown after restart")
        event = self._event_for(entry, now)
        is_reminder = entry.key.startswith(REMINDER_PREFIXES)
        on_time = is_reminder or entry.due_at is None or now - entry.due_at <= grace
        if event is None or not on_time:
            return await self._skip(entry, "not delivered before restart, past grace")
        return await self._send(entry, event, resume=True)

    def _event_for(self, entry: Entry, now: datetime) -> Event | None:
        if entry.key.startswith(REMINDER_PREFIXES):
            kind, _, rest = entry.key.partition(":")
            ref = rest.rsplit("@", 1)[0]
            return SnoozeEnded(ref, now) if kind == "snooze" else FollowUpDue(ref, now)
        schedule = self.schedules.schedule(entry.schedule or "")
        return NudgeDue(entry.key, schedule.themes, now) if schedule else None

    # ---------------------------------------------------------------- the send path

    async def _send(self, entry: Entry, event: Event, *, resume: bool = False) -> Status:
        user = UserKey.parse(entry.user or "")
        notifier = self.notifiers.get(user.channel)
        if notifier is None:
            return await self._skip(entry, f"no {user.channel} channel configured")
        async with self._slots:
            if not resume:
                await self.ledger.record(entry)
            reply = await self.conversations.handle(user, event)
        if reply.failed:
            return await self._finish(entry, "failed", "storage")
        if not reply.messages:
            return await self._finish(entry, "skipped", "nothing to send")
        return await self._deliver(notifier, user, reply, entry)

    async def _deliver(
        self, notifier: Notifier, user: UserKey, reply: Reply, entry: Entry
    ) -> Status:
        for attempt in range(1, self.retry.attempts + 1):
            try:
                async with self._slots:
                    await notifier.deliver(user, reply, entry.key)
            except DeliveryError as error:
                if error.permanent:
                    await self._inactive(user, error.reason)
                    return await self._finish(entry, "failed", error.reason)
                if attempt == self.retry.attempts:
                    return await self._finish(entry, "failed", f"gave up: {error.reason}")
                self.stats.retried += 1
                await self._sleep(self.retry.delay(attempt, error.retry_after))  # slot is free
                continue
            if entry.due_at is not None:
                lag = (self.clock.now() - entry.due_at).total_seconds()
                self.stats.lag_seconds.append(max(0.0, lag))
            return await self._finish(entry, "sent", None)
        return "failed"  # pragma: no cover - the loop always returns

    async def _finish(self, entry: Entry, status: Status, reason: str | None) -> Status:
        await self.ledger.record(replace(entry, status=status, at=self.clock.now(), reason=reason))
        if status == "sent":
            self.stats.delivered += 1
        elif status == "failed":
            self.stats.failed[_reason_kind(reason)] += 1
        else:
            self.stats.skipped[reason or "unknown"] += 1
        log(
            logger,
            f"delivery.{status}",
            key=entry.key,
            user=_hash(entry.user),
            reason=reason or "-",
        )
        return status

    async def _skip(self, entry: Entry, reason: str) -> Status:
        return await self._finish(replace(entry, status="skipped"), "skipped", reason)

    async def _defer(self, entry: Entry, schedule: NudgeSchedule, until: datetime) -> Status:
        """Quiet hours: hold the nudge (same key) until they end."""
        await self.ledger.record(replace(entry, status="deferred", reason="quiet hours"))
        await self.schedules.put_reminder(
            Reminder(
                id=f"q-{schedule.id}-{until:%Y%m%d%H%M}",
                user=schedule.user,
                kind="deferred",
                due_at=until,
                ref=entry.key,
                themes=schedule.themes,
                schedule=schedule.id,
            )
        )
        self.stats.deferred += 1
        return "deferred"

    async def _inactive(self, user: UserKey, reason: str) -> None:
        """The leader cannot be reached: pause every schedule of theirs, with the reason."""
        text = str(user)
        prefs = self.schedules.prefs(text)
        await self.schedules.put_prefs(replace(prefs, inactive_reason=reason))
        paused = [
            replace(s, paused=True, paused_reason=reason)
            for s in self.schedules.schedules_of(text)
            if not s.paused
        ]
        if paused:
            await self.schedules.put_schedules(*paused)
        log(logger, "leader.inactive", user=user.hashed, reason=reason, schedules=len(paused))


def _hash(user: str | None) -> str:
    return UserKey.parse(user).hashed if user else "-"


def _reason_kind(reason: str | None) -> str:
    if reason and reason.startswith("gave up"):
        return "transient"
    return "permanent" if reason and reason != "storage" else (reason or "unknown")
