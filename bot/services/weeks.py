"""A leader's working week, read from their nudge schedules, for the engine's check-ins.

The engine plans a commitment's "how did it go?" on a working day at the leader's nudge
time, but it sees only the leader's stored state, not their schedules: the conversation
service asks this for the week before each turn and passes it in (`WorkingWeek`)."""

from collections.abc import Iterable
from datetime import datetime

from bot.domain import UserKey
from bot.schedules.model import NudgeSchedule
from bot.schedules.store import ScheduleStore
from dialogs.model import DEFAULT_WEEK, WorkingWeek
from dialogs.timetext import local_date


def working_week(schedules: Iterable[NudgeSchedule], at: datetime) -> WorkingWeek:
    """The union of the days of the leader's active schedules at their earliest time; none
    active (all paused or ended): Monday to Friday and no time of their own."""
    active = [s for s in schedules if _active(s, at)]
    if not active:
        return DEFAULT_WEEK
    days = frozenset(day for s in active for day in s.days)
    earliest = min(s.at for s in active)
    return WorkingWeek(days or DEFAULT_WEEK.days, f"{earliest:%H:%M}")


def _active(schedule: NudgeSchedule, at: datetime) -> bool:
    if schedule.paused or not schedule.days:
        return False
    return schedule.end_on is None or schedule.end_on >= local_date(at, schedule.timezone)


class ScheduleWeeks:
    """Working weeks from the schedule store (its reads come from memory)."""

    def __init__(self, store: ScheduleStore) -> None:
        self.store = store

    async def week_of(self, key: UserKey, at: datetime) -> WorkingWeek:
        return working_week(self.store.schedules_of(str(key)), at)
