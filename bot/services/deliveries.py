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
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain import Reply, UserKey
from bot.errors import StorageError
from bot.logs import log
from bot.ports import DeliveryError, Notifier
from bot.schedules.keys import DeliveryKey, held_reminder
from bot.schedules.ledger import DeliveryLedger, Entry, Status
from bot.schedules.model import INACTIVE, NudgeSchedule, Reminder
from bot.schedules.store import ScheduleStore
from bot.services.conversations import ConversationService
from bot.services.messages import MessageSender, RetryPolicy
from bot.stats import LAG_BUCKETS, Histogram
from dialogs.model import (
    DeliveryHeld,
    DeliveryWithheld,
    Event,
    FollowUpDue,
    NudgeDue,
    SnoozeEnded,
)
from dialogs.recurrence import local_date_of

logger = logging.getLogger("peercoach.deliveries")


@dataclass(frozen=True)
class Stalled:
    """A delivery held up by storage (reply None: the turn was not saved, run it again) or
    by the platform (the saved turn's reply, to send as it is)."""

    entry: Entry
    since: datetime
    reason: str
    reply: Reply | None = None


@dataclass
class DeliveryStats:
    delivered: int = 0
    retried: int = 0
    deferred: int = 0
    stalled: int = 0  # held up by storage, to be retried
    taken: int = 0  # claims lost: another instance holds the key, or it is done
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    lag: Histogram = field(default_factory=lambda: Histogram(LAG_BUCKETS))  # how late, sent ones


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
        self.stalled: dict[str, Stalled] = {}  # by delivery key; nothing of them was sent
        self.slots = asyncio.Semaphore(in_flight)
        self.sleep = sleep
        # Notices and late replies: the same notifiers and backoff, no ledger.
        self.messages = MessageSender(conversations, notifiers, self.retry, self._sleep)
        # Other services' kinds of delivery (a peer circle's introduction): how to rebuild
        # the event of one of their keys after a crash; None when it is no longer wanted.
        self.rebuilders: dict[str, Callable[[DeliveryKey, datetime], Event | None]] = {}

    async def _sleep(self, seconds: float) -> None:
        await self.sleep(seconds)  # looked up at each call: tests replace `sleep`

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
        async with _Slot(self.slots) as slot:
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

    # ---------------------------------------------------------------- the send path

    async def _send(self, entry: Entry, event: Event, *, resume: bool = False) -> Status:
        user = UserKey.parse(entry.user or "")
        notifier = self.notifiers.get(user.channel)
        if notifier is None:
            return await self._finish(entry, "skipped", f"no {user.channel} channel configured")
        async with _Slot(self.slots) as slot:  # claim, turn and send: one delivery, one slot
            try:
                pending = replace(entry, status="pending", at=self.clock.now())
                if not await self.ledger.claim(pending, resume=resume):
                    return self._taken(entry)
                reply = await self.conversations.handle(user, event)
            except StorageError:  # the ledger could not record it as pending
                return self._stall(entry, "storage")
            if reply.failed:  # the leader's state could not be saved
                return self._stall(entry, "storage")
            for effect in reply.effects:
                if isinstance(effect, DeliveryWithheld):
                    return await self._finish(entry, "skipped", effect.reason)
                if isinstance(effect, DeliveryHeld):
                    return await self._defer(entry, effect.until)
            if not reply.messages:
                return await self._finish(entry, "skipped", "nothing to send")
            return await self._deliver(notifier, user, reply, entry, slot)

    async def _deliver(
        self, notifier: Notifier, user: UserKey, reply: Reply, entry: Entry, slot: "_Slot"
    ) -> Status:
        """Send with retries. The slot is given up while waiting to retry, so a platform
        that is failing does not hold up deliveries to others."""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                await slot.take()
                await notifier.deliver(user, reply, entry.key)
            except DeliveryError as error:
                if error.permanent:
                    if error.leader_gone:
                        await self._unreachable(user, error.reason)
                    return await self._finish(entry, "failed", error.reason, permanent=True)
                if attempt == self.retry.attempts:  # down for longer: the heartbeat tries again
                    return self._stall(entry, error.reason, reply)
                self.stats.retried += 1
                slot.give()
                await self.sleep(self.retry.delay(attempt, error.retry_after))
                continue
            except Exception as error:  # not a platform answer: it may or may not have gone out
                log(
                    logger,
                    "delivery.error",
                    level=logging.ERROR,
                    key=entry.key,
                    user=user.hashed,
                    error=type(error).__name__,
                )
                return "pending"  # left pending: the next start asks the channel, never guesses
            if entry.due_at is not None:
                lag = (self.clock.now() - entry.due_at).total_seconds()
                self.stats.lag.observe(max(0.0, lag))
            return await self._finish(entry, "sent", None)
        return "failed"  # pragma: no cover - the loop always returns

    def _taken(self, entry: Entry) -> Status:
        """Another instance holds the key (or it is done): not ours to send."""
        status = self.ledger.status(entry.key) or "pending"
        self.stats.taken += 1
        log(logger, "delivery.taken", key=entry.key, user=_pseudonym(entry.user), status=status)
        return status

    def _stall(self, entry: Entry, reason: str, reply: Reply | None = None) -> Status:
        """Nothing was sent, and it stays pending: the heartbeat tries again."""
        since = held.since if (held := self.stalled.get(entry.key)) else self.clock.now()
        self.stalled[entry.key] = Stalled(entry, since, reason, reply)
        self.stats.stalled += 1
        log(
            logger,
            "delivery.stalled",
            level=logging.WARNING,
            key=entry.key,
            user=_pseudonym(entry.user),
            reason=reason,
        )
        return "pending"

    async def _finish(
        self, entry: Entry, status: Status, reason: str | None, *, permanent: bool = False
    ) -> Status:
        try:
            await self.ledger.record(
                replace(entry, status=status, at=self.clock.now(), reason=reason)
            )
        except StorageError:  # it stands in memory; after a restart, a pending key is checked
            log(logger, "delivery.unrecorded", level=logging.WARNING, key=entry.key, status=status)
        if status == "sent":
            self.stats.delivered += 1
        elif status == "failed":
            self.stats.failed["permanent" if permanent else (reason or "").split(":")[0]] += 1
        else:
            self.stats.skipped[reason or "unknown"] += 1
        log(
            logger,
            f"delivery.{status}",
            key=entry.key,
            user=_pseudonym(entry.user),
            reason=reason or "-",
        )
        return status

    async def _defer(self, entry: Entry, until: datetime) -> Status:
        """Quiet hours: hold the delivery (same key) until they end."""
        await self.ledger.record(
            replace(entry, status="deferred", at=self.clock.now(), reason="quiet hours")
        )
        leader = UserKey.parse(entry.user or "")
        await self.schedules.put_reminder(held_reminder(leader, entry.key, until, entry.schedule))
        self.stats.deferred += 1
        return "deferred"

    async def _unreachable(self, user: UserKey, reason: str) -> None:
        """The leader cannot be reached: pause every schedule of theirs, with the reason.
        They are resumed when the leader writes to us again."""
        paused = [
            replace(s, paused=True, paused_reason=f"{INACTIVE}: {reason}")
            for s in self.schedules.schedules_of(str(user))
            if not s.paused
        ]
        await self.schedules.put_schedules(*paused)
        log(logger, "leader.unreachable", user=user.hashed, reason=reason, schedules=len(paused))


class _Slot:
    """One delivery's place among those in flight: taken once, given up only while it
    waits to retry, and given back exactly once however the delivery ends."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self.slots = slots
        self.held = False

    async def take(self) -> None:
        if not self.held:
            await self.slots.acquire()
            self.held = True

    def give(self) -> None:
        if self.held:
            self.held = False
            self.slots.release()

    async def __aenter__(self) -> "_Slot":
        await self.take()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.give()


def is_reminder(entry: Entry) -> bool:
    """A snooze or follow-up (always on time), not a scheduled nudge."""
    try:
        return DeliveryKey.parse(entry.key, UserKey.parse(entry.user or "")).is_reminder
    except ValueError:  # NotADeliveryKey too
        return False


def _on_time(entry: Entry, now: datetime, grace: timedelta) -> bool:
    """Still worth sending: a reminder always is, a scheduled nudge within the grace window."""
    return is_reminder(entry) or entry.due_at is None or now - entry.due_at <= grace


def _pseudonym(user: str | None) -> str:
    return UserKey.parse(user).hashed if user else "-"
