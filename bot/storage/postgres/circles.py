"""Circles, memberships, rounds and check-ins on PostgreSQL (tables of 0005_circles.sql),
shared by every instance; each instance's CircleStore follows the others' writes by LISTEN
(any change to a circle table reloads its cache: circles are few) and a periodic reconcile."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from bot.circles.model import CheckIn, Circle, Membership, Round
from bot.storage.changes import Heard, Resync
from bot.storage.postgres.listen import ChangeListener
from bot.storage.postgres.rows import Connection, Mirror, SharedRows, body, model, named
from bot.storage.postgres.url import DatabaseUrl

_CIRCLE = TypeAdapter(Circle)
_MEMBER = TypeAdapter(Membership)
_ROUND = TypeAdapter(Round)
_CHECK_IN = TypeAdapter(CheckIn)
TABLES = frozenset({"circles", "circle_members", "circle_rounds", "circle_check_ins"})

PUT_CIRCLE = """
INSERT INTO circles (id, coach, body) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET coach = excluded.coach, body = excluded.body, updated_at = now()
"""
PUT_MEMBER = """
INSERT INTO circle_members (id, circle_id, leader, body) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = now()
"""
PUT_ROUND = """
INSERT INTO circle_rounds (id, circle_id, number, body) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = now()
"""
PUT_CHECK_IN = """
INSERT INTO circle_check_ins (id, circle_id, round_number, leader, body)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = now()
"""
ROUNDS_FOR_UPDATE = "SELECT body FROM circle_rounds ORDER BY id FOR UPDATE"
OWNED_FOR_UPDATE = "SELECT body FROM circles WHERE coach = $1 FOR UPDATE"


def member_id(membership: Membership) -> str:
    return f"{membership.circle_id}:{membership.leader}"


def round_id(round_: Round) -> str:
    return f"{round_.circle_id}:{round_.number}"


def check_in_id(check_in: CheckIn) -> str:
    return f"{check_in.circle_id}:{check_in.round_number}:{check_in.leader}"


class PostgresCircleBackend:
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
        self._circles = Mirror("circles", "id", _CIRCLE)
        self._members = Mirror("circle_members", "id", _MEMBER)
        self._rounds = Mirror("circle_rounds", "id", _ROUND)
        self._check_ins = Mirror("circle_check_ins", "id", _CHECK_IN)
        self.listener = ChangeListener(
            url, name="circles", reconcile_every=reconcile_every, retry_every=retry_every
        )

    async def load(self) -> tuple[list[Circle], list[Membership], list[Round], list[CheckIn]]:
        return (
            await self._circles.all(self.rows),
            await self._members.all(self.rows),
            await self._rounds.all(self.rows),
            await self._check_ins.all(self.rows),
        )

    async def put_circle(self, circle: Circle) -> None:
        async def put(connection: Connection) -> list[str]:
            await connection.execute(PUT_CIRCLE, circle.id, circle.coach, body(_CIRCLE, circle))
            return named("circles", (circle.id,))

        await self.rows.change(put)

    async def put_membership(self, membership: Membership) -> None:
        key = member_id(membership)

        async def put(connection: Connection) -> list[str]:
            row = body(_MEMBER, membership)
            await connection.execute(PUT_MEMBER, key, membership.circle_id, membership.leader, row)
            return named("circle_members", (key,))

        await self.rows.change(put)

    async def put_round(self, round_: Round) -> None:
        key = round_id(round_)

        async def put(connection: Connection) -> list[str]:
            row = body(_ROUND, round_)
            await connection.execute(PUT_ROUND, key, round_.circle_id, round_.number, row)
            return named("circle_rounds", (key,))

        await self.rows.change(put)

    async def put_check_in(self, check_in: CheckIn) -> None:
        key = check_in_id(check_in)

        async def put(connection: Connection) -> list[str]:
            await connection.execute(
                PUT_CHECK_IN,
                key,
                check_in.circle_id,
                check_in.round_number,
                check_in.leader,
                body(_CHECK_IN, check_in),
            )
            return named("circle_check_ins", (key,))

        await self.rows.change(put)

    async def forget(self, user: str) -> None:
        """One transaction: the leader's rows go, rounds naming them are rewritten without
        them, and circles they own end."""

        async def drop(connection: Connection) -> list[str]:
            changed = await self._members.delete(connection, "leader = $1", user)
            changed += await self._check_ins.delete(connection, "leader = $1", user)
            for record in await connection.fetch(ROUNDS_FOR_UPDATE):
                round_ = model("circle_rounds", _ROUND, record)
                if round_.names(user):
                    kept = round_.without(user)
                    await connection.execute(
                        PUT_ROUND, round_id(kept), kept.circle_id, kept.number, body(_ROUND, kept)
                    )
                    changed += named("circle_rounds", (round_id(kept),))
            for record in await connection.fetch(OWNED_FOR_UPDATE, user):
                ended = replace(model("circles", _CIRCLE, record), status="ended")
                await connection.execute(PUT_CIRCLE, ended.id, ended.coach, body(_CIRCLE, ended))
                changed += named("circles", (ended.id,))
            return changed

        await self.rows.change(drop)

    async def follow(self, heard: Heard, resync: Resync) -> None:
        async def circles_only(table: str, key: str) -> None:
            if table in TABLES:  # the channel carries every shared table's changes
                await heard(table, key)

        await self.listener.start(circles_only, resync)

    async def unfollow(self) -> None:
        await self.listener.stop()
