"""In-memory delivery ledger for tests and trials; same contract as the others."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.schedules.ledger import Entry, IndexedReads, LedgerIndex


class InMemoryDeliveryLedger(IndexedReads):
    def __init__(self, shared: "InMemoryDeliveryLedger | None" = None) -> None:
        """`shared`: another ledger whose records this one sees, as two processes would see
        one database (with an owner of its own)."""
        self.owner = uuid.uuid4().hex
        self._index: LedgerIndex = shared._index if shared else LedgerIndex()
        self._ticks: list[datetime] = shared._ticks if shared else []

    @property
    def last_tick(self) -> datetime | None:
        return self._ticks[-1] if self._ticks else None

    async def open(self) -> None:
        """Nothing to load: what was recorded is already here."""

    async def close(self) -> None:
        """Nothing to let go of."""

    async def export_of(self, user: str) -> dict[str, Any]:
        return self._index.export_of(user)

    async def claim(self, entry: Entry, *, resume: bool = False) -> bool:
        if not self._index.claimable(entry, self.owner, resume=resume):
            return False
        self._index.claimed(entry, self.owner)
        return True

    async def record(self, entry: Entry) -> None:
        self._index.remember(entry)

    def entries(self) -> list[Entry]:
        return list(self._index.entries.values())

    async def put_entries(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self._index.put(entry)

    async def tick(self, at: datetime) -> None:
        self._ticks[:] = [at]

    async def compact(self, now: datetime) -> int:
        old = self._index.old(now)
        self._index.drop(old)
        return len(old)
