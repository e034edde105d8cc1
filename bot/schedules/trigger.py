"""An APScheduler trigger that fires by our own local-time rules (see recurrence.py)."""

from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

from dialogs.recurrence import Rule, next_occurrence

_JUST_BEFORE = timedelta(microseconds=1)


class LocalTimeTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped
    """Fires on the schedule's days at its local time, DST-correct, once per local date."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = previous_fire_time if previous_fire_time else now - _JUST_BEFORE
        return next_occurrence(self.rule, after)

    def __str__(self) -> str:
        return f"local[{sorted(self.rule.days)} {self.rule.at:%H:%M} {self.rule.timezone}]"
