"""Counts by week for the dashboard, never words (save a reflection the leader shared).

One pass over each leader's records; the states come in one query on PostgreSQL, and a
leader's figures are kept by state version, so a page asks the database only for the
versions (one query) and opens only the states that changed since."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import UserKey
from dialogs.model import UserState

WEEKS = 12
KINDS = ("delivered", "answered", "completed", "made", "kept")
ACTED_ON = ("kept", "partly")  # as `coach report` counts commitments acted on


class LeaderStates(Protocol):
    async def load_many(self, keys: Sequence[UserKey]) -> dict[UserKey, UserState]: ...

    async def versions(self, keys: Sequence[UserKey]) -> dict[UserKey, int] | None: ...


@dataclass(frozen=True)
class Week:
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

    def total(self, kind: str) -> int:
        return sum(w.count(kind) for w in self.weeks)


def week_starts(now: datetime, timezone: str, weeks: int = WEEKS) -> tuple[date, ...]:
    """The Mondays of the last `weeks` weeks, oldest first; the last is this week's."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    monday = today - timedelta(days=today.weekday())
    return tuple(monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))


def weeks_of(state: UserState | None, starts: tuple[date, ...], timezone: str) -> LeaderWeeks:
    if state is None:
        return LeaderWeeks(tuple(Week(s) for s in starts))
    tz = ZoneInfo(timezone)
    first = starts[0]
    counts = [[0] * len(KINDS) for _ in starts]

    def slot(at: datetime) -> list[int] | None:
        index = (at.astimezone(tz).date() - first).days // 7
        return counts[index] if 0 <= index < len(starts) else None

    for nudge in state.nudges:
        if (row := slot(nudge.at)) is not None:
            row[0] += 1
            row[1] += nudge.response is not None
    for record in state.history:
        if record.outcome == "completed" and (row := slot(record.ended_at)) is not None:
            row[2] += 1
    for commitment in state.commitments:
        if (row := slot(commitment.at)) is not None:
            row[3] += 1
            row[4] += commitment.status in ACTED_ON
    last = state.last_seen_at.astimezone(tz).date() if state.last_seen_at else None
    return LeaderWeeks(
        tuple(Week(s, *c) for s, c in zip(starts, counts, strict=True)),
        last - timedelta(days=last.weekday()) if last else None,
        tuple((r.at, r.text) for r in state.reflections if r.shared),
    )


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
    by_leader: dict[UserKey, LeaderWeeks]
    signature: tuple[object, ...] | None  # the versions they came from; None: not cacheable


@dataclass
class FigureCache:
    """Figures by leader and state version (in this process: instances keep their own);
    cohort sums by the whole set of versions."""

    states: LeaderStates
    _leaders: dict[tuple[UserKey, int, date, str], LeaderWeeks] = field(default_factory=dict)
    _cohorts: dict[tuple[object, ...], tuple[Week, ...]] = field(default_factory=dict)

    async def figures(
        self, keys: Sequence[UserKey], starts: tuple[date, ...], timezone: str
    ) -> Figures:
        versions = await self.states.versions(keys)
        if versions is None:  # the backend cannot tell versions cheaply: open them all
            loaded = await self.states.load_many(keys)
            return Figures({k: weeks_of(loaded.get(k), starts, timezone) for k in keys}, None)
        found: dict[UserKey, LeaderWeeks] = {}
        missing = []
        for key in keys:
            cached = self._leaders.get((key, versions.get(key, -1), starts[0], timezone))
            if cached is None:
                missing.append(key)
            else:
                found[key] = cached
        if missing:
            loaded = await self.states.load_many(missing)
            for key in missing:
                state = loaded.get(key)
                figures = weeks_of(state, starts, timezone)
                self._remember((key, state.version if state else -1, starts[0], timezone), figures)
                found[key] = figures
        signature = (starts[0], timezone, *((k, versions.get(k, -1)) for k in keys))
        return Figures(found, signature)

    def cohort(self, figures: Figures, starts: tuple[date, ...]) -> tuple[Week, ...]:
        leaders = list(figures.by_leader.values())
        if figures.signature is None:
            return cohort_weeks(leaders, starts)
        cached = self._cohorts.get(figures.signature)
        if cached is None:
            if len(self._cohorts) > 64:  # noqa: PLR2004 - a few coaches' pages at a time
                self._cohorts.clear()
            cached = self._cohorts[figures.signature] = cohort_weeks(leaders, starts)
        return cached

    def _remember(self, key: tuple[UserKey, int, date, str], figures: LeaderWeeks) -> None:
        if len(self._leaders) > 200_000:  # noqa: PLR2004 - bounded: a stale week's entries go
            self._leaders.clear()
        self._leaders[key] = figures
