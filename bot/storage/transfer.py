"""Copying everything one set of stores holds into another, then checking the copy.

Store-neutral: `db import` runs it from a TinyDB data folder into PostgreSQL and `db export`
the other way, but any stores behind the ports will do. What is copied: every leader (state,
version and channel data, through LeaderArchive), every schedule and reminder, every coach
grant, link and name, every circle, membership, round and check-in, every delivery ledger
entry as it is (pending ones included) and the ledger's last tick. Every write is an upsert
by key, so copying again over a finished or interrupted copy leaves what one copy leaves.

A target that already holds something the source does not (a leader, a schedule, a delivery
key... absent from the source, or a leader whose state is newer there) is refused before
anything is written: the copy would mix two sets of data, or roll a live one back.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.circles.backend import CircleBackend
from bot.circles.model import CheckIn, Circle, Membership, Round
from bot.coaching.backend import CoachingBackend
from bot.coaching.model import CoachGrant, Link, Person
from bot.ports import LeaderArchive, StoredLeader, UserStore
from bot.schedules.backend import ScheduleBackend
from bot.schedules.ledger import DeliveryLedger, LedgerArchive
from bot.schedules.model import NudgeSchedule, Reminder

TOGETHER = 64  # leaders written at once: one group commit of files, or several connections
SAMPLE = 20  # leaders compared field by field after a copy (all of them, if fewer)
TABLES = (
    "leaders",
    "leader extras",
    "schedules",
    "reminders",
    "coaches",
    "coaching links",
    "names",
    "circles",
    "circle members",
    "circle rounds",
    "circle check-ins",
    "deliveries",
    "last tick",
)


class ArchiveUsers(UserStore, LeaderArchive, Protocol):
    """A UserStore that can be dumped and restored whole (every one of ours can)."""


class ArchiveLedger(DeliveryLedger, LedgerArchive, Protocol):
    """A delivery ledger whose entries can be read and written as they are."""


@dataclass(frozen=True)
class Stores:
    """One side of a copy; the ledger already opened."""

    users: ArchiveUsers
    schedules: ScheduleBackend
    coaching: CoachingBackend
    ledger: ArchiveLedger
    circles: CircleBackend


class TransferError(Exception):
    """The copy cannot go ahead, or did not come out equal; the message says which."""


@dataclass(frozen=True)
class Report:
    source: dict[str, int]
    target: dict[str, int]
    sampled: int  # leaders compared field by field
    written: int = 0  # rows the copy wrote (0: the target already held all of it)


async def foreign(source: Stores, target: Stores) -> str | None:
    """What `target` holds that did not come from `source` (in words), or None."""
    leaders = {leader.key: leader async for leader in source.users.dump_all()}
    hashes = {key.hashed: key for key in leaders}
    found: list[str] = []
    if stray := await target.users.stored_hashes() - hashes.keys():
        found.append(_many(len(stray), "leader"))
    newer = 0
    for hashed in await target.users.stored_hashes() & hashes.keys():
        there = await target.users.load(hashes[hashed])
        here = leaders[hashes[hashed]].state
        if there is not None and (here is None or there.version > here.version):
            newer += 1
    if newer:
        found.append(_many(newer, "leader") + " with a newer state")
    nouns: tuple[str, ...] = ("schedule", "reminder", "coach", "coaching link", "name")
    nouns += ("circle", "circle member", "circle round", "circle check-in")
    ours: tuple[dict[Any, Any], ...] = (
        *await _schedules(source),
        *await _coaching(source),
        *await _circles(source),
    )
    theirs: tuple[dict[Any, Any], ...] = (
        *await _schedules(target),
        *await _coaching(target),
        *await _circles(target),
    )
    for noun, mine, their in zip(nouns, ours, theirs, strict=True):
        found += _stray(mine, their, noun)
    found += _stray(
        {e.key for e in source.ledger.entries()},
        {e.key for e in target.ledger.entries()},
        "delivery",
    )
    return ", ".join(found) if found else None


async def copy(source: Stores, target: Stores) -> int:
    """Everything in `source` written into `target` (upserts by key); what `target` already
    holds as `source` does is left alone, so a second copy writes nothing. Returns how many
    rows (leaders, schedules, ..., entries) were written."""
    present = await target.users.stored_hashes()

    async def one(leader: StoredLeader) -> int:
        if leader.key.hashed in present and await _holds(target.users, leader):
            return 0
        await target.users.restore(leader)
        return 1

    written, chunk = 0, []
    async for leader in source.users.dump_all():
        chunk.append(leader)
        if len(chunk) == TOGETHER:
            written += sum(await asyncio.gather(*map(one, chunk)))
            chunk = []
    written += sum(await asyncio.gather(*map(one, chunk)))
    schedules, reminders = await source.schedules.load()
    their_schedules, their_reminders = await _schedules(target)
    if changed := [s for s in schedules if their_schedules.get(s.id) != s]:
        await target.schedules.put_schedules(changed)
    for reminder in (new_reminders := [r for r in reminders if their_reminders.get(r.id) != r]):
        await target.schedules.put_reminder(reminder)
    coaches, links, people = await source.coaching.load()
    their_coaches, their_links, their_people = await _coaching(target)
    for grant in (new_coaches := [c for c in coaches if their_coaches.get(c.user) != c]):
        await target.coaching.put_coach(grant)
    for link in (new_links := [k for k in links if their_links.get(k.id) != k]):
        await target.coaching.put_link(link)
    if new_people := [p for p in people if their_people.get(p.user) != p]:
        await target.coaching.put_people(new_people)
    circled = await _copy_circles(source, target)
    theirs = {e.key: e for e in target.ledger.entries()}
    if entries := [e for e in source.ledger.entries() if theirs.get(e.key) != e]:
        await target.ledger.put_entries(entries)
    tick = source.ledger.last_tick
    if tick is not None and target.ledger.last_tick != tick:
        await target.ledger.tick(tick)
        written += 1
    rows: list[list[Any]] = [changed, new_reminders, new_coaches, new_links, new_people, entries]
    return written + circled + sum(len(r) for r in rows)


async def _copy_circles(source: Stores, target: Stores) -> int:
    """Circles, memberships, rounds and check-ins the target lacks or holds otherwise."""
    (circles, members, rounds, check_ins), theirs = await _circles(source), await _circles(target)
    put = target.circles
    return (
        await _put_new(circles, theirs[0], put.put_circle)
        + await _put_new(members, theirs[1], put.put_membership)
        + await _put_new(rounds, theirs[2], put.put_round)
        + await _put_new(check_ins, theirs[3], put.put_check_in)
    )


async def _put_new[K, T](
    mine: dict[K, T], theirs: dict[K, T], put: Callable[[T], Awaitable[None]]
) -> int:
    changed = [item for key, item in mine.items() if theirs.get(key) != item]
    for item in changed:
        await put(item)
    return len(changed)


async def _holds(users: UserStore, leader: StoredLeader) -> bool:
    """Whether `users` holds this leader as it is (their extras by the names it has)."""
    if await users.load(leader.key) != leader.state:
        return False
    for name, value in leader.extras.items():
        if await users.load_extra(leader.key, name) != value:
            return False
    return True


async def verify(source: Stores, target: Stores, *, sample: int = SAMPLE) -> Report:
    """TransferError unless both sides hold the same counts, the same schedules, reminders,
    coaching rows and ledger entries, and a sample of leaders loads the same on both."""
    source_leaders = [leader async for leader in source.users.dump_all()]
    counts = await _counts(source, source_leaders), await _counts(target, None)
    if counts[0] != counts[1]:
        differ = [t for t in TABLES if counts[0][t] != counts[1][t]]
        raise TransferError(f"the counts differ after the copy ({', '.join(differ)})")
    if await _schedules(source) != await _schedules(target):
        raise TransferError("the schedules or reminders differ after the copy")
    if await _coaching(source) != await _coaching(target):
        raise TransferError("the coach grants, links or names differ after the copy")
    if await _circles(source) != await _circles(target):
        raise TransferError("the circles, members, rounds or check-ins differ after the copy")
    await _same_ledger(source, target)
    chosen = random.sample(source_leaders, min(sample, len(source_leaders)))
    for leader in chosen:
        await _same_leader(leader, target.users)
    return Report(counts[0], counts[1], len(chosen))


async def _counts(stores: Stores, leaders: list[StoredLeader] | None) -> dict[str, int]:
    if leaders is None:
        leaders = [leader async for leader in stores.users.dump_all()]
    schedules, reminders = await stores.schedules.load()
    coaches, links, people = await stores.coaching.load()
    circles, members, rounds, check_ins = await stores.circles.load()
    return {
        "leaders": len(leaders),
        "leader extras": sum(len(leader.extras) for leader in leaders),
        "schedules": len(schedules),
        "reminders": len(reminders),
        "coaches": len(coaches),
        "coaching links": len(links),
        "names": len(people),
        "circles": len(circles),
        "circle members": len(members),
        "circle rounds": len(rounds),
        "circle check-ins": len(check_ins),
        "deliveries": len(stores.ledger.entries()),
        "last tick": int(stores.ledger.last_tick is not None),
    }


async def _schedules(stores: Stores) -> tuple[dict[str, NudgeSchedule], dict[str, Reminder]]:
    schedules, reminders = await stores.schedules.load()
    return {s.id: s for s in schedules}, {r.id: r for r in reminders}


async def _coaching(
    stores: Stores,
) -> tuple[dict[str, CoachGrant], dict[str, Link], dict[str, Person]]:
    coaches, links, people = await stores.coaching.load()
    return {c.user: c for c in coaches}, {k.id: k for k in links}, {p.user: p for p in people}


async def _circles(
    stores: Stores,
) -> tuple[
    dict[str, Circle],
    dict[tuple[str, str], Membership],
    dict[tuple[str, int], Round],
    dict[tuple[str, int, str], CheckIn],
]:
    circles, members, rounds, check_ins = await stores.circles.load()
    return (
        {c.id: c for c in circles},
        {(m.circle_id, m.leader): m for m in members},
        {(r.circle_id, r.number): r for r in rounds},
        {(c.circle_id, c.round_number, c.leader): c for c in check_ins},
    )


async def _same_ledger(source: Stores, target: Stores) -> None:
    theirs = {e.key: e for e in target.ledger.entries()}
    if {e.key: e for e in source.ledger.entries()} != theirs:
        raise TransferError("the delivery ledger entries differ after the copy")
    if source.ledger.last_tick != target.ledger.last_tick:
        raise TransferError("the delivery ledger's last tick differs after the copy")


async def _same_leader(leader: StoredLeader, users: UserStore) -> None:
    if not await _holds(users, leader):
        raise TransferError(f"leader {leader.key.hashed} differs after the copy")


def _stray(here: Iterable[str], there: Iterable[str], noun: str) -> list[str]:
    extra = set(there) - set(here)
    return [_many(len(extra), noun)] if extra else []


def _many(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1]}ies" if noun.endswith("y") else f"{count} {noun}s"
