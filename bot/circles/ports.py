"""What the circle commands ask of the round runner (bot.services.circle_rounds): the
`circle round <id> now` and `circle report <id>` answers, and the next round's date."""

from datetime import date, datetime
from typing import Protocol

from bot.circles.model import Circle
from bot.domain import ServiceReply, UserKey


class RoundsPort(Protocol):
    async def round_now(self, coach: UserKey, circle: Circle, at: datetime) -> ServiceReply:
        """Close a running round, match, and send introductions within a minute."""
        ...

    async def report(self, coach: UserKey, circle: Circle, at: datetime) -> ServiceReply:
        """Members, rounds run, and per round the share of groups that met (at least five
        answers); never `about` lines, commitments, reflections or avoid lists."""
        ...

    def next_round_on(self, circle: Circle, at: datetime) -> date | None:
        """The next round's start date (None: paused or ended)."""
        ...
