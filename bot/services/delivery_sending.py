"""The send path of DeliveryService: claim the key, run the turn, send with retries in a
bounded number of slots, and record how it ended (sent, skipped, deferred, failed, or
stalled for the heartbeat). Split from deliveries.py by job."""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.clock import Clock
from bot.domain import Reply, UserKey
from bot.errors import StorageError
from bot.logs import log
from bot.ports import DeliveryError, Notifier
from bot.schedules.keys import DeliveryKey, held_reminder
from bot.schedules.ledger import DeliveryLedger, Entry, Status
from bot.schedules.model import INACTIVE
from bot.schedules.store import ScheduleStore
from bot.services.conversations import ConversationService
from bot.services.messages import MessageSender, RetryPolicy
from bot.stats import LAG_BUCKETS, Histogram
from dialogs.model import DeliveryHeld, DeliveryWithheld, Event

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


class DeliverySending:
    """What DeliveryService holds, and how it sends one delivery."""

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

    async def _send(self, entry: Entry, event: Event, *, resume: bool = False) -> Status:
        user = UserKey.parse(entry.user or "")
        notifier = self.notifiers.get(user.channel)
        if notifier is None:
            return await self._finish(entry, "skipped", f"no {user.channel} channel configured")
        async with Slot(self.slots) as slot:  # claim, turn and send: one delivery, one slot
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
        self, notifier: Notifier, user: UserKey, reply: Reply, entry: Entry, slot: "Slot"
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
        log(logger, "delivery.taken", key=entry.key, user=pseudonym(entry.user), status=status)
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
            user=pseudonym(entry.user),
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
            user=pseudonym(entry.user),
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


class Slot:
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

    async def __aenter__(self) -> "Slot":
        await self.take()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.give()


def pseudonym(user: str | None) -> str:
    return UserKey.parse(user).hashed if user else "-"
