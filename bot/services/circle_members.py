"""A leader's side of a circle: answering an invitation (Join / No thanks, by button or by
typing), `circle leave` and `circle skip`. Nobody is a member without having said yes."""

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.circles.model import Circle, Membership
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.services import circle_views as views
from dialogs.model import Effect, Say, ServiceAnswered, ServiceNotice, UserState

if TYPE_CHECKING:
    from bot.services.circles import CircleService

logger = logging.getLogger("peercoach.circles")
INVITE = "svc:circle-invite:"  # + circle id: the invitation's question token


class CircleMembers:
    def __init__(self, service: "CircleService") -> None:
        self.service = service
        self.store = service.store
        self.copy = service.copy

    async def command(
        self, key: UserKey, verb: str, rest: list[str], at: datetime, today: date
    ) -> ServiceReply:
        """`circle leave <circle>` and `circle skip <circle>`."""
        if not rest:
            return ServiceReply((Say(self.service.with_example("which_circle", verb=verb)),))
        mine = self.store.memberships_of(
            str(key), "joined", *(("invited",) if verb == "leave" else ())
        )
        circles = [c for m in mine if (c := self.store.circle(m.circle_id)) is not None]
        circle = self.service.find(" ".join(rest), circles)
        if circle is None:
            return self._say("not_member", circle=" ".join(rest)[:40])
        member = self.store.membership(circle.id, str(key))
        assert member is not None
        if verb == "leave":
            return await self._leave(key, circle, member, at)
        return await self._skip(circle, member, at, today)

    async def _leave(
        self, key: UserKey, circle: Circle, member: Membership, at: datetime
    ) -> ServiceReply:
        was_in = member.status == "joined"
        await self.store.put_membership(replace(member, status="left", answered_at=at))
        log(logger, "circle.left", leader=key.hashed, circle=circle.id)
        notices: tuple[Notice, ...] = ()
        if was_in:
            told = self.copy.get(
                "coach_left", leader=self.service.name_of(str(key)), name=circle.name
            )
            notices = (Notice(UserKey.parse(circle.coach), ServiceNotice(told, at)),)
        return ServiceReply((Say(self.copy.get("left", name=circle.name)),), notices=notices)

    async def _skip(
        self, circle: Circle, member: Membership, at: datetime, today: date
    ) -> ServiceReply:
        if member.skip_next:
            return self._say("skipping_already", name=circle.name)
        await self.store.put_membership(replace(member, skip_next=True))
        next_on = self.service.next_round_on(circle, at)
        return self._say("skipping", name=circle.name, date=views.when(self.copy, next_on, today))

    # ---------------------------------------------------------------- invitations

    async def on_effects(
        self, key: UserKey, state: UserState | None, effects: Sequence[Effect], at: datetime
    ) -> ServiceReply:
        replies = []
        for effect in effects:
            if isinstance(effect, ServiceAnswered) and effect.token.startswith(INVITE):
                circle_id = effect.token.removeprefix(INVITE)
                today = views.local_today(state, at) if state is not None else at.date()
                replies.append(await self._answer(key, circle_id, effect.choice, at, today))
        return ServiceReply(
            tuple(m for r in replies for m in r.messages),
            notices=tuple(n for r in replies for n in r.notices),
        )

    async def _answer(
        self, key: UserKey, circle_id: str, choice: str, at: datetime, today: date
    ) -> ServiceReply:
        circle = self.store.circle(circle_id)
        member = self.store.membership(circle_id, str(key))
        if circle is None or circle.status == "ended" or member is None:
            return self._say("invitation_gone")
        if member.status != "invited":
            return self._say("invitation_gone")
        joined = choice == "join"
        answered = replace(member, status="joined" if joined else "declined", answered_at=at)
        await self.store.put_membership(answered)
        log(logger, "circle.answered", leader=key.hashed, circle=circle.id, joined=joined)
        leader, coach = self.service.name_of(str(key)), self.service.name_of(circle.coach)
        if joined:
            next_on = self.service.next_round_on(circle, at)
            mine = self.copy.get(
                "joined", name=circle.name, first=views.when(self.copy, next_on, today)
            )
            theirs = self.copy.get("coach_joined", leader=leader, name=circle.name)
        else:
            mine = self.copy.get("declined", name=circle.name, coach=coach)
            theirs = self.copy.get("coach_declined", leader=leader, name=circle.name)
        notice = Notice(UserKey.parse(circle.coach), ServiceNotice(theirs, at))
        return ServiceReply((Say(mine),), notices=(notice,))

    def _say(self, key: str, **values: str) -> ServiceReply:
        return ServiceReply((Say(self.copy.get(key, **values)),))
