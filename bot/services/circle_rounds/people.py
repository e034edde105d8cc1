"""What a round needs to know of each member, read from their stored profile: name,
organisation, `about` line, themes, avoid list, time zone and nudge time.

Kept in memory between ticks, so a delivery key a crash left pending can be turned back into
its introduction without a read (DeliveryService asks synchronously). The organisation,
about and avoid fields belong to the leader's Profile (issue 14 §1)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.coaching.store import CoachingStore
from bot.domain import UserKey
from bot.ports import Notifier, SignInNames, UserStore
from bot.services.conversation_ports import WeekSource

MORNING = "09:00"  # a member with no nudge time of their own is introduced then
TEAMS_EXTRA = "teams"  # the Teams channel's data kept beside the state (its reference)


@dataclass(frozen=True)
class Person:
    user: str
    name: str
    organisation: str | None  # as shown to peers
    organisation_key: str | None  # normalised, for matching
    about: str | None
    themes: frozenset[str]
    avoids: frozenset[str]
    timezone: str
    nudge_time: str  # "HH:MM" local
    sign_in: str | None = None  # Teams: the sign-in name (UPN), where the roster gave one


class People:
    def __init__(
        self,
        users: UserStore,
        names: CoachingStore,
        weeks: WeekSource,
        notifiers: Mapping[str, Notifier] | None = None,
    ) -> None:
        self.users = users
        self.names = names
        self.weeks = weeks
        self.notifiers = {} if notifiers is None else notifiers  # filled in later: keep it
        self._known: dict[str, Person] = {}

    def get(self, user: str) -> Person | None:
        return self._known.get(user)

    def name_of(self, user: str) -> str:
        person = self._known.get(user)
        return person.name if person else self.names.name_of(user)

    async def load(self, users: Iterable[str], at: datetime) -> dict[str, Person]:
        """Read each member's profile again (they may have changed it since)."""
        found: dict[str, Person] = {}
        for user in sorted(set(users)):
            person = await self._read(user, at)
            if person is not None:
                found[user] = person
        self._known.update(found)
        return found

    def forget(self, user: str) -> None:
        self._known.pop(user, None)

    async def _sign_in(self, key: UserKey) -> str | None:
        """Kept with the Teams conversation if it came that way, else asked of Teams."""
        kept = sign_in_name(await self.users.load_extra(key, TEAMS_EXTRA))
        notifier = self.notifiers.get("teams")
        if kept is None and isinstance(notifier, SignInNames):
            return await notifier.sign_in_name(key)
        return kept

    async def _read(self, user: str, at: datetime) -> Person | None:
        key = UserKey.parse(user)
        state = await self.users.load(key)
        if state is None:  # forgotten, or never wrote: nothing to introduce
            return None
        profile = state.profile
        week = await self.weeks.week_of(key, at)
        sign_in = await self._sign_in(key) if key.channel == "teams" else None
        return Person(
            user=user,
            name=profile.display_name or self.names.name_of(user),
            organisation=profile.organisation or None,
            organisation_key=profile.organisation_key or None,
            about=profile.about or None,
            themes=frozenset(profile.themes),
            avoids=frozenset(profile.avoid),
            timezone=profile.timezone,
            nudge_time=week.nudge_time or profile.nudge_time or MORNING,
            sign_in=sign_in,
        )


def sign_in_name(stored: Mapping[str, Any] | None) -> str | None:
    """The sign-in name (UPN) kept with a Teams leader's conversation reference, if the
    roster gave one; Teams' own message `from` does not carry it."""
    if not stored:
        return None
    conversation = stored.get("conversation") or {}
    reference = conversation.get("conversation_reference") or conversation.get("reference") or {}
    user = reference.get("user") or {}
    for field in ("userPrincipalName", "user_principal_name"):
        value = user.get(field) if isinstance(user, dict) else None
        if isinstance(value, str) and "@" in value:
            return value
    return None
