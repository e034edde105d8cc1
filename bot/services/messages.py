"""What peercoach sends that is not a scheduled delivery: notices (a coach's request, a new
schedule, an answer) and turn replies a platform would not take at the time. Neither has a
ledger key; both get the same notifiers and backoff as nudges, so an outage makes them late,
not lost, and a permanent failure is logged for the operator without any message text.
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.domain import Notice, Reply, UserKey
from bot.logs import log
from bot.ports import NOTICE_PREFIX, DeliveryError, Notifier
from bot.services.conversations import ConversationService

logger = logging.getLogger("peercoach.deliveries")
NOTICE_ATTEMPTS = 3
REPLY_ATTEMPTS = 12  # with RetryPolicy's backoff: about twelve minutes of trying


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


class MessageSender:
    def __init__(
        self,
        conversations: ConversationService,
        notifiers: Mapping[str, Notifier],
        retry: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.conversations = conversations
        self.notifiers = notifiers
        self.retry = retry
        self.sleep = sleep
        self._background: set[asyncio.Task[None]] = set()

    async def notice(self, notice: Notice) -> None:
        """Something a service tells another user (a coach's request, a new schedule). It
        goes through their conversation first, so a question waits in their state even when
        it cannot be delivered now; it is not a nudge, so it stays out of the ledger."""
        reply = await self.conversations.handle(notice.to, notice.event)
        notifier = self.notifiers.get(notice.to.channel)
        if reply.failed:  # their "sorry" is for someone who wrote: this person wrote nothing
            log(logger, "notice.failed", user=notice.to.hashed, reason="storage")
            return
        if not reply.messages or notifier is None:
            return
        for attempt in range(1, NOTICE_ATTEMPTS + 1):
            try:
                await notifier.deliver(notice.to, reply, f"{NOTICE_PREFIX}{uuid.uuid4().hex}")
            except DeliveryError as error:
                if error.permanent or attempt == NOTICE_ATTEMPTS:
                    log(logger, "notice.failed", user=notice.to.hashed, reason=error.reason)
                    return
                await self.sleep(self.retry.delay(attempt, error.retry_after))
            else:
                return

    def redeliver(self, user: UserKey, reply: Reply) -> None:
        """A turn's reply the channel could not post because the platform failed: sent in
        the background with the nudges' backoff, so the leader gets it late, not never.
        Like a notice it is not a nudge: no ledger key."""
        task = asyncio.create_task(self._redeliver(user, reply))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _redeliver(self, user: UserKey, reply: Reply) -> None:
        notifier = self.notifiers.get(user.channel)
        reason = f"no {user.channel} channel configured"
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            if notifier is None:
                break
            await self.sleep(self.retry.delay(attempt, None))
            try:
                await notifier.deliver(user, reply, f"{NOTICE_PREFIX}{uuid.uuid4().hex}")
            except DeliveryError as error:
                reason = error.reason
                if error.permanent:
                    break
            else:
                log(logger, "reply.redelivered", user=user.hashed, attempts=attempt)
                return
        log(logger, "reply.lost", level=logging.WARNING, user=user.hashed, reason=reason)
        self.conversations.reply_lost(user, reply)

    async def close(self) -> None:
        """Stop replies still waiting for their platform."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
