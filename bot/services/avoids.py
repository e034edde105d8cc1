"""`avoid`: a leader's private list of people never to be matched with in a peer circle.

The list lives on the leader's own Profile (user keys), so `export` and `forget me` cover
it; the service is needed only to find people by name, as `coach add` does. Nobody is told,
not the person avoided and not a coach: the only message goes to the leader who asked."""

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.coaching.store import CoachingStore
from bot.domain import ServiceReply, UserKey
from bot.logs import log
from bot.ports import UserStore
from dialogs.commands import AvoidCommand
from dialogs.content_model import Content
from dialogs.model import Say, UserState

logger = logging.getLogger("peercoach.avoid")
MAX_AVOIDED = 50
SLACK_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
REMOVING = ("remove", "delete", "rm", "off", "unavoid")


class AvoidService:
    def __init__(self, directory: CoachingStore, users: UserStore, content: Content) -> None:
        self.directory = directory  # who is called what (the names `coach add` finds)
        self.users = users
        self.content = content

    async def answer(
        self, key: UserKey, state: UserState, command: AvoidCommand, at: datetime
    ) -> ServiceReply:
        del at
        copy = self.content.profile
        avoided = state.profile.avoid
        args = list(command.args)
        if not args or [a.lower() for a in args] == ["list"]:
            return _say(self._listing(avoided))
        if args[0].lower() in REMOVING:
            who = " ".join(args[1:]).strip()
            if not who:
                return _say(copy.get("avoid_who"))
            return await self._remove(key, state, who)
        who = " ".join(args).strip()
        found = await self._find(key, who)
        if isinstance(found, Say):
            return ServiceReply((found,))
        name = self.directory.name_of(found)
        if found == str(key):
            return _say(copy.get("avoid_self"))
        if found in avoided:
            return _say(copy.get("avoid_already", name=name))
        if len(avoided) >= MAX_AVOIDED:
            return _say(copy.get("avoid_full", limit=MAX_AVOIDED))
        log(logger, "avoid.added", user=key.hashed, count=len(avoided) + 1)
        return ServiceReply(
            (Say(copy.get("avoid_added", name=name)),),
            profile=replace(state.profile, avoid=(*avoided, found)),
        )

    def names(self, avoided: Sequence[str]) -> list[str]:
        return [self.directory.name_of(u) for u in avoided]

    async def export_of(self, user: str) -> dict[str, Any]:
        """`export`: the avoid list by name (the Profile holds it as user keys)."""
        state = await self.users.load(UserKey.parse(user))
        return {"avoiding": self.names(state.profile.avoid) if state else []}

    def _listing(self, avoided: Sequence[str]) -> str:
        copy = self.content.profile
        if not avoided:
            return copy.get("avoid_none")
        return copy.get("avoid_list", names=", ".join(f"**{n}**" for n in self.names(avoided)))

    async def _remove(self, key: UserKey, state: UserState, who: str) -> ServiceReply:
        copy = self.content.profile
        avoided = state.profile.avoid
        wanted = _plain(who)
        on_list = [u for u in avoided if _plain(self.directory.name_of(u)) == wanted] or [
            u for u in avoided if _plain(self.directory.name_of(u)).split()[:1] == [wanted]
        ]
        if not on_list:
            found = await self._find(key, who)
            on_list = [found] if isinstance(found, str) and found in avoided else []
        if len(on_list) != 1:
            return _say(copy.get("avoid_not_on", name=who))
        gone = on_list[0]
        log(logger, "avoid.removed", user=key.hashed, count=len(avoided) - 1)
        return ServiceReply(
            (Say(copy.get("avoid_removed", name=self.directory.name_of(gone))),),
            profile=replace(state.profile, avoid=tuple(u for u in avoided if u != gone)),
        )

    async def _find(self, actor: UserKey, who: str) -> str | Say:
        """A leader named as `coach add` names them: a Slack mention, a full user key, or a
        name known in the actor's own workspace (unique); in the console, a leader who has
        used it."""
        copy = self.content.profile
        if mention := SLACK_MENTION.match(who):
            return str(UserKey("slack", actor.tenant, mention.group(1)))
        if ":" in who:
            try:
                return str(UserKey.parse(who))
            except ValueError:
                return Say(copy.get("avoid_unknown", name=who))
        if actor.channel == "console":
            key = UserKey.console(who)
            known = key == actor or await self.users.load(key) is not None
            return str(key) if known else Say(copy.get("avoid_unknown", name=who))
        found = self.directory.people_named(who.replace("_", " "), actor.channel, actor.tenant)
        if len(found) == 1:
            return found[0]
        if not found:
            return Say(copy.get("avoid_unknown", name=who))
        return Say(copy.get("avoid_several", name=who))


def _say(text: str) -> ServiceReply:
    return ServiceReply((Say(text),))


def _plain(name: str) -> str:
    return " ".join(name.lower().lstrip("@").split())
