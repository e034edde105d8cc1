"""Coach grants, links and names in one small shared TinyDB file, `coaching.json`."""

from collections.abc import Sequence
from pathlib import Path

from pydantic import TypeAdapter
from tinydb import Query, TinyDB

from bot.coaching.model import CoachGrant, Link, Person
from bot.storage.changes import NoChanges
from bot.storage.tinydb.shared_file import SharedFile, remove, upsert

_GRANT = TypeAdapter(CoachGrant)
_LINK = TypeAdapter(Link)
_PERSON = TypeAdapter(Person)


class TinyDBCoachingBackend(NoChanges):
    def __init__(self, data_dir: Path) -> None:
        self.file = SharedFile(data_dir / "coaching.json")

    async def load(self) -> tuple[list[CoachGrant], list[Link], list[Person]]:
        coaches = await self.file.read("coaches", _GRANT)
        links = await self.file.read("links", _LINK)
        return coaches, links, await self.file.read("people", _PERSON)

    async def read_coach(self, user: str) -> CoachGrant | None:
        return next((g for g in await self.file.read("coaches", _GRANT) if g.user == user), None)

    async def read_link(self, link_id: str) -> Link | None:
        return next((k for k in await self.file.read("links", _LINK) if k.id == link_id), None)

    async def read_person(self, user: str) -> Person | None:
        return next((p for p in await self.file.read("people", _PERSON) if p.user == user), None)

    async def put_coach(self, grant: CoachGrant) -> None:
        await self.file.write(lambda db: upsert(db, "coaches", (grant,), _GRANT, key="user"))

    async def remove_coach(self, user: str) -> None:
        await self.file.write(lambda db: remove(db, "coaches", (user,), key="user"))

    async def put_link(self, link: Link) -> None:
        await self.file.write(lambda db: upsert(db, "links", (link,), _LINK))

    async def put_people(self, people: Sequence[Person]) -> None:
        await self.file.write(lambda db: upsert(db, "people", people, _PERSON, key="user"))

    async def forget(self, user: str) -> None:
        def drop(db: TinyDB) -> None:
            row = Query()
            db.table("links").remove((row.coach == user) | (row.leader == user))
            remove(db, "people", (user,), key="user")
            remove(db, "coaches", (user,), key="user")

        await self.file.write(drop)
