"""Coaches: linking to leaders (who may decline), setting their schedules, seeing engagement
counts. Every action is checked against the actor's role and their link to that leader."""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.clock import Clock
from bot.coaching.access import Action, Denied, check
from bot.coaching.model import Link
from bot.coaching.store import CoachingStore
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.ports import UserStore
from bot.schedules.model import NudgeSchedule
from bot.schedules.store import ScheduleStore
from bot.services.coach_dashboard import DashboardLinks, dashboard_reply, opened_text
from bot.services.coach_plans import Plans, preview
from bot.services.coach_reports import figures_of, render
from bot.services.coach_roles import CoachRoles
from bot.services.coach_talk import ask_to_talk
from bot.services.reminders import MAX_SCHEDULES, schedules_full
from bot.services.schedules import ScheduleService
from dialogs.commands import AdminCommand, CoachCommand
from dialogs.model import (
    Choice,
    Effect,
    ReflectionShared,
    Say,
    ServiceAnswered,
    ServiceNotice,
    ServiceQuestion,
    UserState,
)
from dialogs.recurrence import RuleError, next_occurrence, parse_days, parse_hhmm
from dialogs.runner import shorten
from dialogs.timetext import short_date
from dialogs.timezones import zone

logger = logging.getLogger("peercoach.coaching")
SLACK_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
COACH_HELP = """**Coaching commands**
• `coach add <name>` – ask a leader to accept you as their coach
• `coach leaders` – the leaders you coach, and who has not answered yet
• `coach schedule <leader|all> weekdays 08:30 resilience` – set nudges (their local time)
• `coach schedules <leader>` and `coach unschedule <leader> <id>`
• `coach report` – engagement counts; never what anyone wrote unless they shared it
• `coach dashboard` – a link to the same counts as charts, in your browser"""
ACCEPT = (Choice("accept", "Accept"), Choice("decline", "Decline"))


@dataclass(frozen=True)
class PlanForm:
    """What a coach filled in on the Slack modal or the Teams card."""

    leader: str  # a user key, or "all"
    days: str
    time: str
    themes: tuple[str, ...] = ()


CONFIRM = (Choice("save", "Save"), Choice("cancel", "Cancel"))
KEEP = (Choice("keep", "Keep it"), Choice("pause", "Pause it"))


