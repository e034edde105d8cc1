"""The delivery ledger: every delivery key's state, durable before and after each send.

A key is claimed as `pending` before the send and recorded as `sent` (or `skipped`, `failed`,
`deferred`) after it. The claim is the exactly-once step: it succeeds only for a key nobody
holds (absent, or held back by quiet hours) or one this ledger already holds, so two
schedulers that both believe they are the one cannot send one delivery twice. The backends
(bot/storage/{memory,tinydb,postgres}/ledger.py) keep what they know in a `LedgerIndex`, which
answers the scheduler's synchronous questions without a round trip.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

Status = Literal["pending", "sent", "skipped", "failed", "deferred"]
FINAL: frozenset[str] = frozenset({"sent", "skipped", "failed"})
STATUSES: frozenset[str] = FINAL | {"pending", "deferred"}
RETAIN = timedelta(days=3)  # longer than any grace window or "one per local date" check


@dataclass(frozen=True)
class Entry:
    key: str
    status: Status
    at: datetime
    user: str | None = None
    schedule: str | None = None
    local_date: date | None = None
    due_at: datetime | None = None
    reason: str | None = None
    written_as: str | None = None  # the key as an older release wrote it, naming no leader
    owner: str | None = None  # the ledger (one per process) whose claim made it pending


class DeliveryLedger(Protocol):
    """Where each delivery key's state is kept; the reads answer from memory, at once."""

    last_tick: datetime | None

    async def open(self) -> None:
        """Load what is recorded (again, when this process takes over the scheduler)."""
        ...

    async def close(self) -> None: ...

    def status(self, key: str) -> Status | None: ...

    def entry(self, key: str) -> Entry | None: ...

    def taken_on(self, user: str, schedule: str, local_date: date) -> bool:
        """A delivery of this leader's schedule already went (or is going) out that day."""
        ...

    def pending(self) -> list[Entry]: ...

    def count(self, status: Status) -> int: ...

    async def export_of(self, user: str) -> dict[str, Any]:
        """`export`: the leader's recent deliveries, as every instance can see them."""
        ...

    async def claim(self, entry: Entry, *, resume: bool = False) -> bool:
        """Record `entry` as pending if nobody holds it (absent, or deferred by quiet hours).
        With `resume` (a retry after a stall, or recovery after a crash), also if it is
        pending under this ledger or under `entry.owner`; it is then this ledger's. False:
        do not send it, someone else has it (or it is done)."""
        ...

    async def record(self, entry: Entry) -> None:
        """Durably record a key's new state (a finished key is never reopened). StorageError
        if it cannot be written; what this ledger knows in memory holds all the same,
        because what it says (a message sent, say) did happen."""
        ...

    async def tick(self, at: datetime) -> None:
        """A heartbeat: after a restart, due times since the last tick are caught up."""
        ...

    async def compact(self, now: datetime) -> int:
        """Drop settled entries older than RETAIN; returns how many were dropped."""
        ...


class LedgerArchive(Protocol):
    """A ledger's entries taken out and put back as they are, for `db import` and `db export`
    (every backend has these two beside DeliveryLedger)."""

    def entries(self) -> list[Entry]:
        """Every entry this ledger knows (after `open()`), in no particular order."""
        ...

    async def put_entries(self, entries: Iterable[Entry]) -> None:
        """Store these entries exactly (status, owner and all), replacing any of the same key:
        running it twice leaves what running it once does."""
        ...


class IndexedReads:
    """The reads every ledger answers at once from its LedgerIndex (see DeliveryLedger)."""

    _index: "LedgerIndex"

    def status(self, key: str) -> Status | None:
        return self._index.status(key)

    def entry(self, key: str) -> Entry | None:
        return self._index.entries.get(key)

    def taken_on(self, user: str, schedule: str, local_date: date) -> bool:
        return self._index.taken_on(user, schedule, local_date)

    def pending(self) -> list[Entry]:
        return self._index.pending()

    def count(self, status: Status) -> int:
        return self._index.count(status)


class LedgerIndex:
    """What a ledger knows, in memory: the entries by key and the (leader, schedule, local
    date) triples already taken. Every backend keeps one."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.days: set[tuple[str, str, date]] = set()

    def clear(self) -> None:
        self.entries.clear()
        self.days.clear()

    def remember(self, entry: Entry) -> Entry:
        """A new state of a key, merged with what was known; returns the entry as it stands."""
        previous = self.entries.get(entry.key)
        if previous is not None and entry.status == "pending" and previous.status in FINAL:
            return previous  # never reopen a finished key
        merged = entry if previous is None else _merge(previous, entry)
        self.put(merged)
        return merged

    def put(self, entry: Entry) -> None:
        """The entry exactly as the backend holds it."""
        self.entries[entry.key] = entry
        if (day := _day_of(entry)) and entry.status in ("pending", "sent", "deferred"):
            self.days.add(day)

    def claimable(self, entry: Entry, owner: str, *, resume: bool) -> bool:
        held = self.entries.get(entry.key)
        if held is None or held.status == "deferred":
            return True
        return resume and held.status == "pending" and held.owner in (owner, entry.owner)

    def claimed(self, entry: Entry, owner: str) -> Entry:
        """Remember a won claim: pending under `owner`, keeping the first pending time (a
        crash's recovery looks for the message from then on)."""
        held = self.entries.get(entry.key)
        at = held.at if held is not None and held.status == "pending" else entry.at
        return self.remember(replace(entry, status="pending", at=at, reason=None, owner=owner))

    def old(self, now: datetime) -> list[str]:
        cutoff = now - RETAIN
        return [k for k, e in self.entries.items() if e.at < cutoff and e.status != "pending"]

    def drop(self, keys: Iterable[str]) -> None:
        for key in keys:
            entry = self.entries.pop(key, None)
            if entry is not None and (day := _day_of(entry)):
                self.days.discard(day)

    def status(self, key: str) -> Status | None:
        entry = self.entries.get(key)
        return entry.status if entry else None

    def taken_on(self, user: str, schedule: str, local_date: date) -> bool:
        return (user, schedule, local_date) in self.days

    def pending(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.status == "pending"]

    def count(self, status: Status) -> int:
        return sum(1 for e in self.entries.values() if e.status == status)

    def export_of(self, user: str) -> dict[str, Any]:
        return exported(e for e in self.entries.values() if e.user == user)


def exported(entries: Iterable[Entry]) -> dict[str, Any]:
    """One leader's deliveries as `export` shows them, oldest first."""
    return {"deliveries": [_exported(e) for e in sorted(entries, key=lambda e: e.at)]}


def _exported(entry: Entry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "status": entry.status,
        "at": entry.at.isoformat(),
        "schedule": entry.schedule,
        "local_date": entry.local_date.isoformat() if entry.local_date else None,
        "due_at": entry.due_at.isoformat() if entry.due_at else None,
        "reason": entry.reason,
    }


def _day_of(entry: Entry) -> tuple[str, str, date] | None:
    if entry.user and entry.schedule and entry.local_date:
        return (entry.user, entry.schedule, entry.local_date)
    return None


def _merge(old: Entry, new: Entry) -> Entry:
    """A later state keeps what the first said about the delivery and updates its state."""
    return Entry(
        key=new.key,
        status=new.status,
        at=new.at,
        user=new.user or old.user,
        schedule=new.schedule or old.schedule,
        local_date=new.local_date or old.local_date,
        due_at=new.due_at or old.due_at,
        reason=new.reason,
        written_as=new.written_as or old.written_as,
        owner=new.owner or old.owner,
    )
