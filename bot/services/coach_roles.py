"""Ending a coach's role: everything the role carried ends with it.

Each link to a leader closes (status `revoked`; granting the role again restores none of
them, so every leader must accept again), each leader is told in one line, the schedules the
coach set are paused and handed to the leader with a choice (keep them as their own, or
remove them), and plans the coach had not saved yet are dropped."""

import logging
from dataclasses import replace
from datetime import datetime

from bot.coaching.model import Link
from bot.coaching.store import CoachingStore
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.schedules.model import NudgeSchedule
from bot.schedules.store import ScheduleStore
from bot.services.coach_plans import Plans
from dialogs.model import Choice, Say, ServiceNotice, ServiceQuestion

logger = logging.getLogger("peercoach.coaching")
HANDOVER = "your coach's role ended; keep or remove it"  # paused_reason while undecided
HAND_OVER = (Choice("keep", "Keep them"), Choice("remove", "Remove them"))
HAND_OVER_ONE = (Choice("keep", "Keep it"), Choice("remove", "Remove it"))


class CoachRoles:
    def __init__(self, store: CoachingStore, schedules: ScheduleStore, plans: Plans) -> None:
        self.store = store
        self.schedules = schedules
        self.plans = plans

    async def revoke(self, coach: str, at: datetime) -> tuple[Notice, ...]:
        """End the role; the notices tell each of the coach's leaders, and the coach."""
        links = self.store.links_of_coach(coach, "pending", "accepted")
        await self.store.revoke(coach)
        await self.plans.drop(coach)
        notices = []
        for link in links:
            closed = await self.store.set_status(link, "revoked", at)
            handed = await self._pause_handed(closed)
            told = self._told(closed, handed, at, pending=link.status == "pending")
            notices.append(Notice(UserKey.parse(link.leader), told))
        log(logger, "admin.revoked", coach=UserKey.parse(coach).hashed, links=len(links))
        ended = ServiceNotice(
            "An administrator ended your coach role in peercoach; your links to leaders "
            "have closed and they have been told.",
            at,
        )
        return (*notices, Notice(UserKey.parse(coach), ended))

    def handed(self, link: Link) -> list[NudgeSchedule]:
        """The schedules this coach set for this leader that are still theirs."""
        return [
            s
            for s in self.schedules.schedules_of(link.leader)
            if s.origin == "coach" and s.created_by == link.coach
        ]

    async def _pause_handed(self, link: Link) -> list[NudgeSchedule]:
        handed = self.handed(link)
        await self.schedules.put_schedules(
            *(replace(s, paused=True, paused_reason=HANDOVER) for s in handed if not s.paused)
        )
        return handed

    def _told(
        self, link: Link, handed: list[NudgeSchedule], at: datetime, *, pending: bool
    ) -> ServiceNotice | ServiceQuestion:
        coach = self.store.name_of(link.coach)
        if not handed:
            ended = (
                "their request to coach you is withdrawn"
                if pending
                else "they are no longer your coach"
            )
            return ServiceNotice(f"{coach} no longer coaches in peercoach, so {ended}.", at)
        one = len(handed) == 1
        which = (
            "the nudge schedule they set for you is"
            if one
            else (f"the {len(handed)} nudge schedules they set for you are")
        )
        them = "it" if one else "them"
        return ServiceQuestion(
            f"{coach} no longer coaches in peercoach, so they are no longer your coach; "
            f"{which} paused until you choose: keep {them} as your own, or remove {them}?",
            HAND_OVER_ONE if one else HAND_OVER,
            f"svc:handover:{link.id}",
            at,
            topic="coach#handover",
        )

    async def answer(self, key: UserKey, link_id: str, choice: str) -> ServiceReply:
        """The leader chose what happens to the schedules a former coach set."""
        link = self.store.link_by_id(link_id)
        if link is None or link.leader != str(key) or link.status != "revoked":
            return _say("That choice has already been made.")
        handed = self.handed(link)
        if not handed:
            return _say("Those schedules are gone already; `schedule` lists yours.")
        if choice == "remove":
            await self.schedules.remove_schedules(*(s.id for s in handed))
            return _say(f"Removed {_count(handed)}. `schedule` lists your nudges.")
        await self.schedules.put_schedules(*(_own(s, str(key)) for s in handed))
        return _say(f"Kept {_count(handed)} as your own. `schedule` lists your nudges.")


def _own(schedule: NudgeSchedule, leader: str) -> NudgeSchedule:
    """The leader's own schedule now; a pause they chose themselves stays."""
    ours = schedule.paused_reason == HANDOVER
    return replace(
        schedule,
        origin="leader",
        created_by=leader,
        paused=False if ours else schedule.paused,
        paused_reason=None if ours else schedule.paused_reason,
    )


def _count(schedules: list[NudgeSchedule]) -> str:
    return f"{len(schedules)} schedule" + ("s" if len(schedules) != 1 else "")


def _say(text: str) -> ServiceReply:
    return ServiceReply((Say(text),))
