"""Coach grants, links and names: changed at human pace, read from memory, written through a
backend (a TinyDB file, memory, or PostgreSQL). The cache changes only after the backend kept
the write; on a shared database it follows what other instances write too."""

import asyncio
import secrets
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.coaching.backend import CoachingBackend
from bot.coaching.model import CoachGrant, Link, LinkStatus, Person

OPEN = ("pending", "accepted")


class CoachingStore:
    def __init__(self, backend: CoachingBackend) -> None:
        self.backend = backend
        self._coaches: dict[str, CoachGrant] = {}
        self._links: dict[str, Link] = {}
        self._people: dict[str, Person] = {}
        self._unsaved: set[str] = set()
        self._lock = asyncio.Lock()  # one change at a time, from the write to the cache
        self.revision = 0  # goes up with every change to the cache (the dashboard's rosters)

    async def load(self) -> None:
        coaches, links, people = await self.backend.load()
        self._coaches = {g.user: g for g in coaches}
        self._links = {k.id: k for k in links}
        self._people = {p.user: p for p in people}
        self.revision += 1

    async def start_listening(self) -> None:
        """Follow changes other instances make (PostgreSQL); nothing to do on a file."""
        await self.backend.follow(self._heard, self.reconcile)

    async def stop_listening(self) -> None:
        await self.backend.unfollow()

    # -------------------------------------------------------------- reads

    def is_coach(self, user: str) -> bool:
        return user in self._coaches

    def coaches(self) -> list[CoachGrant]:
        return sorted(self._coaches.values(), key=lambda g: g.at)

    def link(self, coach: str, leader: str) -> Link | None:
        """The current link between two people: the open one (there is one at most), else
        the newest, if asked again after a no."""
        found = [k for k in self._links.values() if k.coach == coach and k.leader == leader]
        return max(found, key=lambda k: (k.status in OPEN, k.updated_at)) if found else None

    def link_by_id(self, link_id: str) -> Link | None:
        return self._links.get(link_id)

    def links_of_coach(self, coach: str, *statuses: LinkStatus) -> list[Link]:
        wanted = set(statuses) or {"pending", "accepted"}
        theirs = _current((k for k in self._links.values() if k.coach == coach), "leader")
        return sorted(
            (k for k in theirs if k.status in wanted), key=lambda k: self.name_of(k.leader).lower()
        )

    def links_of_leader(self, leader: str, *statuses: LinkStatus) -> list[Link]:
        wanted = set(statuses) or {"accepted"}
        theirs = _current((k for k in self._links.values() if k.leader == leader), "coach")
        return sorted((k for k in theirs if k.status in wanted), key=lambda k: k.created_at)

    def links_with_leader(self, leader: str) -> list[Link]:
        """Every link a coach ever asked of this leader, oldest first, whatever its status."""
        found = (k for k in self._links.values() if k.leader == leader)
        return sorted(found, key=lambda k: (k.created_at, k.id))

    def name_of(self, user: str) -> str:
        person = self._people.get(user)
        return person.name if person and person.name else user.rsplit(":", 1)[-1]

    def people_named(self, name: str, channel: str, tenant: str) -> list[str]:
        """Users of one workspace/tenant whose name matches, ignoring case."""
        prefix = f"{channel}:{tenant}:" if tenant else f"{channel}:"
        wanted = " ".join(name.lower().split())
        return [
            p.user
            for p in self._people.values()
            if p.user.startswith(prefix) and " ".join(p.name.lower().split()) == wanted
        ]

    def export_of(self, user: str) -> dict[str, Any]:
        """`export`: the leader's links to coaches (any status) and their own coach role;
        as a coach, only how many leaders they have: those links are the leaders' data."""
        grant = next((g for g in self.coaches() if g.user == user), None)
        role = None
        if grant is not None:
            leaders = self.links_of_coach(user, "accepted")
            role = {"granted_at": grant.at.isoformat(), "leaders": len(leaders)}
        return {
            "coaching_links": [
                {
                    "coach": self.name_of(k.coach),
                    "status": k.status,
                    "asked_at": k.created_at.isoformat(),
                    "updated_at": k.updated_at.isoformat(),
                    "asked_to_talk_at": k.talk_asked_at.isoformat() if k.talk_asked_at else None,
                }
                for k in self.links_with_leader(user)
            ],
            "coach_role": role,
        }

    # -------------------------------------------------------------- writes

    async def grant(self, user: str, by: str, at: datetime) -> None:
        grant = CoachGrant(user, by, at)
        async with self._lock:
            await self.backend.put_coach(grant)
            self._coaches[user] = grant

    async def revoke(self, user: str) -> None:
        async with self._lock:
            await self.backend.remove_coach(user)
            self._coaches.pop(user, None)

    async def new_link(self, coach: str, leader: str, at: datetime) -> Link:
        link = Link(secrets.token_hex(6), coach, leader, "pending", at, at)
        await self._put(link)
        return link

    async def set_status(self, link: Link, status: LinkStatus, at: datetime) -> Link:
        changed = replace(link, status=status, updated_at=at)
        await self._put(changed)
        return changed

    async def mark_talk_asked(self, link: Link, at: datetime) -> Link:
        """The leader asked this coach to talk (`ask my coach`): kept for the daily limit."""
        changed = replace(link, talk_asked_at=at)
        await self._put(changed)
        return changed

    async def _put(self, link: Link) -> None:
        async with self._lock:
            await self.backend.put_link(link)
            self._links[link.id] = link
            self.revision += 1

    def remember_name(self, user: str, name: str) -> None:
        """A name for `coach add` and for reports, known at once in memory; written out by
        flush() (every half minute at most), not once per new leader: a write rewrites the
        whole shared file, which measured 7 ms and grows with every leader."""
        known = self._people.get(user)
        if not name or (known is not None and known.name == name):
            return
        self._people[user] = Person(user, name)
        self.revision += 1
        self._unsaved.add(user)

    async def flush(self) -> None:
        """Write names learnt since the last flush, in one write; kept for the next flush if
        the write fails."""
        async with self._lock:
            if not self._unsaved:
                return
            written = {u: self._people[u] for u in self._unsaved if u in self._people}
            await self.backend.put_people(list(written.values()))
            self._unsaved = {u for u in self._unsaved if written.get(u) != self._people.get(u)}

    async def forget(self, user: str) -> None:
        """`forget me`: links and name go; the coach keeps only the fact they asked."""
        async with self._lock:
            await self.backend.forget(user)
            for link_id in [k.id for k in self._links.values() if user in (k.coach, k.leader)]:
                self._links.pop(link_id, None)
            self._people.pop(user, None)
            self._unsaved.discard(user)
            self._coaches.pop(user, None)
            self.revision += 1

    # -------------------------------------------------------------- changes made elsewhere

    async def _heard(self, table: str, key: str) -> None:
        """Another instance (or this one) wrote one row: take it as stored now."""
        async with self._lock:
            before = (self._links.get(key), self._people.get(key))
            if table == "coaches":
                _take(self._coaches, key, await self.backend.read_coach(key))
            elif table == "links":
                _take(self._links, key, await self.backend.read_link(key))
            elif table == "people" and key not in self._unsaved:
                _take(self._people, key, await self.backend.read_person(key))
            if (self._links.get(key), self._people.get(key)) != before:
                self.revision += 1

    async def reconcile(self) -> None:
        """Write names learnt here, then read everything again: notifications are not
        stored, so one missed while the database was away is caught here."""
        await self.flush()
        async with self._lock:
            coaches, links, people = await self.backend.load()
            self._coaches = {g.user: g for g in coaches}
            fresh_links = {k.id: k for k in links}
            fresh = {p.user: p for p in people}
            fresh.update((u, self._people[u]) for u in self._unsaved if u in self._people)
            if fresh_links != self._links or fresh != self._people:
                self.revision += 1
            self._links, self._people = fresh_links, fresh


def _take[Row](rows: dict[str, Row], key: str, stored: Row | None) -> None:
    if stored is None:
        rows.pop(key, None)
    else:
        rows[key] = stored


def _current(links: Iterable[Link], other: str) -> list[Link]:
    """The current link per pair (as CoachingStore.link chooses it) among links that share
    one side, grouped by the `other` side: one pass, not one scan of every link per link."""
    best: dict[str, Link] = {}
    for link in links:
        key = getattr(link, other)
        found = best.get(key)
        if found is None or (link.status in OPEN, link.updated_at) > (
            found.status in OPEN,
            found.updated_at,
        ):
            best[key] = link
    return list(best.values())
