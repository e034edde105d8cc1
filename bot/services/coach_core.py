"""What every part of the coaching service shares: its stores, the access check, and
finding the person a command names. Split out so each job of the service reads alone."""

import logging
import re
from collections.abc import Sequence

from bot.clock import Clock
from bot.coaching.access import Action, Denied, check
from bot.coaching.store import CoachingStore
from bot.domain import ServiceReply, UserKey
from bot.logs import log
from bot.ports import UserStore
from bot.schedules.store import ScheduleStore
from bot.services.coach_dashboard import DashboardLinks
from bot.services.coach_plans import Plans
from bot.services.coach_roles import CoachRoles
from bot.services.reminders import MAX_SCHEDULES, schedules_full
from bot.services.schedules import ScheduleService
from dialogs.model import Say

logger = logging.getLogger("peercoach.coaching")
SLACK_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")


class CoachingCore:
    """The stores and checks every coaching job uses."""

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
        return say(denied.reason)

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


def say(text: str) -> ServiceReply:
    return ServiceReply((Say(text),))
