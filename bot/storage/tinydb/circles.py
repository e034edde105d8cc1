"""Circles, memberships, rounds and check-ins in one small shared TinyDB file, `circles.json`:
every change is one atomic write of the whole file (a coach's circles change at human pace)."""

from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from tinydb import Query, TinyDB

from bot.circles.model import CheckIn, Circle, Membership, Round
from bot.storage.changes import NoChanges
from bot.storage.tinydb.shared_file import SharedFile, upsert

_CIRCLE = TypeAdapter(Circle)
_MEMBER = TypeAdapter(Membership)
_ROUND = TypeAdapter(Round)
_CHECK_IN = TypeAdapter(CheckIn)


class TinyDBCircleBackend(NoChanges):
    def __init__(self, data_dir: Path) -> None:
        self.file = SharedFile(data_dir / "circles.json")

    async def load(self) -> tuple[list[Circle], list[Membership], list[Round], list[CheckIn]]:
        return (
            await self.file.read("circles", _CIRCLE),
            await self.file.read("members", _MEMBER),
            await self.file.read("rounds", _ROUND),
            await self.file.read("check_ins", _CHECK_IN),
        )

    async def put_circle(self, circle: Circle) -> None:
        await self.file.write(lambda db: upsert(db, "circles", (circle,), _CIRCLE))

    async def put_membership(self, membership: Membership) -> None:
        row = Query()
        where = (row.circle_id == membership.circle_id) & (row.leader == membership.leader)
        await self.file.write(lambda db: _replace(db, "members", where, _MEMBER, membership))

    async def put_round(self, round_: Round) -> None:
        row = Query()
        where = (row.circle_id == round_.circle_id) & (row.number == round_.number)
        await self.file.write(lambda db: _replace(db, "rounds", where, _ROUND, round_))

    async def put_check_in(self, check_in: CheckIn) -> None:
        row = Query()
        where = (
            (row.circle_id == check_in.circle_id)
            & (row.round_number == check_in.round_number)
            & (row.leader == check_in.leader)
        )
        await self.file.write(lambda db: _replace(db, "check_ins", where, _CHECK_IN, check_in))

    async def forget(self, user: str) -> None:
        def drop(db: TinyDB) -> None:
            row = Query()
            db.table("members").remove(row.leader == user)
            db.table("check_ins").remove(row.leader == user)
            rounds = [_ROUND.validate_python(r) for r in db.table("rounds")]
            touched = [r for r in rounds if r.names(user)]
            for round_ in touched:
                where = (row.circle_id == round_.circle_id) & (row.number == round_.number)
                _replace(db, "rounds", where, _ROUND, round_.without(user))
            owned = [_CIRCLE.validate_python(c) for c in db.table("circles") if c["coach"] == user]
            upsert(db, "circles", [replace(c, status="ended") for c in owned], _CIRCLE)

        await self.file.write(drop)


def _replace[Item](
    db: TinyDB, table: str, where: Any, adapter: TypeAdapter[Item], item: Item
) -> None:
    rows = db.table(table)
    rows.remove(where)
    rows.insert(adapter.dump_python(item, mode="json"))
