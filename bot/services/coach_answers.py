"""What comes back to the coaching service after a turn: answers to its questions, a
reflection shared with coaches, names kept current. Split from coaching.py by job."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.services.coach_core import logger, say
from bot.services.coach_planning import CoachPlanning
from dialogs.model import Effect, ReflectionShared, Say, ServiceAnswered, ServiceNotice, UserState
from dialogs.runner import shorten


class CoachAnswers(CoachPlanning):
    """Answers and effects that come back after a turn."""

    async def on_effects(
        self, key: UserKey, state: UserState | None, effects: Sequence[Effect], at: datetime
    ) -> ServiceReply:
        replies = []
        for effect in effects:
            match effect:
                case ServiceAnswered(token=token, choice=choice):
                    replies.append(await self._answered(key, token, choice, at))
                case ReflectionShared(reflection=reflection, shared=True) if state is not None:
                    replies.append(self._shared(key, state, reflection, at))
        return ServiceReply(
            tuple(m for r in replies for m in r.messages),
            notices=tuple(n for r in replies for n in r.notices),
        )

    async def _answered(self, key: UserKey, token: str, choice: str, at: datetime) -> ServiceReply:
        kind, _, ident = token.removeprefix("svc:").partition(":")
        if kind == "link":
            return await self._link_answer(key, ident, choice, at)
        if kind == "plan":
            plan = await self.plans.take(ident, str(key), at)
            if plan is None:
                return say("That preview has expired; send the command again to see a new one.")
            if choice != "save":
                return say("Nothing was saved.")
            return await self.save_plan(key, plan.schedules, at)
        if kind == "keep":
            return await self._keep_or_pause(key, ident, choice)
        if kind == "handover":
            return await self.roles.answer(key, ident, choice)
        return ServiceReply()

    async def _link_answer(
        self, key: UserKey, link_id: str, choice: str, at: datetime
    ) -> ServiceReply:
        link = self.store.link_by_id(link_id)
        if link is None or link.leader != str(key) or link.status != "pending":
            return say("That request has already been answered or withdrawn.")
        coach_name, leader_name = self.store.name_of(link.coach), self.store.name_of(link.leader)
        accepted = choice == "accept"
        await self.store.set_status(link, "accepted" if accepted else "declined", at)
        log(
            logger,
            "coach.link",
            coach=UserKey.parse(link.coach).hashed,
            leader=key.hashed,
            accepted=accepted,
        )
        if accepted:
            mine = f"{coach_name} is now your coach. `coaches` lists your coaches; you can "
            mine += "remove one at any time."
            theirs = f"{leader_name} accepted you as their coach."
        else:
            mine = f"Declined. {coach_name} has been told, and can do nothing for you."
            theirs = f"{leader_name} declined your request."
        return ServiceReply(
            (Say(mine),), notices=(Notice(UserKey.parse(link.coach), ServiceNotice(theirs, at)),)
        )

    async def _keep_or_pause(self, key: UserKey, schedule_id: str, choice: str) -> ServiceReply:
        schedule = self.schedules.schedule(schedule_id)
        if schedule is None or schedule.user != str(key):
            return say("That schedule no longer exists.")
        if choice != "pause":
            return say("Kept. `schedule` lists all your nudges.")
        await self.schedules.put_schedules(
            replace(schedule, paused=True, paused_reason="paused by you")
        )
        return say(f"Paused. `schedule resume {schedule.id}` starts it again.")

    def _shared(
        self, key: UserKey, state: UserState, reflection_id: str, at: datetime
    ) -> ServiceReply:
        """The leader chose to share this one reflection: their coaches are told."""
        reflection = next((r for r in state.reflections if r.id == reflection_id), None)
        if reflection is None:
            return ServiceReply()
        name = self.store.name_of(str(key))
        text = f"{name} shared a reflection with you: “{shorten(reflection.text, 280)}”"
        return ServiceReply(
            notices=tuple(
                Notice(UserKey.parse(link.coach), ServiceNotice(text, at))
                for link in self.store.links_of_leader(str(key), "accepted")
            )
        )

    async def after_turn(
        self,
        key: UserKey,
        state: UserState | None,
        effects: Sequence[Effect],
        *,
        from_leader: bool = False,
    ) -> None:
        """Keep names current for `coach add` and reports; forget a leader entirely."""
        del effects, from_leader
        if state is None:
            await self.store.forget(str(key))
            if self.dashboard is not None:
                await self.dashboard.forget(str(key))
        elif state.profile.display_name:
            self.store.remember_name(str(key), state.profile.display_name)
