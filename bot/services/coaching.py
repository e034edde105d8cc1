"""Coaches: linking to leaders (who may decline), setting their schedules, seeing engagement
counts. Every action is checked against the actor's role and their link to that leader."""

from datetime import datetime

from bot.coaching.access import Action, Denied
from bot.coaching.model import Link
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.services.coach_answers import CoachAnswers
from bot.services.coach_core import logger, say
from bot.services.coach_dashboard import dashboard_reply, opened_text
from bot.services.coach_reports import figures_of, render
from bot.services.coach_talk import ask_to_talk
from dialogs.commands import AdminCommand, CoachCommand
from dialogs.model import Choice, Say, ServiceNotice, ServiceQuestion, UserState
from dialogs.timetext import short_date

COACH_HELP = """**Coaching commands**
• `coach add <name>` – ask a leader to accept you as their coach
• `coach leaders` – the leaders you coach, and who has not answered yet
• `coach schedule <leader|all> weekdays 08:30 resilience` – set nudges (their local time)
• `coach schedules <leader>` and `coach unschedule <leader> <id>`
• `coach report` – engagement counts; never what anyone wrote unless they shared it
• `circle` – peer circles you run: `circle new`, `circle invite`, `circle show`
• `coach dashboard` – a link to the same counts as charts, in your browser"""
ACCEPT = (Choice("accept", "Accept"), Choice("decline", "Decline"))