class CoachingService:
    def __init__(
        self,
        store: CoachingStore,
        *,
        schedules: ScheduleStore,
        schedule_service: ScheduleService,
        users: UserStore,
        admins: frozenset[str],
        clock: Clock,
    ) -> None:
        self.store = store
        self.schedules = schedules
        self.schedule_service = schedule_service
        self.users = users
        self.admins = admins
        self.clock = clock
        self.plans = Plans(users)
        self.roles = CoachRoles(store, schedules, self.plans)
        self.dashboard: DashboardLinks | None = None  # serve sets it: bot.dashboard.access

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
        return _say(COACH_HELP)  # pragma: no cover - the match is exhaustive

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
        return _say(COACH_HELP)

    async def _add(self, key: UserKey, who: str, at: datetime) -> ServiceReply:
        actor = str(key)
        if denied := self._check(actor, Action.ASK_TO_COACH):
            return denied
        leader = self.resolve(key, who)
        if isinstance(leader, Denied):
            return _say(leader.reason)
        if leader == actor:
            return _say("You cannot coach yourself. For example: `coach add Alex Smith`")
        link = self.store.link(actor, leader)
        name = self.store.name_of(leader)
        if link is not None and link.status == "accepted":
            return _say(f"{name} is already one of your leaders.")
        if link is not None and link.status == "pending":
            return _say(f"You asked {name} already; they have not answered yet.")
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
            return _say("You have no leaders yet. For example: `coach add Alex Smith`")
        lines = ["**Your leaders**"] + [
            f"• {self.store.name_of(k.leader)}"
            + ("" if k.status == "accepted" else " (not answered yet)")
            for k in links
        ]
        return _say("\n".join(lines))

    async def _plan(self, key: UserKey, rest: list[str], at: datetime) -> ServiceReply:
        if denied := self._check(str(key), Action.PLAN):
            return denied
        if not rest:
            return _say(
                "Say whose schedule and when. For example: "
                "`coach schedule Alex weekdays 08:30 resilience` (or `all` for every "
                "leader you coach)"
            )
        planned = await self.plan_for(key, rest[0], rest[1:], at)
        if isinstance(planned, Denied):
            return _say(planned.reason)
        return await self.preview_question(key, planned, at)

    async def plan_for(
        self, key: UserKey, target: str, spec: Sequence[str], at: datetime
    ) -> tuple[NudgeSchedule, ...] | Denied:
        """Schedules for one leader or all of a coach's leaders, checked and built, not saved."""
        actor = str(key)
        if target.lower() == "all":
            leaders = [k.leader for k in self.store.links_of_coach(actor, "accepted")]
            if not leaders:
                return Denied("You have no leaders who have accepted you yet.")
        else:
            leader = self.resolve(key, target, among=self._linked(actor))
            if isinstance(leader, Denied):
                return leader
            leaders = [leader]
        built = []
        for leader in leaders:
            if denied := check(self.store, self.admins, actor, Action.SCHEDULE, leader):
                self._log_denied(key, Action.SCHEDULE)
                return denied
            if full := self._full(leader):
                return full
            try:
                built.append(
                    self.schedule_service.build(
                        UserKey.parse(leader),
                        list(spec),
                        timezone=await self._zone_of(leader),
                        created_by=actor,
                        origin="coach",
                        at=at,
                    )
                )
            except RuleError as error:
                return Denied(str(error).replace("`schedule ", "`coach schedule Alex "))
        return tuple(built)

    async def preview_question(
        self, key: UserKey, schedules: tuple[NudgeSchedule, ...], at: datetime
    ) -> ServiceReply:
        plan = await self.plans.add(str(key), schedules, at)
        names = {s.user: self.store.name_of(s.user) for s in schedules}
        text = (
            "**Before saving**, this is what would go out:\n"
            f"{preview(schedules, names, at)}\nSave it?"
        )
        return ServiceReply(
            question=ServiceQuestion(text, CONFIRM, f"svc:plan:{plan.id}", at, topic="coach#plan")
        )

    async def save_plan(
        self, key: UserKey, schedules: tuple[NudgeSchedule, ...], at: datetime
    ) -> ServiceReply:
        for leader in dict.fromkeys(s.user for s in schedules):  # still theirs, with room?
            refused = check(self.store, self.admins, str(key), Action.SCHEDULE, leader)
            refused = refused or self._full(leader, sum(s.user == leader for s in schedules))
            if refused:
                return _say(f"Nothing was saved. {refused.reason}")
        await self.schedules.put_schedules(*schedules)
        log(logger, "coach.scheduled", coach=key.hashed, schedules=len(schedules))
        coach = self.store.name_of(str(key))
        notices = tuple(
            Notice(
                UserKey.parse(s.user),
                ServiceQuestion(
                    f"Your coach {coach} set up nudges for you: {s.describe()}. First one: "
                    f"{_first(s, at)}. Keep it, or pause it?",
                    KEEP,
                    f"svc:keep:{s.id}",
                    at,
                    topic="coach#schedule",
                ),
            )
            for s in schedules
        )
        plural = "s" if len(schedules) != 1 else ""
        return ServiceReply(
            (
                Say(
                    f"Saved {len(schedules)} schedule{plural}. Each leader has "
                    "been told and can pause it."
                ),
            ),
            notices=notices,
        )

    async def _schedules_of(self, key: UserKey, rest: list[str], at: datetime) -> ServiceReply:
        if len(rest) != 1:
            return _say("Say whose schedules. For example: `coach schedules Alex`")
        leader = self.resolve(key, rest[0], among=self._linked(str(key)))
        if isinstance(leader, Denied):
            return _say(leader.reason)
        if denied := self._check(str(key), Action.SEE_SCHEDULES, leader):
            return denied
        state = await self.users.load(UserKey.parse(leader))
        listing = self.schedule_service.listing(leader, at, (state or UserState()).profile)
        return _say(f"**{self.store.name_of(leader)}**\n" + listing.split("\n", 1)[-1])

    async def _unschedule(self, key: UserKey, rest: list[str], at: datetime) -> ServiceReply:
        if len(rest) != 2:  # noqa: PLR2004 - leader and id
            return _say(
                "Say whose schedule and its id. For example: `coach unschedule Alex k3f9qa`"
            )
        leader = self.resolve(key, rest[0], among=self._linked(str(key)))
        if isinstance(leader, Denied):
            return _say(leader.reason)
        return await self.unschedule(key, leader, rest[1], at, named=rest[0])

    async def unschedule(
        self, key: UserKey, leader: str, schedule_id: str, at: datetime, *, named: str = ""
    ) -> ServiceReply:
        """Remove one of a leader's schedules for their coach; the leader is told."""
        if denied := self._check(str(key), Action.SCHEDULE, leader):
            return denied
        schedule = self.schedules.schedule(schedule_id.lower())
        if schedule is None or schedule.user != leader:
            return _say(
                f"{self.store.name_of(leader)} has no schedule {schedule_id!r}; "
                f"`coach schedules {named or self.store.name_of(leader)}` lists them."
            )
        await self.schedules.remove_schedules(schedule.id)
        notice = ServiceNotice(
            f"Your coach {self.store.name_of(str(key))} removed your "
            f"schedule {schedule.describe()}.",
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
        return _say(render(rows, state.profile.timezone))

    # ---------------------------------------------------------------- forms (Slack, Teams)

    def form_leaders(self, key: UserKey) -> list[tuple[str, str]]:
        """(value, label) of the leaders a coach may schedule for, plus "all" first."""
        links = self.store.links_of_coach(str(key), "accepted")
        return [("all", "All my leaders")] + [
            (k.leader, self.store.name_of(k.leader)) for k in links
        ]

    async def form_plan(
        self, key: UserKey, form: PlanForm, at: datetime
    ) -> tuple[NudgeSchedule, ...] | dict[str, str]:
        """The schedules a form describes, or one message per field that is wrong."""
        errors: dict[str, str] = {}
        if not form.leader:
            errors["leader"] = "Choose a leader, or all of them."
        for name, parse in (("days", parse_days), ("time", parse_hhmm)):
            try:
                parse(getattr(form, name))
            except RuleError as error:
                errors[name] = error.reason
        if errors:
            return errors
        planned = await self.plan_for(key, form.leader, [form.days, form.time, *form.themes], at)
        if isinstance(planned, Denied):
            return {"leader": planned.reason}
        return planned

    async def hold_plan(
        self, key: UserKey, schedules: tuple[NudgeSchedule, ...], at: datetime
    ) -> tuple[str, str]:
        """Keep a plan for the coach to confirm; returns its id and the preview text."""
        plan = await self.plans.add(str(key), schedules, at)
        names = {s.user: self.store.name_of(s.user) for s in schedules}
        return plan.id, preview(schedules, names, at)

    async def save_held(self, key: UserKey, plan_id: str, at: datetime) -> ServiceReply:
        plan = await self.plans.take(plan_id, str(key), at)
        if plan is None:
            return _say("That preview has expired; open the form again.")
        return await self.save_plan(key, plan.schedules, at)

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
            return _say("You have no coach in peercoach.")
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
        return _say("\n".join(lines))

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
            return _say("Say which coach, by number or name. For example: `coaches remove 1`")
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
            return _say(
                "Administrator commands: `admin coach <name>`, `admin uncoach <name>`, "
                "`admin coaches`."
            )
        if denied := self._check(str(key), action):
            return denied
        if action is Action.LIST_COACHES:
            names = [self.store.name_of(g.user) for g in self.store.coaches()]
            return _say("**Coaches**: " + (", ".join(names) or "none yet"))
        user = self.resolve(key, " ".join(rest))
        if isinstance(user, Denied):
            return _say(user.reason)
        name = self.store.name_of(user)
        if action is Action.REVOKE_COACH:
            if not self.store.is_coach(user):
                return _say(f"{name} is not a coach. `admin coaches` lists them.")
            notices = await self.roles.revoke(user, at)
            said = f"{name} is no longer a coach" + _told(len(notices) - 1)
            return ServiceReply((Say(said),), notices=notices)
        await self.store.grant(user, str(key), at)
        log(logger, "admin.granted", admin=key.hashed, coach=UserKey.parse(user).hashed)
        notice = ServiceNotice("You can now coach in peercoach. Type `coach` to see how.", at)
        return ServiceReply(
            (Say(f"{name} is now a coach."),), notices=(Notice(UserKey.parse(user), notice),)
        )

    # ---------------------------------------------------------------- answers and effects

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
                return _say("That preview has expired; send the command again to see a new one.")
            if choice != "save":
                return _say("Nothing was saved.")
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
            return _say("That request has already been answered or withdrawn.")
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
            return _say("That schedule no longer exists.")
        if choice != "pause":
            return _say("Kept. `schedule` lists all your nudges.")
        await self.schedules.put_schedules(
            replace(schedule, paused=True, paused_reason="paused by you")
        )
        return _say(f"Paused. `schedule resume {schedule.id}` starts it again.")

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

    # ---------------------------------------------------------------- helpers

    def resolve(
        self, actor: UserKey, who: str, *, among: Sequence[str] | None = None
    ) -> str | Denied:
        """A user named in a command: a Slack mention, a full user key, a console name, or a
        name known in the actor's own workspace (unique)."""
        who = who.strip()
        if not who:
            return Denied("Say who. For example: `coach add Alex Smith`")
        if mention := SLACK_MENTION.match(who):
            return str(UserKey("slack", actor.tenant, mention.group(1)))
        if ":" in who:
            try:
                return str(UserKey.parse(who))
            except ValueError as error:
                return Denied(str(error))
        if actor.channel == "console":
            return str(UserKey.console(who))
        found = self.store.people_named(who.replace("_", " "), actor.channel, actor.tenant)
        if among is not None:
            found = [u for u in found if u in among] or [
                u for u in among if self.store.name_of(u).lower().split()[:1] == [who.lower()]
            ]
        if len(found) == 1:
            return found[0]
        if not found:
            return Denied(
                f"I don't know anyone called {who!r} here yet; they need to have "
                "said hello to peercoach. A Slack @mention works too."
            )
        return Denied(f"More than one person is called {who!r}; use an @mention instead.")

    def _linked(self, coach: str) -> list[str]:
        return [k.leader for k in self.store.links_of_coach(coach, "accepted", "pending")]

    def _check(self, actor: str, action: Action, leader: str | None = None) -> ServiceReply | None:
        denied = check(self.store, self.admins, actor, action, leader)
        if denied is None:
            return None
        self._log_denied(UserKey.parse(actor), action)
        return _say(denied.reason)

    def _log_denied(self, key: UserKey, action: Action) -> None:
        log(
            logger,
            "access.denied",
            level=logging.WARNING,
            user=key.hashed,
            action=action.name.lower(),
        )

    def _full(self, leader: str, adding: int = 1) -> Denied | None:
        """A leader's schedules, their coaches' included, stay within the limit."""
        if not schedules_full(self.schedules, leader, adding):
            return None
        name = self.store.name_of(leader)
        return Denied(
            f"{name} has {MAX_SCHEDULES} nudge schedules, the most one person can have; "
            f"`coach schedules {name}` lists them. For example: `coach unschedule {name} k3f9qa`"
        )

    async def _zone_of(self, leader: str) -> str:
        state = await self.users.load(UserKey.parse(leader))
        return state.profile.timezone if state else "Europe/London"


def _say(text: str) -> ServiceReply:
    return ServiceReply((Say(text),))


def _told(leaders: int) -> str:
    if leaders == 0:
        return "."
    return f"; {leaders} leader{'s have' if leaders != 1 else ' has'} been told."


def _first(schedule: NudgeSchedule, at: datetime) -> str:
    due = next_occurrence(schedule.rule, at)
    if due is None:
        return "none within a year"
    local = due.astimezone(zone(schedule.timezone))
    return f"{short_date(local.date())} at {local:%H:%M}"
