"""Circles in memory: for tests and trials."""

from dataclasses import replace

from bot.circles.model import CheckIn, Circle, Group, Membership, Round
from bot.storage.changes import NoChanges


class InMemoryCircleBackend(NoChanges):
    def __init__(self) -> None:
        self._circles: dict[str, Circle] = {}  # frozen values: sharing them is safe
        self._members: dict[tuple[str, str], Membership] = {}
        self._rounds: dict[tuple[str, int], Round] = {}
        self._check_ins: dict[tuple[str, int, str], CheckIn] = {}

    async def load(self) -> tuple[list[Circle], list[Membership], list[Round], list[CheckIn]]:
        return (
            list(self._circles.values()),
            list(self._members.values()),
            list(self._rounds.values()),
            list(self._check_ins.values()),
        )

    async def put_circle(self, circle: Circle) -> None:
        self._circles[circle.id] = circle

    async def put_membership(self, membership: Membership) -> None:
        self._members[(membership.circle_id, membership.leader)] = membership

    async def put_round(self, round_: Round) -> None:
        self._rounds[(round_.circle_id, round_.number)] = round_

    async def put_check_in(self, check_in: CheckIn) -> None:
        self._check_ins[(check_in.circle_id, check_in.round_number, check_in.leader)] = check_in

    async def forget(self, user: str) -> None:
        self._members = {k: m for k, m in self._members.items() if m.leader != user}
        self._check_ins = {k: c for k, c in self._check_ins.items() if c.leader != user}
        self._rounds = {k: _without(r, user) for k, r in self._rounds.items()}
        self._circles = {
            i: replace(c, status="ended") if c.coach == user else c
            for i, c in self._circles.items()
        }


def _without(round_: Round, user: str) -> Round:
    groups = tuple(
        Group(
            tuple(m for m in g.members if m != user),
            None if g.facilitator == user else g.facilitator,
        )
        for g in round_.groups
    )
    return replace(round_, groups=groups)
