"""Coach grants, links and names in memory: for tests and trials."""

from collections.abc import Sequence

from bot.coaching.model import CoachGrant, Link, Person
from bot.storage.changes import NoChanges


class InMemoryCoachingBackend(NoChanges):
    def __init__(self) -> None:
        self._coaches: dict[str, CoachGrant] = {}  # frozen values: sharing them is safe
        self._links: dict[str, Link] = {}
        self._people: dict[str, Person] = {}

    async def load(self) -> tuple[list[CoachGrant], list[Link], list[Person]]:
        return (
            list(self._coaches.values()),
            list(self._links.values()),
            list(self._people.values()),
        )

    async def read_coach(self, user: str) -> CoachGrant | None:
        return self._coaches.get(user)

    async def read_link(self, link_id: str) -> Link | None:
        return self._links.get(link_id)

    async def read_person(self, user: str) -> Person | None:
        return self._people.get(user)

    async def put_coach(self, grant: CoachGrant) -> None:
        self._coaches[grant.user] = grant

    async def remove_coach(self, user: str) -> None:
        self._coaches.pop(user, None)

    async def put_link(self, link: Link) -> None:
        self._links[link.id] = link

    async def put_people(self, people: Sequence[Person]) -> None:
        self._people.update((p.user, p) for p in people)

    async def forget(self, user: str) -> None:
        self._links = {i: k for i, k in self._links.items() if user not in (k.coach, k.leader)}
        self._people.pop(user, None)
        self._coaches.pop(user, None)
