"""`ask my coach`: a leader asks one of their coaches to get in touch (issue 12 §4).

The coach gets one line naming the leader and none of the leader's words; each coach can be
asked once a day by each leader, so the command cannot be used to flood anyone."""

import logging
from datetime import datetime, timedelta

from bot.coaching.model import Link
from bot.coaching.store import CoachingStore
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from dialogs.model import Say, ServiceNotice
from dialogs.timetext import short_date
from dialogs.timezones import zone

logger = logging.getLogger("peercoach.coaching")
ASK_AGAIN_AFTER = timedelta(days=1)
NO_COACH_TO_ASK = "You don't have a coach in peercoach yet, so there is no one to ask."
WHICH_COACH = (
    "You have {count} coaches; say which by its number in `coaches`. For example: `ask my coach 1`"
)
TOLD = "I've let {coach} know you'd like to talk. They'll be in touch."
TOO_SOON = (
    "You asked {coach} to get in touch less than a day ago; you can ask again from {day} at "
    "{time}."
)
TALK_ASKED = "{leader} would like a chat with you. Could you get in touch with them?"


async def ask_to_talk(
    store: CoachingStore,
    key: UserKey,
    links: list[Link],
    which: list[str],
    *,
    at: datetime,
    timezone: str,
) -> ServiceReply:
    """`links`: the leader's accepted coaches, in `coaches` order; `which`: [] or ["2"]."""
    link = _chosen(links, which)
    if isinstance(link, ServiceReply):
        return link
    coach = store.name_of(link.coach)
    if link.talk_asked_at is not None and at - link.talk_asked_at < ASK_AGAIN_AFTER:
        again = (link.talk_asked_at + ASK_AGAIN_AFTER).astimezone(zone(timezone))
        text = TOO_SOON.format(coach=coach, day=short_date(again.date()), time=f"{again:%H:%M}")
        return ServiceReply((Say(text),))
    await store.mark_talk_asked(link, at)
    log(logger, "coach.ask_to_talk", coach=UserKey.parse(link.coach).hashed, leader=key.hashed)
    notice = ServiceNotice(TALK_ASKED.format(leader=store.name_of(str(key))), at)
    return ServiceReply(
        (Say(TOLD.format(coach=coach)),), notices=(Notice(UserKey.parse(link.coach), notice),)
    )


def _chosen(links: list[Link], which: list[str]) -> Link | ServiceReply:
    if not links:
        return ServiceReply((Say(NO_COACH_TO_ASK),))
    if not which and len(links) == 1:
        return links[0]
    number = int(which[0]) if which else 0
    if not 1 <= number <= len(links):
        return ServiceReply((Say(WHICH_COACH.format(count=len(links))),))
    return links[number - 1]
