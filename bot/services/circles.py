"""Peer circles run by a coach: `circle new`, `invite`, `show`, `round … now`, `report`,
`pause`, `resume`, `end` and `circles`; a leader's side (joining, leaving, skipping) is in
bot.services.circle_members. Every action on a circle is checked against its owner."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from bot.circles.cadence import first_start, next_round
from bot.circles.model import Circle, CircleStatus
from bot.circles.ports import RoundsPort
from bot.circles.store import CircleStore
from bot.coaching.access import Denied
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.ports import UserStore
from bot.services import circle_views as views
from bot.services.circle_invites import invite
from bot.services.circle_members import CircleMembers
from bot.services.coaching import CoachingService
from dialogs.circle_spec import CircleSpec, SpecProblem, check_all, parse_new
from dialogs.commands import CircleCommand
from dialogs.content_circles import CircleCopy
from dialogs.model import Effect, Say, ServiceNotice, UserState
from dialogs.timetext import short_date

logger = logging.getLogger("peercoach.circles")
STATUS_VERBS: dict[str, tuple[CircleStatus, str]] = {
    "pause": ("paused", "paused"),
    "resume": ("active", "resumed"),
    "end": ("ended", "ended"),
}


class CircleService:
    def __init__(
        self,
        store: CircleStore,
        coaching: CoachingService,
        users: UserStore,
        copy: CircleCopy,
        rounds: RoundsPort | None = None,
    ) -> None:
        self.store = store
        self.coaching = coaching
        self.users = users
        self.copy = copy
        self.rounds = rounds  # the round runner; None until it is wired in
        self.members = CircleMembers(self)

    # ---------------------------------------------------------------- commands

    async def answer(
        self, key: UserKey, state: UserState, command: CircleCommand, at: datetime
    ) -> ServiceReply:
        args = list(command.args)
        today = views.local_today(state, at)
        if command.listing:
            return self.listing(key, today, at)
        verb, rest = (args[0].lower(), args[1:]) if args else ("help", [])
        if verb in ("leave", "skip"):
            return await self.members.command(key, verb, rest, at, today)
        if verb not in ("new", "invite", "show", "round", "report", *STATUS_VERBS):
            return self.say("coach_help" if self.coaching.is_coach(key) else "leader_help")
        if not self.coaching.is_coach(key):
            return self.say("only_coaches")
        if verb == "new":
            return await self._new(key, rest, at, today)
        circle = self._own(key, rest[:1], verb)
        if isinstance(circle, Denied):
            return _say(circle.reason)
        return await self._on_circle(key, circle, verb, rest[1:], at, today)

    async def _on_circle(  # noqa: PLR0917 - one command's parts
        self, key: UserKey, circle: Circle, verb: str, rest: list[str], at: datetime, today: date
    ) -> ServiceReply:
        match verb:
            case "invite":
                return await invite(self, key, circle, rest, at, today)
            case "show":
                return _say(await self._show(circle, at, today))
            case "round":
                return await self._round(key, circle, rest, at)
            case "report":
                return await self._report(key, circle, at)
        return await self._set_status(key, circle, verb, at)

    def listing(self, key: UserKey, today: date, at: datetime) -> ServiceReply:
        """`circles`: the coach's circles, then the ones the leader is in."""
        parts = [
            views.coach_list(self.copy, self.store, str(key), self._next_on(at), today),
            views.leader_list(
                self.copy,
                self.store,
                str(key),
                name_of=self.name_of,
                next_on=self._next_on(at),
                today=today,
            ),
        ]
        found = [p for p in parts if p]
        if found:
            return _say("\n\n".join(found))
        return self.say("coach_list_empty" if self.coaching.is_coach(key) else "leader_list_empty")

    async def _new(
        self, key: UserKey, words: list[str], at: datetime, today: date
    ) -> ServiceReply:
        if not words:
            return self.say("new_usage")
        spec = parse_new(words, today)
        if isinstance(spec, SpecProblem):
            return self._problem(spec, "example_new")
        return await self.create(key, spec, at, today)

    async def create(
        self, key: UserKey, spec: CircleSpec, at: datetime, today: date
    ) -> ServiceReply:
        circle_id = self.store.new_id()
        while self.store.circle(circle_id) is not None:  # 16 million ids: rare, but possible
            circle_id = self.store.new_id()
        circle = Circle(
            id=circle_id,
            coach=str(key),
            name=spec.name,
            format=spec.format,  # type: ignore[arg-type]  # one of FORMATS, checked
            every_weeks=spec.every_weeks,
            day=spec.day,
            starts=spec.starts,
            status="active",
            created_at=at,
            updated_at=at,
        )
        await self.store.put_circle(circle)
        log(logger, "circle.created", coach=key.hashed, circle=circle.id, format=circle.format)
        return self.say(
            "created",
            name=circle.name,
            id=circle.id,
            format=views.format_of(self.copy, circle),
            cadence=views.cadence(self.copy, circle),
            first=short_date(first_start(circle), today),
        )

    async def form_create(
        self, key: UserKey, fields: Mapping[str, str], at: datetime
    ) -> ServiceReply | dict[str, str]:
        """`circle new` from the Slack modal or the Teams card (fields name, format, every,
        day, from): the new circle's answer, or a sentence for each field to fix."""
        if not self.coaching.is_coach(key):
            return {"name": self.copy.get("only_coaches")}
        state = await self.users.load(key) or UserState()
        today = views.local_today(state, at)
        checked = self.form_check(fields, today)
        if isinstance(checked, dict):
            return checked
        return await self.create(key, checked, at, today)

    def form_labels(self) -> dict[str, str]:
        """The form's wording (content/circles.yaml), by key without its `form_` prefix."""
        return {k.removeprefix("form_"): t for k, t in self.copy.texts if k.startswith("form_")}

    def form_check(self, fields: Mapping[str, str], today: date) -> CircleSpec | dict[str, str]:
        """The Slack modal's or Teams card's fields: the circle, or a sentence per field."""
        checked = check_all(fields, today)
        if isinstance(checked, CircleSpec):
            return checked
        return {p.part: self.copy.get(p.key, **p.values) for p in checked}

    async def _show(self, circle: Circle, at: datetime, today: date) -> str:
        organisations = {}
        for member in self.store.members(circle.id):
            state = await self.users.load(UserKey.parse(member.leader))
            organisations[member.leader] = state.profile.organisation if state else None
        next_on = self.next_round_on(circle, at)
        return views.show(
            self.copy,
            self.store,
            circle,
            name_of=self.name_of,
            organisations=organisations,
            next_on=next_on,
            today=today,
        )

    async def _round(
        self, key: UserKey, circle: Circle, words: list[str], at: datetime
    ) -> ServiceReply:
        if [w.lower() for w in words] != ["now"]:
            return self.say("round_usage", id=circle.id)
        if circle.status == "ended":
            return self.say("is_ended", name=circle.name)
        if self.rounds is None:
            return self.say("rounds_not_ready")
        return await self.rounds.round_now(key, circle, at)

    async def _report(self, key: UserKey, circle: Circle, at: datetime) -> ServiceReply:
        if self.rounds is None:
            return self.say("rounds_not_ready")
        return await self.rounds.report(key, circle, at)

    async def _set_status(
        self, key: UserKey, circle: Circle, verb: str, at: datetime
    ) -> ServiceReply:
        status, said = STATUS_VERBS[verb]
        if circle.status in (status, "ended"):
            return self.say(
                "already_status", name=circle.name, status=self.copy.get(f"status_{circle.status}")
            )
        await self.store.put_circle(replace(circle, status=status, updated_at=at))
        log(logger, "circle.status", coach=key.hashed, circle=circle.id, status=status)
        told = ServiceNotice(
            self.copy.get(f"members_{said}", name=circle.name, coach=self.name_of(circle.coach)),
            at,
        )
        notices = tuple(
            Notice(UserKey.parse(m.leader), told) for m in self.store.members(circle.id)
        )
        return ServiceReply((Say(self.copy.get(said, name=circle.name)),), notices=notices)

    # ---------------------------------------------------------------- answers, export, forget

    async def on_effects(
        self, key: UserKey, state: UserState | None, effects: Sequence[Effect], at: datetime
    ) -> ServiceReply:
        return await self.members.on_effects(key, state, effects, at)

    def export_of(self, user: str) -> dict[str, object]:
        return views.export_of(self.store, user, self.name_of)

    async def after_turn(
        self,
        key: UserKey,
        state: UserState | None,
        effects: Sequence[Effect],
        *,
        from_leader: bool = False,
    ) -> None:
        """`forget me`: memberships and check-ins go; circles the user runs end."""
        del effects, from_leader
        if state is None:
            await self.store.forget(str(key))

    # ---------------------------------------------------------------- helpers

    def next_round_on(self, circle: Circle, at: datetime) -> date | None:
        if self.rounds is not None:
            return self.rounds.next_round_on(circle, at)
        found = next_round(circle, self.store.rounds(circle.id), at.date())
        return found[1] if found else None

    def _next_on(self, at: datetime) -> views.NextRound:
        return lambda circle: self.next_round_on(circle, at)

    def name_of(self, user: str) -> str:
        return self.coaching.store.name_of(user)

    def names(self, users: list[str]) -> str:
        return ", ".join(self.name_of(u) for u in users)

    def find(self, ref: str, circles: list[Circle]) -> Circle | None:
        """A circle by its id, or by its name when only one has it."""
        wanted = " ".join(ref.lower().split())
        by_id = [c for c in circles if c.id == wanted]
        named = [c for c in circles if " ".join(c.name.lower().split()) == wanted]
        found = by_id or named
        return found[0] if len(found) == 1 else None

    def _own(self, key: UserKey, ref: list[str], verb: str) -> Circle | Denied:
        if not ref:
            return Denied(self.with_example("which_circle", "example_circle", verb=verb))
        circle = self.store.circle(ref[0].lower()) or self.find(
            ref[0], self.store.circles_of_coach(str(key))
        )
        if circle is None:
            return Denied(self.copy.get("no_circle", circle=ref[0][:40]))
        if circle.coach != str(key):
            return Denied(self.copy.get("not_yours", name=circle.name))
        return circle

    def _problem(self, problem: SpecProblem, example: str) -> ServiceReply:
        return _say(f"{self.copy.get(problem.key, **problem.values)} {self.copy.get(example)}")

    def with_example(self, key: str, example: str = "example_circle", **values: str) -> str:
        return f"{self.copy.get(key, **values)} {self.copy.get(example, **values)}"

    def say(self, key: str, **values: str) -> ServiceReply:
        return _say(self.copy.get(key, **values))


def _say(text: str) -> ServiceReply:
    return ServiceReply((Say(text),))
