"""An APScheduler trigger that fires by our own local-time rules (see recurrence.py)."""

from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

from dialogs.recurrence import Rule, next_occurrence

_JUST_BEFORE = timedelta(microseconds=1)


class LocalTimeTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped
    """Fires on the schedule's days at its local time, DST-correct, once per local date;
    `offset` seconds after the minute (see NudgeScheduler: many schedules share a minute)."""

    def __init__(self, rule: Rule, offset: timedelta = timedelta(0)) -> None:
        self.rule = rule
        self.offset = offset

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = (previous_fire_time or now - _JUST_BEFORE) - self.offset
        occurrence = next_occurrence(self.rule, after)
        return occurrence + self.offset if occurrence is not None else None

    def __str__(self) -> str:
        rule = self.rule
        return f"local[{sorted(rule.days)} {rule.at:%H:%M} {rule.timezone} +{self.offset}]"
