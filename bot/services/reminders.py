"""A leader's snoozes and commitment follow-ups, within limits a leader cannot run past.

A leader has at most MAX_SCHEDULES nudge schedules (their own and those their coaches set)
and MAX_REMINDERS snoozes and follow-ups waiting. At the limit nothing is dropped silently:
a snooze or a follow-up that does not fit is not stored, and in the same turn the engine's
promise of it ("I'll send it again at 10:00") is replaced by a sentence that says so and how
to free a place; the commitment itself stays in the journal. Nudges held back by quiet hours
are not counted: there is at most one per schedule, so the schedule limit bounds them."""

from collections.abc import Sequence
from datetime import datetime, time

from bot.domain import Retraction, ServiceReply, UserKey
from bot.schedules.keys import follow_up_reminder, snooze_reminder
from bot.schedules.model import Reminder
from bot.schedules.store import ScheduleStore
from dialogs import texts
from dialogs.model import Effect, FollowUpPlanned, Say, SnoozeRequested, UserState
from dialogs.recurrence import parse_hhmm, resolve_local
from dialogs.timetext import local_date, short_date
from dialogs.timezones import zone

MAX_SCHEDULES = 20
MAX_REMINDERS = 50
COUNTED = ("snooze", "follow_up")  # made by the leader; "deferred" is bounded by schedules
FOLLOW_UP_TIME = time(9, 0)
# The engine's promise that a reminder is stored, taken back at the limit.
SNOOZED = texts.SNOOZED.split("{", 1)[0]
FOLLOW_UP_PLANNED = texts.FOLLOW_UP_PLANNED.split("{", 1)[0]


def schedules_full(store: ScheduleStore, user: str, adding: int = 1) -> bool:
    return len(store.schedules_of(user)) + adding > MAX_SCHEDULES


def schedule_limit_reached(store: ScheduleStore, user: str) -> str:
    """The sentence a leader reads at the schedule limit."""
    example = store.schedules_of(user)[0].id if store.schedules_of(user) else "k3f9qa"
    return (
        f"You have {MAX_SCHEDULES} nudge schedules, the most one person can have. Remove one "
        f"first (`schedule` lists them). For example: `schedule remove {example}`"
    )


def waiting(store: ScheduleStore, user: str) -> list[Reminder]:
    """Snoozes and follow-ups waiting, soonest first."""
    found = (r for r in store.reminders_of(user) if r.kind in COUNTED)
    return sorted(found, key=lambda r: (r.due_at, r.id))


class ReminderService:
    """Answers the effects that make a reminder, so that the limit is told at once."""

    def __init__(self, store: ScheduleStore) -> None:
        self.store = store

    async def on_effects(
        self, key: UserKey, state: UserState | None, effects: Sequence[Effect], at: datetime
    ) -> ServiceReply:
        said: list[Retraction] = []
        for effect in effects if state is not None else ():
            match effect:
                case SnoozeRequested(delivery=delivery, until=until):
                    reminder = snooze_reminder(key, delivery, until)
                    if not await self._put(reminder):
                        said.append(Retraction(SNOOZED, Say(f"Not snoozed: {self._full()}")))
                case FollowUpPlanned(due_on=due_on) as planned:
                    assert state is not None
                    today = local_date(at, state.profile.timezone)
                    reminder = self._follow_up(key, state, planned)
                    if not await self._put(reminder):
                        instead = Say(
                            f"Your commitment is saved in your `journal`, but I cannot ask "
                            f"how it went on {short_date(due_on, today)}: {self._full()}"
                        )
                        said.append(Retraction(FOLLOW_UP_PLANNED, instead))
        return ServiceReply(retractions=tuple(said))

    async def _put(self, reminder: Reminder) -> bool:
        """Stored, or False at the limit (the same reminder again always fits)."""
        new = self.store.reminder(reminder.id) is None
        if new and len(waiting(self.store, reminder.user)) >= MAX_REMINDERS:
            return False
        await self.store.put_reminder(reminder)
        return True

    def _full(self) -> str:
        return (
            f"you have {MAX_REMINDERS} snoozes and follow-ups waiting, the most I keep. "
            "`schedule` lists them; remove one, for example: `schedule remove f-1a2b3c4d5e6f`"
        )

    def _follow_up(self, key: UserKey, state: UserState, planned: FollowUpPlanned) -> Reminder:
        """At the time the engine chose (the leader's earliest schedule), else their nudge
        time, else the morning."""
        nudge_time = planned.nudge_time or state.profile.nudge_time
        clock = parse_hhmm(nudge_time) if nudge_time else FOLLOW_UP_TIME
        due_at = resolve_local(planned.due_on, clock, zone(state.profile.timezone))
        return follow_up_reminder(key, planned.commitment, due_at)
