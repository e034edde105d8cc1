"""Where coach grants, links and names persist, behind CoachingStore's memory cache."""

from collections.abc import Sequence
from typing import Protocol

from bot.coaching.model import CoachGrant, Link, Person
from bot.storage.changes import Heard, Resync


class CoachingBackend(Protocol):
    """A TinyDB file, memory, or PostgreSQL. Each write is whole or not at all."""

    async def load(self) -> tuple[list[CoachGrant], list[Link], list[Person]]:
        """Every grant, link and name."""
        ...

    async def read_coach(self, user: str) -> CoachGrant | None:
        """One row as stored now, to follow a change made by another instance."""
        ...

    async def read_link(self, link_id: str) -> Link | None: ...

    async def read_person(self, user: str) -> Person | None: ...

    async def put_coach(self, grant: CoachGrant) -> None: ...

    async def remove_coach(self, user: str) -> None: ...

    async def put_link(self, link: Link) -> None: ...

    async def put_people(self, people: Sequence[Person]) -> None:
        """Insert or replace names by user, in one write."""
        ...

    async def forget(self, user: str) -> None:
        """Drop the user's name, coach role and every link they are in, in one write."""
        ...

    async def follow(self, heard: Heard, resync: Resync) -> None:
        """Report changes other instances make (see bot.storage.changes)."""
        ...

    async def unfollow(self) -> None: ...
