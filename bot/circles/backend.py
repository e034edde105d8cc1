"""Where circles persist, behind CircleStore's memory cache: memory, a TinyDB file, or
PostgreSQL. Each write is whole or not at all."""

from typing import Protocol

from bot.circles.model import CheckIn, Circle, Membership, Round
from bot.storage.changes import Heard, Resync


class CircleBackend(Protocol):
    async def load(self) -> tuple[list[Circle], list[Membership], list[Round], list[CheckIn]]:
        """Everything, to fill the cache."""
        ...

    async def put_circle(self, circle: Circle) -> None: ...

    async def put_membership(self, membership: Membership) -> None:
        """Insert or replace by (circle_id, leader)."""
        ...

    async def put_round(self, round_: Round) -> None:
        """Insert or replace by (circle_id, number)."""
        ...

    async def put_check_in(self, check_in: CheckIn) -> None:
        """Insert or replace by (circle_id, round_number, leader)."""
        ...

    async def forget(self, user: str) -> None:
        """`forget me`: the user's memberships and check-ins go, and their name leaves every
        round's groups; circles they own as a coach end (kept for their members' history)."""
        ...

    async def follow(self, heard: Heard, resync: Resync) -> None:
        """Report changes other instances make (see bot.storage.changes)."""
        ...

    async def unfollow(self) -> None: ...
