"""A coach's proposed schedules for their leaders: built from a command or a form, previewed,
and saved only when the coach confirms."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

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


class Plans:
    """Unsaved plans, briefly, in memory: a plan not confirmed within the hour is dropped."""

    def __init__(self) -> None:
        self._plans: dict[str, Plan] = {}

    def add(self, coach: str, schedules: tuple[NudgeSchedule, ...], at: datetime) -> Plan:
        self._expire(at)
        plan = Plan(secrets.token_hex(5), coach, schedules, at)
        self._plans[plan.id] = plan
        return plan

    def take(self, plan_id: str, coach: str, at: datetime) -> Plan | None:
        self._expire(at)
        plan = self._plans.get(plan_id)
        if plan is None or plan.coach != coach:
            return None
        return self._plans.pop(plan_id)

    def drop(self, coach: str) -> None:
        """The coach's role ended: nothing they planned can be saved any more."""
        for plan_id in [p.id for p in self._plans.values() if p.coach == coach]:
            del self._plans[plan_id]

    def _expire(self, at: datetime) -> None:
        for plan_id in [p.id for p in self._plans.values() if at - p.at > PLAN_LIFETIME]:
            del self._plans[plan_id]


def preview(schedules: tuple[NudgeSchedule, ...], names: dict[str, str], after: datetime) -> str:
    """What each leader would receive over the next two weeks, in their own local time."""
    lines = []
    for schedule in schedules:
        dues = list(occurrences(schedule.rule, after, after + timedelta(days=PREVIEW_DAYS)))
        local = [d.astimezone(zone(schedule.timezone)) for d in dues]
        shown = ", ".join(f"{short_date(d.date())} {d:%H:%M}" for d in local[:PREVIEW_LINES])
        more = f" and {len(local) - PREVIEW_LINES} more" if len(local) > PREVIEW_LINES else ""
        lines.append(
            f"• **{names.get(schedule.user, schedule.user)}**: {schedule.describe()}"
            f" — next: {shown or 'none in two weeks'}{more}"
        )
    return "\n".join(lines)
