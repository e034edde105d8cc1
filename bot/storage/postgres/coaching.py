"""Coach grants, links and names on PostgreSQL (tables of 0003_schedules_coaching.sql),
shared by every instance; each instance's CoachingStore follows the others' writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from bot.coaching.model import CoachGrant, Link, Person
from bot.storage.changes import Heard, Resync
from bot.storage.postgres.listen import ChangeListener
from bot.storage.postgres.rows import Connection, Mirror, SharedRows, body, named
from bot.storage.postgres.url import DatabaseUrl

_GRANT = TypeAdapter(CoachGrant)
_LINK = TypeAdapter(Link)
_PERSON = TypeAdapter(Person)

PUT_COACH = """
INSERT INTO coaches (coach, body) VALUES ($1, $2)
ON CONFLICT (coach) DO UPDATE SET body = excluded.body, updated_at = now()
"""
PUT_LINK = """
INSERT INTO links (id, coach, leader, body) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET coach = excluded.coach, leader = excluded.leader,
    body = excluded.body, updated_at = now()
"""
PUT_PERSON = """
INSERT INTO people (person, body) VALUES ($1, $2)
ON CONFLICT (person) DO UPDATE SET body = excluded.body, updated_at = now()
"""


class PostgresCoachingBackend:
    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        url: DatabaseUrl,
        *,
        reconcile_every: float = 30.0,
        retry_every: float = 1.0,
    ) -> None:
        """`url` gives the LISTEN connection (outside the pool) and names the server in
        errors; see ChangeListener for the two periods."""
        self.rows = SharedRows(pool, url)
        self._coaches = Mirror("coaches", "coach", _GRANT)
        self._links = Mirror("links", "id", _LINK)
        self._people = Mirror("people", "person", _PERSON)
        self.listener = ChangeListener(
            url, name="coaching", reconcile_every=reconcile_every, retry_every=retry_every
        )

    async def load(self) -> tuple[list[CoachGrant], list[Link], list[Person]]:
        return (
            await self._coaches.all(self.rows),
            await self._links.all(self.rows),
            await self._people.all(self.rows),
        )

    async def read_coach(self, user: str) -> CoachGrant | None:
        return await self._coaches.one(self.rows, user)

    async def read_link(self, link_id: str) -> Link | None:
        return await self._links.one(self.rows, link_id)

    async def read_person(self, user: str) -> Person | None:
        return await self._people.one(self.rows, user)

    async def put_coach(self, grant: CoachGrant) -> None:
        async def put(connection: Connection) -> list[str]:
            await connection.execute(PUT_COACH, grant.user, body(_GRANT, grant))
            return named("coaches", (grant.user,))

        await self.rows.change(put)

    async def remove_coach(self, user: str) -> None:
        async def remove(connection: Connection) -> list[str]:
            return await self._coaches.delete(connection, "coach = $1", user)

        await self.rows.change(remove)

    async def put_link(self, link: Link) -> None:
        async def put(connection: Connection) -> list[str]:
            await connection.execute(PUT_LINK, link.id, link.coach, link.leader, body(_LINK, link))
            return named("links", (link.id,))

        await self.rows.change(put)

    async def put_people(self, people: Sequence[Person]) -> None:
        async def put(connection: Connection) -> list[str]:
            await connection.executemany(PUT_PERSON, [(p.user, body(_PERSON, p)) for p in people])
            return named("people", (p.user for p in people))

        if people:
            await self.rows.change(put)

    async def forget(self, user: str) -> None:
        async def drop(connection: Connection) -> list[str]:
            return (
                await self._links.delete(connection, "coach = $1 OR leader = $1", user)
                + await self._people.delete(connection, "person = $1", user)
                + await self._coaches.delete(connection, "coach = $1", user)
            )

        await self.rows.change(drop)

    async def follow(self, heard: Heard, resync: Resync) -> None:
        await self.listener.start(heard, resync)

    async def unfollow(self) -> None:
        await self.listener.stop()
