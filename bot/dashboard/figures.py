"""Counts by week for the dashboard, never words (save a reflection the leader shared).

One pass over each leader's records; the states come in one query on PostgreSQL, and a
leader's figures are kept by state version, so a page asks the database only for the
versions (one query) and reads only the figures that changed since: from the glances stored
beside the states (bot/storage/glance.py, one query), opening only states without one."""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from bot.domain import UserKey
from bot.storage.cohort import CohortCounts
from bot.storage.glance import KINDS as GLANCE_KINDS

WEEKS = 12
KINDS = ("delivered", "answered", "completed", "made", "kept")
ACTED_ON = ("kept", "partly")  # as `coach report` counts commitments acted on


class LeaderStates(Protocol):
    async def load_sections(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """Stored sections by UserKey.hashed (see bot.storage.codec), migrated."""
        ...

    async def versions(self, keys: Sequence[UserKey]) -> dict[str, int] | None:
        """State versions by UserKey.hashed, without opening the states; None if the
        backend cannot tell them cheaply."""
        ...

    async def glances(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """Glances (bot/storage/glance.py) by UserKey.hashed, each of the version stored now
        beside it; a leader without one is left out (their state is opened)."""
        ...

    async def cohort_counts(
        self, coach: str, keys: Sequence[UserKey], zone: str, starts: tuple[date, ...]
    ) -> CohortCounts | None:
        """The coach's cohort totals (bot/storage/cohort.py) for the weeks `starts` in
        `zone`, counting exactly the leaders `keys`, as stored now; None if the backend
        keeps none (then every leader's figures are read)."""
        ...


class Week(NamedTuple):  # a tuple: a thousand leaders' twelve weeks are made in a page view
    start: date  # a Monday, in the coach's timezone
    delivered: int = 0
    answered: int = 0
    completed: int = 0
    made: int = 0
    kept: int = 0

    def count(self, kind: str) -> int:
        value: int = getattr(self, kind)
        return value


@dataclass(frozen=True)
class LeaderWeeks:
    weeks: tuple[Week, ...]
    last_active_week: date | None = None
    shared: tuple[tuple[datetime, str], ...] = ()  # reflections shared with coaches
    # summed once (figures are kept and shown many times), unless given by whoever counted
    totals: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.totals:
            sums = tuple(sum(w.count(kind) for w in self.weeks) for kind in KINDS)
            object.__setattr__(self, "totals", sums)

    def total(self, kind: str) -> int:
        return self.totals[KINDS.index(kind)]


def week_starts(now: datetime, timezone: str, weeks: int = WEEKS) -> tuple[date, ...]:
    """The Mondays of the last `weeks` weeks, oldest first; the last is this week's."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    monday = today - timedelta(days=today.weekday())
    return tuple(monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))


def weeks_of(
    sections: dict[str, Any] | None, starts: tuple[date, ...], timezone: str
) -> LeaderWeeks:
    """Counts by week from a leader's stored sections (bot.storage.codec, migrated): the
    records' own fields, read without validating the whole state into a UserState, which
    costs several times more for a year of history."""
    if sections is None:
        return LeaderWeeks(tuple(Week(s) for s in starts))
    tz = ZoneInfo(timezone)
    ends = (*starts, starts[-1] + timedelta(weeks=1))
    bounds = [datetime.combine(s, time(0), tzinfo=tz).timestamp() for s in ends]  # instants
    counts = [[0] * len(KINDS) for _ in starts]
    # ISO text starts with the date in its own offset (under a day from UTC): anything dated
    # over a day before the first week is older, and is skipped without parsing it
    before = (starts[0] - timedelta(days=1)).isoformat()

    def slot(at: str) -> list[int] | None:
        if at[:10] < before:
            return None
        index = bisect_right(bounds, datetime.fromisoformat(at).timestamp()) - 1
        return counts[index] if 0 <= index < len(starts) else None

    for nudge in sections.get("nudges") or ():
        if (row := slot(nudge["at"])) is not None:
            row[0] += 1
            row[1] += nudge.get("response") is not None
    for record in sections.get("history") or ():
        if record.get("outcome") == "completed" and (row := slot(record["ended_at"])):
            row[2] += 1
    for commitment in sections.get("commitments") or ():
        if (row := slot(commitment["at"])) is not None:
            row[3] += 1
            row[4] += commitment.get("status") in ACTED_ON
    seen = (sections.get("state") or {}).get("last_seen_at")
    last = datetime.fromisoformat(seen).astimezone(tz).date() if seen else None
    shared = tuple(
        (datetime.fromisoformat(r["at"]), str(r["text"]))
        for r in sections.get("reflections") or ()
        if r.get("shared")
    )
    return LeaderWeeks(
        tuple(Week(s, *c) for s, c in zip(starts, counts, strict=True)),
        last - timedelta(days=last.weekday()) if last else None,
        shared,
    )


@lru_cache(maxsize=64)
def _bounds(starts: tuple[date, ...], timezone: str) -> tuple[float, ...]:
    """The instants the weeks start at, and the last one ends at."""
    tz = ZoneInfo(timezone)
    ends = (*starts, starts[-1] + timedelta(weeks=1))
    return tuple(datetime.combine(s, time(0), tzinfo=tz).timestamp() for s in ends)


def weeks_of_glance(
    glance: dict[str, Any], starts: tuple[date, ...], timezone: str
) -> LeaderWeeks | None:
    """As weeks_of, from a leader's glance; None if it does not reach back to the first
    week (then the state is opened)."""
    bounds = _bounds(starts, timezone)
    if bounds[0] < glance["from"]:
        return None
    columns, totals = [], []
    for kind in GLANCE_KINDS:
        times = glance[kind]
        edges = [bisect_left(times, b) for b in bounds]
        columns.append([b - a for a, b in pairwise(edges)])
        totals.append(edges[-1] - edges[0])
    seen = glance.get("seen")
    last = datetime.fromisoformat(seen).astimezone(ZoneInfo(timezone)).date() if seen else None
    return LeaderWeeks(
        tuple(Week(s, *c) for s, *c in zip(starts, *columns, strict=True)),
        last - timedelta(days=last.weekday()) if last else None,
        tuple((datetime.fromisoformat(at), text) for at, text in glance["shared"]),
        tuple(totals),
    )


def totals_weeks(counts: CohortCounts, starts: tuple[date, ...]) -> tuple[Week, ...]:
    """The cohort's weeks from its kept totals."""
    zero = (0,) * len(KINDS)
    return tuple(Week(s, *counts.weeks.get(s, zero)) for s in starts)


def cohort_weeks(leaders: Sequence[LeaderWeeks], starts: tuple[date, ...]) -> tuple[Week, ...]:
    sums = [[0] * len(KINDS) for _ in starts]
    for leader in leaders:
        for row, week in zip(sums, leader.weeks, strict=True):
            row[0] += week.delivered
            row[1] += week.answered
            row[2] += week.completed
            row[3] += week.made
            row[4] += week.kept
    return tuple(Week(s, *c) for s, c in zip(starts, sums, strict=True))


@dataclass(frozen=True)
class Figures:
    by_leader: tuple[LeaderWeeks, ...]  # in the order of the keys asked for
    signature: tuple[object, ...] | None  # the versions they came from; None: not cacheable


@dataclass
class FigureCache:
    """Figures by leader and state version, in this process (instances keep their own)."""

    states: LeaderStates
    _leaders: dict[tuple[str, int, date, str], LeaderWeeks] = field(default_factory=dict)

    async def figures(
        self,
        keys: Sequence[UserKey],
        starts: tuple[date, ...],
        timezone: str,
        *,
        roster: object = None,
    ) -> Figures:
        """`roster` names the list of keys (say, a coach and a revision of their links), so
        that the signature of the result is cheap to compare."""
        versions = await self.states.versions(keys)
        if versions is None:  # the backend cannot tell versions cheaply: open them all
            loaded = await self.states.load_sections(keys)
            figures = tuple(weeks_of(loaded.get(k.hashed), starts, timezone) for k in keys)
            return Figures(figures, None)
        stamps = tuple(versions.get(k.hashed, -1) for k in keys)
        cached = [
            self._leaders.get((k.hashed, v, starts[0], timezone))
            for k, v in zip(keys, stamps, strict=True)
        ]
        missing = [k for k, found in zip(keys, cached, strict=True) if found is None]
        fresh: dict[UserKey, LeaderWeeks] = {}
        if missing:
            glances = await self.states.glances(missing)
            for key in missing:
                if (glance := glances.get(key.hashed)) is not None and (
                    weeks := weeks_of_glance(glance, starts, timezone)
                ) is not None:
                    fresh[key] = weeks
            unopened = [key for key in missing if key not in fresh]
            loaded = await self.states.load_sections(unopened) if unopened else {}
            for key in missing:
                if key not in fresh:
                    fresh[key] = weeks_of(loaded.get(key.hashed), starts, timezone)
                # the version asked for a moment ago: a write since then is seen next time
                self._remember(
                    (key.hashed, versions.get(key.hashed, -1), starts[0], timezone), fresh[key]
                )
        found = tuple(c if c is not None else fresh[k] for k, c in zip(keys, cached, strict=True))
        return Figures(
            found, (roster, starts[0], timezone, stamps) if roster is not None else None
        )

    def _remember(self, key: tuple[str, int, date, str], figures: LeaderWeeks) -> None:
        if len(self._leaders) > 200_000:  # noqa: PLR2004 - bounded: a stale week's entries go
            self._leaders.clear()
        self._leaders[key] = figures