class CoachingService(CoachAnswers):
    # ---------------------------------------------------------------- commands

    async def answer(
        self, key: UserKey, state: UserState, command: CoachCommand | AdminCommand, at: datetime
    ) -> ServiceReply:
        match command:
            case AdminCommand(args=args):
                return await self._admin(key, list(args), at)
            case CoachCommand(args=args, leaders_view=True):
                return await self._coaches(key, list(args), at)
            case CoachCommand(args=args):
                return await self._coach(key, state, list(args), at)
        return say(COACH_HELP)  # pragma: no cover - the match is exhaustive

    async def _coach(
        self, key: UserKey, state: UserState, args: list[str], at: datetime
    ) -> ServiceReply:
        verb, rest = (args[0].lower(), args[1:]) if args else ("help", [])
        match verb:
            case "add":
                return await self._add(key, " ".join(rest), at)
            case "leaders":
                return self._leaders(key)
            case "schedule":
                return await self._plan(key, rest, at)
            case "schedules":
                return await self._schedules_of(key, rest, at)
            case "unschedule":
                return await self._unschedule(key, rest, at)
            case "report":
                return await self.report(key, state, at)
            case "dashboard":
                if denied := self._check(str(key), Action.SEE_REPORT):
                    return denied
                return await dashboard_reply(self.dashboard, key, at)
        return say(COACH_HELP)

    async def _add(self, key: UserKey, who: str, at: datetime) -> ServiceReply:
        actor = str(key)
        if denied := self._check(actor, Action.ASK_TO_COACH):
            return denied
        leader = self.resolve(key, who)
        if isinstance(leader, Denied):
            return say(leader.reason)
        if leader == actor:
            return say("You cannot coach yourself. For example: `coach add Alex Smith`")
        link = self.store.link(actor, leader)
        name = self.store.name_of(leader)
        if link is not None and link.status == "accepted":
            return say(f"{name} is already one of your leaders.")
        if link is not None and link.status == "pending":
            return say(f"You asked {name} already; they have not answered yet.")
        link = await self.store.new_link(actor, leader, at)
        log(logger, "coach.asked", coach=key.hashed, leader=UserKey.parse(leader).hashed)
        question = ServiceQuestion(
            f"**{self.store.name_of(actor)}** would like to be your coach in peercoach. A coach "
            "can set nudge schedules for you and sees counts such as nudges answered, never "
            "your words unless you share one. Accept?",
            ACCEPT,
            f"svc:link:{link.id}",
            at,
            topic="coach#link",
        )
        return ServiceReply(
            (Say(f"I've asked {name}. I'll tell you when they answer."),),
            notices=(Notice(UserKey.parse(leader), question),),
        )

    def _leaders(self, key: UserKey) -> ServiceReply:
        if denied := self._check(str(key), Action.LIST_LEADERS):
            return denied
        links = self.store.links_of_coach(str(key), "accepted", "pending")
        if not links:
            return say("You have no leaders yet. For example: `coach add Alex Smith`")
        lines = ["**Your leaders**"] + [
            f"• {self.store.name_of(k.leader)}"
            + ("" if k.status == "accepted" else " (not answered yet)")
            for k in links
        ]
        return say("\n".join(lines))

    async def _plan(self, key: UserKey, rest: list[str], at: datetime) -> ServiceReply:
        if denied := self._check(str(key), Action.PLAN):
            return denied
        if not rest:
            return say(
                "Say whose schedule and when. For example: "
                "`coach schedule Alex weekdays 08:30 resilience` (or `all` for every "
                "leader you coach)"
            )
        planned = await self.plan_for(key, rest[0], rest[1:], at)
        if isinstance(planned, Denied):
            return say(planned.reason)
        return await self.preview_question(key, planned, at)

    async def _schedules_of(self, key: UserKey, rest: list[str], at: datetime) -> ServiceReply:
        if len(rest) != 1:
            return say("Say whose schedules. For example: `coach schedules Alex`")
        leader = self.resolve(key, rest[0], among=self._linked(str(key)))
        if isinstance(leader, Denied):
            return say(leader.reason)
        if denied := self._check(str(key), Action.SEE_SCHEDULES, leader):
            return denied
        state = await self.users.load(UserKey.parse(leader))
        name = self.store.name_of(leader)
        listing = self.schedule_service.listing(
            leader, at, (state or UserState()).profile, remove=f"coach unschedule {name} {{id}}"
        )
        return say(f"**{name}**\n" + listing.split("\n", 1)[-1])

    async def _unschedule(self, key: UserKey, rest: list[str], at: datetime) -> ServiceReply:
        if len(rest) != 2:  # noqa: PLR2004 - leader and id
            return say(
                "Say whose schedule and its id. For example: `coach unschedule Alex k3f9qa`"
            )
        leader = self.resolve(key, rest[0], among=self._linked(str(key)))
        if isinstance(leader, Denied):
            return say(leader.reason)
        return await self.unschedule(key, leader, rest[1], at, named=rest[0])

    async def unschedule(
        self, key: UserKey, leader: str, schedule_id: str, at: datetime, *, named: str = ""
    ) -> ServiceReply:
        """Remove one of a leader's schedules for their coach; the leader is told."""
        if denied := self._check(str(key), Action.SCHEDULE, leader):
            return denied
        schedule = self.schedules.schedule(schedule_id.lower())
        if schedule is None or schedule.user != leader:
            return say(
                f"{self.store.name_of(leader)} has no schedule {schedule_id!r}; "
                f"`coach schedules {named or self.store.name_of(leader)}` lists them."
            )
        await self.schedules.remove_schedules(schedule.id)
        notice = ServiceNotice(
            f"Your coach {self.store.name_of(str(key))} removed your "
            f"schedule {schedule.describe(self.schedule_service.titles)}.",
            at,
        )
        return ServiceReply(
            (Say(f"Removed {schedule.id}; {self.store.name_of(leader)} has been told."),),
            notices=(Notice(UserKey.parse(leader), notice),),
        )

    async def report(self, key: UserKey, state: UserState, at: datetime) -> ServiceReply:
        if denied := self._check(str(key), Action.SEE_REPORT):
            return denied
        rows = []
        for link in self.store.links_of_coach(str(key), "accepted"):
            leader_state = await self.users.load(UserKey.parse(link.leader))
            rows.append(figures_of(self.store.name_of(link.leader), leader_state, at))
        log(logger, "coach.report", coach=key.hashed, leaders=len(rows))
        return say(render(rows, state.profile.timezone))

    def is_coach(self, key: UserKey) -> bool:
        return self.store.is_coach(str(key))

    # ---------------------------------------------------------------- a leader's own coaches

    async def _coaches(self, key: UserKey, args: list[str], at: datetime) -> ServiceReply:
        links = self.store.links_of_leader(str(key), "accepted")
        if args and args[0].lower() == "ask":
            zone_name = await self._zone_of(str(key))
            return await ask_to_talk(self.store, key, links, args[1:], at=at, timezone=zone_name)
        if args and args[0].lower() == "remove":
            return await self._remove_coach(key, links, " ".join(args[1:]), at)
        if not links:
            return say("You have no coach in peercoach.")
        opened = (
            await self.dashboard.last_opened([k.coach for k in links]) if self.dashboard else {}
        )
        zone_name = await self._zone_of(str(key))
        lines = ["**Your coaches**"] + [
            f"{n}. {self.store.name_of(k.coach)} (since {short_date(k.updated_at.date())}"
            + (f"; {opened_text(opened.get(k.coach), zone_name)})" if self.dashboard else ")")
            for n, k in enumerate(links, 1)
        ]
        lines.append(
            "They see counts such as nudges answered, never your words unless you "
            "share one. `coaches remove 1` removes a coach."
        )
        return say("\n".join(lines))

    async def _remove_coach(
        self, key: UserKey, links: list[Link], which: str, at: datetime
    ) -> ServiceReply:
        chosen = None
        if which.isdigit() and 1 <= int(which) <= len(links):
            chosen = links[int(which) - 1]
        else:
            wanted = which.lower().strip()
            named = [k for k in links if self.store.name_of(k.coach).lower() == wanted]
            chosen = named[0] if len(named) == 1 else None
        if chosen is None:
            return say("Say which coach, by number or name. For example: `coaches remove 1`")
        await self.store.set_status(chosen, "removed", at)
        notice = ServiceNotice(
            f"{self.store.name_of(str(key))} is no longer one of your leaders.", at
        )
        return ServiceReply(
            (Say(f"{self.store.name_of(chosen.coach)} is no longer your coach."),),
            notices=(Notice(UserKey.parse(chosen.coach), notice),),
        )

    # ---------------------------------------------------------------- administrators

    async def _admin(self, key: UserKey, args: list[str], at: datetime) -> ServiceReply:
        verb, rest = (args[0].lower(), args[1:]) if args else ("", [])
        action = {
            "coach": Action.GRANT_COACH,
            "uncoach": Action.REVOKE_COACH,
            "coaches": Action.LIST_COACHES,
        }.get(verb)
        if action is None:
            return say(
                "Administrator commands: `admin coach <name>`, `admin uncoach <name>`, "
                "`admin coaches`."
            )
        if denied := self._check(str(key), action):
            return denied
        if action is Action.LIST_COACHES:
            names = [self.store.name_of(g.user) for g in self.store.coaches()]
            return say("**Coaches**: " + (", ".join(names) or "none yet"))
        user = self.resolve(key, " ".join(rest))
        if isinstance(user, Denied):
            return say(user.reason)
        name = self.store.name_of(user)
        if action is Action.REVOKE_COACH:
            if not self.store.is_coach(user):
                return say(f"{name} is not a coach. `admin coaches` lists them.")
            notices = await self.roles.revoke(user, at)
            said = f"{name} is no longer a coach" + _told(len(notices) - 1)
            return ServiceReply((Say(said),), notices=notices)
        await self.store.grant(user, str(key), at)
        log(logger, "admin.granted", admin=key.hashed, coach=UserKey.parse(user).hashed)
        notice = ServiceNotice("You can now coach in peercoach. Type `coach` to see how.", at)
        return ServiceReply(
            (Say(f"{name} is now a coach."),), notices=(Notice(UserKey.parse(user), notice),)
        )


def _told(leaders: int) -> str:
    if leaders == 0:
        return "."
    return f"; {leaders} leader{'s have' if leaders != 1 else ' has'} been told."
