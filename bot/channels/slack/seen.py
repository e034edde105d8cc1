"""Slack retries events it thinks were lost (over HTTP and Socket Mode alike), and a retry
may reach another instance: each event id is handled once. Bolt does not de-duplicate; this
does, through a SeenEventStore (in memory for one process, PostgreSQL for several). A DM's id
goes with its turn (`claim`): on PostgreSQL it is taken in the turn's own write."""

import logging
from typing import Any

from bot.domain import UserKey
from bot.logs import log
from bot.ports import EventClaim, SeenEventStore
from bot.services.once import first_time
from bot.storage.memory.seen import InMemorySeenEvents

logger = logging.getLogger("peercoach.slack")


class SeenEvents:
    def __init__(self, store: SeenEventStore | None = None) -> None:
        self.store: SeenEventStore = store or InMemorySeenEvents()

    async def already(self, body: dict[str, Any]) -> bool:
        """True for an event id seen before (here or on another instance); records it
        otherwise. If the store cannot answer, the event is handled: a leader answered
        (or told we cannot save) beats a message dropped."""
        event_id = str(body.get("event_id") or "")
        if not event_id:
            return False
        first = await first_time(self.store, event_id, leader_of(body))
        if not first:
            log(logger, "slack.retry_ignored", event_id=event_id)
        return not first

    def claim(self, body: dict[str, Any]) -> EventClaim | None:
        """The event's id, to be taken with its turn; None for an event without one."""
        event_id = str(body.get("event_id") or "")
        return EventClaim(event_id, self.store) if event_id else None


def leader_of(body: dict[str, Any]) -> str | None:
    """The hashed key of whoever sent the event, when it names one."""
    event = body.get("event") or {}
    user = event.get("user") if isinstance(event, dict) else None
    if not isinstance(user, str) or not user:
        return None
    return UserKey("slack", str(body.get("team_id") or ""), user).hashed
