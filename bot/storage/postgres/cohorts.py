"""Cohort totals on PostgreSQL (bot/storage/cohort.py, tables of 0008_cohorts.sql).

Each leader's row says which totals count them (`leaders.cohorts`: {coach: [zone, since]}),
and every write of the row checks that it is still what the writer read (as it checks the
version) and adds its difference to those totals in the same statement: a write that lost to
another writes nothing and counts nothing, and a repeat is refused whole, so no write is
counted twice or missed, whichever instance made it.

The page (`read`) compares the coach's accepted leaders with those counted (how many, and an
order-free digest) and, if they differ, `follow` adds or takes away the leaders who joined
or left, each under their row's lock; in a new timezone, or for weeks before the first one
counted, the totals are made afresh (`follow` with reset), as once after the migration."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import asyncpg
import orjson

from bot.domain import UserKey
from bot.storage.cohort import (
    CohortCounts,
    Counts,
    difference,
    member_digest,
    week_bounds,
    week_counts,
)
from bot.storage.glance import KINDS, instants_of, shares_of
from bot.storage.postgres import users_sql as sql
from bot.storage.postgres.glances import opened_glances

if TYPE_CHECKING:
    from bot.storage.postgres.leader_rows import Row
    from bot.storage.postgres.users import PostgresUserStore

COHORT_SPACE = 0x636F6863  # "cohc": advisory locks of one coach's totals, while they follow
type Instants = dict[str, list[int]]
type CountRows = tuple[list[str], list[date], list[int], list[int]]

READ = """
SELECT c.zone, c.since, c.members, c.digest, c.sharing,
  ARRAY(SELECT k.week FROM cohort_counts k WHERE k.coach = c.coach AND k.week >= $2
        AND k.week <= $3 ORDER BY k.week, k.kind) AS weeks,
  ARRAY(SELECT k.kind FROM cohort_counts k WHERE k.coach = c.coach AND k.week >= $2
        AND k.week <= $3 ORDER BY k.week, k.kind) AS kinds,
  ARRAY(SELECT k.n FROM cohort_counts k WHERE k.coach = c.coach AND k.week >= $2
        AND k.week <= $3 ORDER BY k.week, k.kind) AS ns
FROM cohorts c WHERE c.coach = $1
"""
HOLD = "SELECT pg_advisory_xact_lock($1, hashtext($2))"
HEADER = "SELECT zone, since FROM cohorts WHERE coach = $1"
MEMBERS = "SELECT leader FROM leaders WHERE cohorts ? $1"
LOCK = (
    "SELECT leader, version, glance, cohorts FROM leaders WHERE leader = ANY($1::text[]) "
    "ORDER BY leader FOR UPDATE"
)
ONE = "SELECT leader, version, glance, cohorts FROM leaders WHERE leader = $1"
SEALED = "SELECT leader, sealed FROM leaders WHERE leader = ANY($1::text[])"
DROP = ("DELETE FROM cohort_counts WHERE coach = $1", "DELETE FROM cohorts WHERE coach = $1")
CREATE = "INSERT INTO cohorts (coach, zone, since, members, digest) VALUES ($1, $2, $3, 0, 0)"
MOVE = (
    "UPDATE cohorts SET members = members + $2, digest = digest # $3, "
    "sharing = ARRAY(SELECT s FROM unnest(sharing) AS s WHERE s <> ALL($4::text[])) || $5, "
    "updated_at = now() WHERE coach = $1"
)
JOIN = (
    "UPDATE leaders SET cohorts = cohorts || jsonb_build_object($1::text, $2::jsonb) "
    "WHERE leader = ANY($3::text[])"
)
PART = "UPDATE leaders SET cohorts = cohorts - $1::text WHERE leader = ANY($2::text[])"


def parsed(cohorts: Any) -> dict[str, tuple[str, date]]:
    """A row's `cohorts` column, by coach: (zone, since)."""
    if isinstance(cohorts, str):
        cohorts = orjson.loads(cohorts)
    return {
        coach: (str(zone), date.fromisoformat(str(since)))
        for coach, (zone, since) in (cohorts or {}).items()
    }


def count_rows(cohorts: Any, old: Instants | None, new: Instants | None) -> CountRows | None:
    """What a write from `old` to `new` adds to the totals the row is counted in, as the
    arrays of users_sql.COUNT, sorted; None if the row is counted in none."""
    sets = parsed(cohorts)
    if not sets:
        return None
    rows: list[tuple[str, date, int, int]] = []
    for coach, (zone, since) in sorted(sets.items()):
        change = difference(old or {}, new or {}, zone, since)
        rows.extend((coach, week, kind, n) for (week, kind), n in change.items())
    rows.sort()
    return (
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )


@lru_cache(maxsize=64)
def _digest(hashed: tuple[str, ...]) -> int:
    return member_digest(hashed)


async def read(
    store: PostgresUserStore,
    coach: str,
    keys: Sequence[UserKey],
    zone: str,
    starts: tuple[date, ...],
) -> CohortCounts:
    """The coach's totals for the weeks `starts`, counting exactly the leaders `keys`."""
    hashed = tuple(dict.fromkeys(key.hashed for key in keys))
    for _ in range(3):  # bounded: a follow, then the totals read again
        async with store.guard.connection() as connection:
            record = await connection.fetchrow(READ, coach, starts[0], starts[-1])
            fits = (
                record is not None
                and record["zone"] == zone
                and record["since"] <= starts[0]
                and record["members"] == len(hashed)
                and record["digest"] == _digest(hashed)
            )
        if fits:
            assert record is not None
            return CohortCounts(_by_week(record, starts), frozenset(record["sharing"]))
        await follow(store, coach, keys, zone, starts[0])
    raise RuntimeError(f"the cohort totals of coach {coach!r} did not settle")


