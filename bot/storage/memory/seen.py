"""In-memory SeenEventStore: event ids this process has taken (one process: TinyDB, console,
tests). The newest ids are kept, a bounded number."""

from collections import OrderedDict

SEEN_EVENTS = 10_000  # event ids remembered for retry de-duplication


class InMemorySeenEvents:
    def __init__(self, capacity: int = SEEN_EVENTS) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, str | None] = OrderedDict()

    async def first_sight(self, event_id: str, leader: str | None) -> bool:
        """Check and record have no await between them: atomic within the event loop."""
        if event_id in self._seen:
            return False
        self._seen[event_id] = leader
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True
