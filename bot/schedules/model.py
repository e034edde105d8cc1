"""Schedules, leaders' delivery preferences and one-shot reminders, as stored."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from dialogs.recurrence import Rule, format_days
from dialogs.timezones import spoken_zone

Origin = Literal["leader", "coach", "onboarding"]
ReminderKind = Literal["snooze", "follow_up", "deferred"]
INACTIVE = "unreachable"  # paused_reason prefix for schedules paused by a failed delivery


@dataclass(frozen=True)
class NudgeSchedule:
    """One leader's recurring nudge: which themes, which days, what local time."""

    id: str
    user: str  # UserKey as text
    themes: tuple[str, ...]
    days: frozenset[int]
    at: time
    timezone: str
    created_by: str  # the user key of whoever made it (the leader, or their coach)
    created_at: datetime
    origin: Origin = "leader"
    start_on: date | None = None
    end_on: date | None = None
    paused: bool = False
    paused_reason: str | None = None

    @property
    def rule(self) -> Rule:
        return Rule(self.days, self.at, self.timezone, self.start_on, self.end_on)

    def describe(self, titles: Mapping[str, str] | None = None) -> str:
        """'weekdays at 08:30 UK time, on “Resilience and energy”': for people, so the zone
        is in words (review 12g) and themes by their titles, not ids (review 12h: "4szpdt
        weekdays at 07:30 UTC, crossroads"); operators see ids (`peercoach schedules`)."""
        named = [f"“{(titles or {}).get(t, t)}”" for t in self.themes]
        if len(named) > 1:
            named = [", ".join(named[:-1]) + " and " + named[-1]]
        themes = f"on {named[0]}" if named else "on your themes"
        dates = ""
        if self.start_on or self.end_on:
            dates = f", {self.start_on or 'now'} to {self.end_on or 'open-ended'}"
        zone = spoken_zone(self.timezone)
        return f"{format_days(self.days)} at {self.at:%H:%M} {zone}, {themes}{dates}"


@dataclass(frozen=True)
class Reminder:
    """A one-shot delivery: a snoozed nudge, a commitment follow-up, or a nudge held back
    by quiet hours."""

    id: str
    user: str
    kind: ReminderKind
    due_at: datetime
    ref: str  # the delivery key (snooze, deferred) or commitment id (follow_up)
    themes: tuple[str, ...] = ()
    schedule: str | None = None
