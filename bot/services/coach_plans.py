"""A coach's proposed schedules for their leaders: built from a command or a form, previewed,
and saved only when the coach confirms.

An unsaved plan is kept beside the coach's own state (a UserStore extra), not in this
process's memory: with several instances behind a load balancer, the coach's "Save" may
reach another instance than the preview did.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from bot.domain import UserKey
from bot.ports import UserStore
from bot.schedules.model import NudgeSchedule
from dialogs.recurrence import occurrences
from dialogs.timetext import short_date
from dialogs.timezones import zone

PLAN_LIFETIME = timedelta(hours=1)
PREVIEW_DAYS = 14
PREVIEW_LINES = 6


@dataclass(frozen=True)
class Plan:
    id: str
    coach: str
    schedules: tuple[NudgeSchedule, ...]
    at: datetime


EXTRA = "coach_plans"
_PLANS = TypeAdapter(dict[str, Plan])


class Plans:
    """Unsaved plans, briefly, beside each coach's state: a plan not confirmed within the
    hour is dropped. Plans of one coach are theirs only: another coach's key finds none."""

    def __init__(self, users: UserStore) -> None:
        self.users = users

    async def add(self, coach: str, schedules: tuple[NudgeSchedule, ...], at: datetime) -> Plan:
        held = await self._held(coach, at)
        plan = Plan(secrets.token_hex(5), coach, schedules, at)
        held[plan.id] = plan
        await self._keep(coach, held)
        return plan

    async def take(self, plan_id: str, coach: str, at: datetime) -> Plan | None:
        held = await self._held(coach, at)
        plan = held.pop(plan_id, None)
        if plan is None or plan.coach != coach:
            return None
        await self._keep(coach, held)
        return plan

    async def drop(self, coach: str) -> None:
        """The coach's role ended: nothing they planned can be saved any more."""
        if await self.users.load_extra(UserKey.parse(coach), EXTRA):
            await self._keep(coach, {})

    async def _held(self, coach: str, at: datetime) -> dict[str, Plan]:
        stored = await self.users.load_extra(UserKey.parse(coach), EXTRA)
        plans = _PLANS.validate_python(stored.get("plans", {})) if stored else {}
        return {i: p for i, p in plans.items() if at - p.at <= PLAN_LIFETIME}

    async def _keep(self, coach: str, plans: dict[str, Plan]) -> None:
        value: dict[str, Any] = {"plans": _PLANS.dump_python(plans, mode="json")}
        await self.users.save_extra(UserKey.parse(coach), EXTRA, value)


def preview(
    schedules: tuple[NudgeSchedule, ...],
    names: dict[str, str],
    after: datetime,
    titles: Mapping[str, str],
) -> str:
    """What each leader would receive over the next two weeks, in their own local time."""
    lines = []
    for schedule in schedules:
        dues = list(occurrences(schedule.rule, after, after + timedelta(days=PREVIEW_DAYS)))
        local = [d.astimezone(zone(schedule.timezone)) for d in dues]
        shown = ", ".join(f"{short_date(d.date())} {d:%H:%M}" for d in local[:PREVIEW_LINES])
        more = f" and {len(local) - PREVIEW_LINES} more" if len(local) > PREVIEW_LINES else ""
        lines.append(
            f"• **{names.get(schedule.user, schedule.user)}**: {schedule.describe(titles)}"
            f" — next: {shown or 'none in two weeks'}{more}"
        )
    return "\n".join(lines)