def _by_week(record: asyncpg.Record, starts: tuple[date, ...]) -> dict[date, tuple[int, ...]]:
    found = {s: [0] * len(KINDS) for s in starts}
    for week, kind, n in zip(record["weeks"], record["kinds"], record["ns"], strict=True):
        if week in found:
            found[week][kind] = n
    return {week: tuple(counts) for week, counts in found.items()}


async def follow(
    store: PostgresUserStore, coach: str, keys: Sequence[UserKey], zone: str, first: date
) -> None:
    """Make the coach's totals count exactly `keys`: leaders who left are taken away and
    those who joined added, each at the version locked now; made afresh (from `first`) if
    there are none yet, or they are in another zone or start later than `first`."""
    wanted = {key.hashed: key for key in keys}
    async with store.guard.transaction() as connection:
        await connection.execute(HOLD, COHORT_SPACE, coach)
        header = await connection.fetchrow(HEADER, coach)
        members = {r["leader"] for r in await connection.fetch(MEMBERS, coach)}
        reset = header is None or header["zone"] != zone or header["since"] > first
        since: date = first if reset or header is None else header["since"]
        leaving = members if reset else members - set(wanted)
        joining = set(wanted) if reset else set(wanted) - members
        locked = {r["leader"]: r for r in await connection.fetch(LOCK, sorted(leaving | joining))}
        for hashed in sorted(joining - set(locked)):  # not stored yet: a row to count them in
            await store.placeholder(connection, wanted[hashed])
            locked[hashed] = await connection.fetchrow(ONE, hashed)
        instants, sharing = await _instants(store, connection, locked, zone, since)
        counts: Counter[tuple[date, int]] = Counter()
        if reset:
            for statement in DROP:
                await connection.execute(statement, coach)
            await connection.execute(CREATE, coach, zone, since)
        else:
            for hashed in leaving & set(locked):
                counts.subtract(_part(instants[hashed], zone, since))
        for hashed in joining:
            counts.update(_part(instants[hashed], zone, since))
        await connection.execute(sql.COUNT, *_rows(coach, counts))
        gone = sorted(leaving & set(locked))
        came = sorted(joining)
        if gone:
            await connection.execute(PART, coach, gone)
        if came:
            await connection.execute(JOIN, coach, [zone, since.isoformat()], came)
        if reset:
            moved, changed = len(came), _digest(tuple(came))
        else:
            moved, changed = len(came) - len(gone), _digest(tuple(came)) ^ _digest(tuple(gone))
        sharers = sorted(h for h in came if h in sharing)
        await connection.execute(
            MOVE, coach, moved, changed, sorted(set(gone) | set(came)), sharers
        )


def _part(instants: Instants, zone: str, since: date) -> Counts:
    return week_counts(instants, zone, since)


def _rows(coach: str, counts: Mapping[tuple[date, int], int]) -> CountRows:
    rows = sorted((week, kind, n) for (week, kind), n in counts.items() if n)
    return [coach] * len(rows), [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


async def _instants(
    store: PostgresUserStore,
    connection: Any,
    locked: Mapping[str, asyncpg.Record],
    zone: str,
    since: date,
) -> tuple[dict[str, Instants], set[str]]:
    """Each locked leader's instants, and those who shared reflections with coaches: from
    their glance if it is of the version locked and reaches back to `since`, else from their
    state."""
    first = week_bounds(since, zone, 1)[0]
    glances = opened_glances(store.sealer, [r for r in locked.values() if r["glance"]])
    found: dict[str, Instants] = {}
    sharing = set()
    for hashed, glance in glances.items():
        if glance["from"] <= first:
            found[hashed] = {kind: list(glance[kind]) for kind in KINDS}
            if glance["shared"]:
                sharing.add(hashed)
    rest = [hashed for hashed in locked if hashed not in found]
    if rest:
        for record in await connection.fetch(SEALED, rest):
            sections = store.sections_of(record["leader"], record["sealed"])
            found[record["leader"]] = instants_of(sections) if "state" in sections else {}
            if shares_of(sections):
                sharing.add(record["leader"])
    return found, sharing


async def leave(connection: Any, hashed: str, row: Row) -> None:
    """A leader's row going: their part taken from the totals that count them (under the
    row's lock)."""
    counted = count_rows(row.cohorts, row.instants(), None)
    if counted is None:
        return
    await connection.execute(sql.COUNT, *counted)
    await connection.execute(sql.LEAVE, list(row.cohorts), member_digest((hashed,)), hashed)


async def share(connection: Any, hashed: str, counted_in: Any, sharing: bool) -> None:
    """The leader named (or not) among those who shared, in each of their totals."""
    if counted_in:
        await connection.execute(sql.SHARE, hashed, sharing, list(counted_in))


def together(connection: Any, needed: bool) -> AbstractAsyncContextManager[Any]:
    """One transaction around a write and the statements that follow it, if `needed`."""
    return connection.transaction() if needed else nullcontext()
