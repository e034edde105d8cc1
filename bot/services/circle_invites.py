"""`circle invite`: who is asked (named leaders, or every leader who accepted the coach),
and the invitation each gets, with Join / No thanks. Asking is not enrolling: a leader is a
member only once they say yes (bot.services.circle_members)."""

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.circles.model import Circle, Membership
from bot.coaching.access import Denied
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.services import circle_views as views
from bot.services.circle_members import INVITE
from dialogs.model import Choice, Say, ServiceQuestion

if TYPE_CHECKING:
    from bot.services.circles import CircleService

logger = logging.getLogger("peercoach.circles")


async def invite(  # noqa: PLR0917 - one command's parts
    service: "CircleService",
    key: UserKey,
    circle: Circle,
    words: list[str],
    at: datetime,
    today: date,
) -> ServiceReply:
    if circle.status == "ended":
        return service.say("is_ended", name=circle.name)
    leaders = _invitees(service, key, words)
    if isinstance(leaders, Denied):
        return ServiceReply((Say(leaders.reason),))
    asked, already_in, waiting = [], [], []
    for leader in dict.fromkeys(leaders):
        member = service.store.membership(circle.id, leader)
        if member is not None and member.status == "joined":
            already_in.append(leader)
        elif member is not None and member.status == "invited":
            waiting.append(leader)
        else:  # new, or asked again after a "no thanks" or leaving
            await service.store.put_membership(Membership(circle.id, leader, "invited", at))
            asked.append(leader)
    log(logger, "circle.invited", coach=key.hashed, circle=circle.id, leaders=len(asked))
    lines = [
        service.copy.get(k, names=service.names(found))
        for k, found in (
            ("invited", asked),
            ("invite_already_in", already_in),
            ("invite_waiting", waiting),
        )
        if found
    ]
    question = invitation(service, circle, at, today)
    notices = tuple(Notice(UserKey.parse(leader), question) for leader in asked)
    return ServiceReply((Say("\n".join(lines)),), notices=notices)


def _invitees(service: "CircleService", key: UserKey, words: list[str]) -> list[str] | Denied:
    if not words:
        return Denied(service.with_example("invite_usage", "example_invite"))
    if [w.lower() for w in words] == ["all"]:
        leaders = [k.leader for k in service.coaching.store.links_of_coach(str(key), "accepted")]
        return leaders or Denied(service.copy.get("invite_no_leaders"))
    joined = " ".join(words)
    names = [n.strip() for n in joined.split(",")] if "," in joined else words
    found = []
    for name in filter(None, names):
        leader = service.coaching.resolve(key, name)
        if isinstance(leader, Denied):
            return Denied(service.copy.get("invite_not_found", reason=leader.reason))
        if leader == str(key):
            return Denied(service.copy.get("invite_self"))
        found.append(leader)
    return found


def invitation(
    service: "CircleService", circle: Circle, at: datetime, today: date
) -> ServiceQuestion:
    text = service.copy.get(
        "invitation",
        coach=service.name_of(circle.coach),
        name=circle.name,
        format=views.format_of(service.copy, circle),
        cadence=views.cadence(service.copy, circle),
        first=views.when(service.copy, service.next_round_on(circle, at), today),
    )
    choices = (
        Choice("join", service.copy.get("join_label")),
        Choice("decline", service.copy.get("decline_label")),
    )
    return ServiceQuestion(text, choices, INVITE + circle.id, at, topic="circle#invite")
