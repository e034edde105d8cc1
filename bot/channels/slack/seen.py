"""Slack retries events it thinks were lost (over HTTP and Socket Mode alike): each event id
is handled once. Bolt does not de-duplicate; this does, for one process."""

import logging
import time
from collections import OrderedDict
from typing import Any

from bot.logs import log

logger = logging.getLogger("peercoach.slack")
SEEN_EVENTS = 10_000  # event ids remembered for retry de-duplication


class SeenEvents:
    def __init__(self, capacity: int = SEEN_EVENTS) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def already(self, body: dict[str, Any]) -> bool:
        """True for an event id seen before; records it otherwise. Check and record have no
        await between them: atomic within the event loop."""
        event_id = str(body.get("event_id") or "")
        if not event_id:
            return False
        if event_id in self._seen:
            log(logger, "slack.retry_ignored", event_id=event_id)
            return True
        self._seen[event_id] = time.monotonic()
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return False
