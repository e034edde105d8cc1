"""The leader page's schedule form: the same rules and messages as `coach schedule` and
`coach unschedule` (CoachingService does both), and the leader is told in chat as today."""

from datetime import datetime
from typing import Any

from bot.coaching.model import Link
from bot.dashboard.pages import Dashboard
from bot.domain import UserKey
from bot.services.coach_planning import PlanForm


async def add_schedule(
    d: Dashboard, coach: str, link: Link, form: Any, at: datetime
) -> dict[str, str]:
    """Saves the schedule and tells the leader; else one message per field that is wrong."""
    key = UserKey.parse(coach)
    themes = tuple(str(t) for t in form.getall("theme", []))
    wanted = PlanForm(link.leader, str(form.get("days", "")), str(form.get("time", "")), themes)
    planned = await d.coaching.form_plan(key, wanted, at)
    if isinstance(planned, dict):
        return planned
    reply = await d.coaching.save_plan(key, planned, at)
    if not reply.notices:  # refused at the last moment (the limit, or no longer theirs)
        return {"leader": " ".join(getattr(m, "text", "") for m in reply.messages)}
    await d.conversations.send_notices(reply.notices)
    return {}


async def remove_schedule(
    d: Dashboard, coach: str, link: Link, schedule_id: str, at: datetime
) -> str | None:
    """Removes it and tells the leader; else why not."""
    reply = await d.coaching.unschedule(UserKey.parse(coach), link.leader, schedule_id, at)
    if not reply.notices:
        return " ".join(getattr(m, "text", "") for m in reply.messages)
    await d.conversations.send_notices(reply.notices)
    return None
