"""Circles, memberships, rounds and check-ins: changed at human pace, read from memory,
written through a backend. The cache changes only after the backend kept the write; on a
shared database a change heard from another instance reloads everything (circles are few)."""

import asyncio
import secrets

from bot.circles.backend import CircleBackend
from bot.circles.model import CheckIn, Circle, Membership, MemberStatus, Round


class CircleStore:
    def __init__(self, backend: CircleBackend) -> None:
        self.backend = backend
        self._circles: dict[str, Circle] = {}
        self._members: dict[tuple[str, str], Membership] = {}
        self._rounds: dict[tuple[str, int], Round] = {}
        self._check_ins: dict[tuple[str, int, str], CheckIn] = {}
        self._lock = asyncio.Lock()  # one change at a time, from the write to the cache

    async def load(self) -> None:
        circles, members, rounds, check_ins = await self.backend.load()
        self._circles = {c.id: c for c in circles}
        self._members = {(m.circle_id, m.leader): m for m in members}
        self._rounds = {(r.circle_id, r.number): r for r in rounds}
        self._check_ins = {(c.circle_id, c.round_number, c.leader): c for c in check_ins}

    async def start_listening(self) -> None:
        await self.backend.follow(self._heard, self.reconcile)

    async def stop_listening(self) -> None:
        await self.backend.unfollow()

    # -------------------------------------------------------------- reads

    @staticmethod
    def new_id() -> str:
        """A short id a coach can type: `circle show c3f9a1`."""
        return "c" + secrets.token_hex(3)

    def circle(self, circle_id: str) -> Circle | None:
        return self._circles.get(circle_id)

    def circles(self) -> list[Circle]:
        return sorted(self._circles.values(), key=lambda c: (c.created_at, c.id))

    def circles_of_coach(self, coach: str) -> list[Circle]:
        return [c for c in self.circles() if c.coach == coach]

    def membership(self, circle_id: str, leader: str) -> Membership | None:
        return self._members.get((circle_id, leader))

    def members(self, circle_id: str, *statuses: MemberStatus) -> list[Membership]:
        wanted = set(statuses) or {"joined"}
        found = (m for m in self._members.values() if m.circle_id == circle_id)
        return sorted((m for m in found if m.status in wanted), key=lambda m: m.invited_at)

    def memberships_of(self, leader: str, *statuses: MemberStatus) -> list[Membership]:
        wanted = set(statuses) or {"joined"}
        found = (m for m in self._members.values() if m.leader == leader)
        return sorted((m for m in found if m.status in wanted), key=lambda m: m.invited_at)

    def rounds(self, circle_id: str) -> list[Round]:
        found = (r for r in self._rounds.values() if r.circle_id == circle_id)
        return sorted(found, key=lambda r: r.number)

    def round(self, circle_id: str, number: int) -> Round | None:
        return self._rounds.get((circle_id, number))

    def check_ins(self, circle_id: str, number: int) -> list[CheckIn]:
        wanted = (circle_id, number)
        found = (c for c in self._check_ins.values() if (c.circle_id, c.round_number) == wanted)
        return sorted(found, key=lambda c: c.at)

    def check_ins_of(self, leader: str) -> list[CheckIn]:
        """Every check-in a leader gave (their export)."""
        found = (c for c in self._check_ins.values() if c.leader == leader)
        return sorted(found, key=lambda c: (c.circle_id, c.round_number))

    # -------------------------------------------------------------- writes

    async def put_circle(self, circle: Circle) -> None:
        async with self._lock:
            await self.backend.put_circle(circle)
            self._circles[circle.id] = circle

    async def put_membership(self, membership: Membership) -> None:
        async with self._lock:
            await self.backend.put_membership(membership)
            self._members[(membership.circle_id, membership.leader)] = membership

    async def put_round(self, round_: Round) -> None:
        async with self._lock:
            await self.backend.put_round(round_)
            self._rounds[(round_.circle_id, round_.number)] = round_

    async def put_check_in(self, check_in: CheckIn) -> None:
        async with self._lock:
            await self.backend.put_check_in(check_in)
            key = (check_in.circle_id, check_in.round_number, check_in.leader)
            self._check_ins[key] = check_in

    async def forget(self, user: str) -> None:
        async with self._lock:
            await self.backend.forget(user)
        await self.reconcile()

    # -------------------------------------------------------------- changes made elsewhere

    async def _heard(self, _table: str, _key: str) -> None:
        await self.reconcile()

    async def reconcile(self) -> None:
        async with self._lock:
            await self.load()
