"""After a crash: settle the deliveries it left pending, asking the channels as little as
it can, in the background.

Asking can be slow: Slack's conversations.history is limited to one call a minute for
commercially distributed apps. So:
- a key whose answer would change nothing is settled without asking: a scheduled nudge past
  its grace window is not sent again whatever the answer ("unknown, past grace");
- the rest are grouped by leader, and a channel that can (Slack) answers for all of one
  leader's keys with one look at their conversation;
- leaders are asked about in the order their chance closes: nudges by due time (oldest
  first, the nearest to the end of their grace), then reminders (always on time), oldest
  first; a key whose grace ends while it waits is settled unasked when its turn comes;
- each channel is worked through on its own (Teams answers at once, Slack at its pace),
  and a delivery to send again goes out as soon as its answer is in.
It runs as a task of its own: start-up, new nudges and replies never wait for it. Stopped
part-way, the keys not yet settled stay pending for the next start.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.domain import UserKey
from bot.logs import log
from bot.ports import DeliveryError, DeliveryHistory, Notifier, Unconfirmed
from bot.schedules.ledger import Entry
from bot.services.deliveries import DeliveryService, is_reminder

logger = logging.getLogger("peercoach.deliveries")
LAST = datetime.max.replace(tzinfo=UTC)


@dataclass
class RecoveryStats:
    pending: int = 0
    unasked: int = 0  # settled without asking: past grace
    asked: int = 0  # looks at a leader's conversation (one per leader, on Slack)
    # What the channels said, per key: "True" arrived, "False" did not (sent now if still
    # on time), "None" cannot tell (skipped).
    answers: Counter[str] = field(default_factory=Counter)


class Recovery:
    def __init__(
        self,
        deliveries: DeliveryService,
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        grace: timedelta,
    ) -> None:
        self.deliveries = deliveries
        self.notifiers = notifiers
        self.clock = clock
        self.grace = grace
        self.stats = RecoveryStats()

    async def run(self, entries: Sequence[Entry]) -> RecoveryStats:
        now = self.clock.now()
        self.stats.pending = len(entries)
        worth, past = self._split(entries, now)
        await self._unasked(past)
        by_channel: dict[str, dict[str, list[Entry]]] = {}
        for entry in sorted(worth, key=_urgency):
            user = entry.user or ""
            by_channel.setdefault(UserKey.parse(user).channel, {}).setdefault(user, []).append(
                entry
            )
        await asyncio.gather(
            *(self._channel(channel, groups) for channel, groups in by_channel.items())
        )
        log(
            logger,
            "recovery.done",
            pending=self.stats.pending,
            unasked=self.stats.unasked,
            asked=self.stats.asked,
            **{f"answered_{k.lower()}": n for k, n in self.stats.answers.items()},
        )
        return self.stats

    async def _channel(self, channel: str, groups: dict[str, list[Entry]]) -> None:
        """One leader at a time (dicts keep the urgency order); resends run alongside."""
        notifier = self.notifiers.get(channel)
        resends: list[asyncio.Task[object]] = []
        try:
            for user, group in groups.items():
                # Judged at when its look can start: a grace that ends while it waits for
                # the rate limit saves the call.
                ask, past = self._split(group, self.clock.now() + _wait(notifier))
                await self._unasked(past)
                if not ask:
                    continue
                answers = await self._ask(notifier, UserKey.parse(user), ask)
                for entry in ask:
                    answer = answers.get(_sent_as(entry))
                    self.stats.answers[str(answer)] += 1
                    resends.append(asyncio.create_task(self._settle(entry, answer)))
        finally:
            await asyncio.gather(*resends, return_exceptions=True)

    def _split(self, entries: Sequence[Entry], now: datetime) -> tuple[list[Entry], list[Entry]]:
        """(worth asking about, not)"""
        worth: list[Entry] = []
        past: list[Entry] = []
        for entry in entries:
            (worth if self.deliveries.worth_asking(entry, now, self.grace) else past).append(entry)
        return worth, past

    async def _settle(self, entry: Entry, answer: bool | None) -> object:
        return await self.deliveries.settle_pending(entry, answer, self.clock.now(), self.grace)

    async def _unasked(self, entries: list[Entry]) -> None:
        self.stats.unasked += len(entries)
        await asyncio.gather(*(self.deliveries.settle_unasked(e) for e in entries))

    async def _ask(
        self, notifier: Notifier | None, user: UserKey, entries: list[Entry]
    ) -> Mapping[str, bool | None]:
        if notifier is None:
            return {}
        self.stats.asked += 1
        try:
            if isinstance(notifier, DeliveryHistory):
                pending = [Unconfirmed(_sent_as(e), e.at) for e in entries]
                until = min(self.clock.now(), max(e.at for e in entries) + self.grace)
                return await notifier.which_delivered(user, pending, until)
            return {_sent_as(e): await notifier.was_delivered(user, _sent_as(e)) for e in entries}
        except DeliveryError:
            return {}


def _wait(notifier: Notifier | None) -> timedelta:
    if isinstance(notifier, DeliveryHistory):
        return timedelta(seconds=notifier.history_wait())
    return timedelta(0)


def _urgency(entry: Entry) -> tuple[int, datetime]:
    """Nudges first, by due time (their grace ends first), then reminders, by due time."""
    return (1 if is_reminder(entry) else 0, entry.due_at or entry.at or LAST)


def _sent_as(entry: Entry) -> str:
    """The key the message was tagged with: an older release's form for its own lines."""
    return entry.written_as or entry.key
