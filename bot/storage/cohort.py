"""A coach's cohort totals: numbers only (counts per local week per measure, never words),
kept up to date as each leader's state is written, so that the dashboard adds up a few
hundred numbers instead of reading every leader's glance.

A totals set is for one coach in one timezone, exact for the weeks from `since` (a Monday)
on. A leader's part is the count of their instants (bot.storage.glance.instants_of) in each
of those weeks; a write adds the difference between the state written and the one it
replaces (`difference`), and a leader joining or leaving the set adds or takes away their
whole part (`week_counts`)."""

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from hashlib import sha256
from zoneinfo import ZoneInfo

from bot.storage.glance import KINDS

WEEK = 7 * 86_400
type Counts = dict[tuple[date, int], int]  # by (Monday, index in KINDS)


@dataclass(frozen=True)
class CohortCounts:
    """What the dashboard reads of a coach's cohort: counts by Monday of the weeks asked for
    (in KINDS order), and the hashed keys of the leaders who shared reflections with their
    coaches (their words are read from their own glances)."""

    weeks: dict[date, tuple[int, ...]]
    sharing: frozenset[str]


@lru_cache(maxsize=256)
def week_bounds(since: date, zone: str, weeks: int) -> tuple[int, ...]:
    """The instants the `weeks` weeks from `since` start at, and the last one ends at."""
    tz = ZoneInfo(zone)
    return tuple(
        int(datetime.combine(since + timedelta(weeks=n), time(0), tzinfo=tz).timestamp())
        for n in range(weeks + 1)
    )


def week_counts(instants: Mapping[str, Sequence[int]], zone: str, since: date) -> Counts:
    """Counts of sorted instants by local week in `zone`, for the weeks from `since` on."""
    newest = max((times[-1] for times in instants.values() if times), default=None)
    if newest is None:
        return {}
    first = week_bounds(since, zone, 1)[0]
    if newest < first:
        return {}
    weeks = -(-(newest - first + 1) // WEEK) + 2  # a week more, for a clock change
    bounds = week_bounds(since, zone, -(-weeks // 16) * 16)  # in steps, to share the cache
    counts: Counts = {}
    for index, kind in enumerate(KINDS):
        times = instants.get(kind) or ()
        edges = [bisect_left(times, b) for b in bounds]
        for n in range(len(bounds) - 1):
            if found := edges[n + 1] - edges[n]:
                counts[since + timedelta(weeks=n), index] = found
    return counts


def difference(
    old: Mapping[str, Sequence[int]], new: Mapping[str, Sequence[int]], zone: str, since: date
) -> Counts:
    """What a write from `old` to `new` instants changes in a set's counts (no zeros)."""
    added: dict[str, list[int]] = {}
    taken: dict[str, list[int]] = {}
    for kind in KINDS:
        before, after = Counter(old.get(kind) or ()), Counter(new.get(kind) or ())
        added[kind] = sorted((after - before).elements())
        taken[kind] = sorted((before - after).elements())
    counts = Counter(week_counts(added, zone, since))
    counts.subtract(week_counts(taken, zone, since))
    return {slot: n for slot, n in counts.items() if n}


def member_digest(hashed: Iterable[str]) -> int:
    """An order-free digest of a set of leaders (hashed keys): the XOR of each one's, so a
    leader joining or leaving changes it by their own alone. A signed 64-bit integer."""
    digest = 0
    for key in hashed:
        digest ^= int.from_bytes(sha256(key.encode()).digest()[:8], "big", signed=True)
    return digest
