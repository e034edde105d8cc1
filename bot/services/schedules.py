"""Leaders' schedules: the `schedule` commands, previews, and keeping the scheduler's view of
each leader (time zone, pause, quiet hours, follow-ups, snoozes) in step with their state."""

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from bot.domain import ServiceReply, UserKey
from bot.logs import log
from bot.schedules.model import INACTIVE, NudgeSchedule, Origin, Reminder
from bot.schedules.store import ScheduleStore
from bot.services.reminders import (
    MAX_REMINDERS,
    schedule_limit_reached,
    schedules_full,
    waiting,
)
from dialogs.commands import ScheduleCommand
from dialogs.content_model import Content
from dialogs.matching import normalise
from dialogs.model import (
    Effect,
    Message,
    NudgeTimeChosen,
    PreferencesChanged,
    Profile,
    Say,
    UserState,
)
from dialogs.recurrence import (
    RuleError,
    local_date_of,
    next_occurrence,
    occurrences,
    parse_days,
    parse_hhmm,
)
from dialogs.timetext import short_date
from dialogs.timezones import canonical_zone, zone

logger = logging.getLogger("peercoach.schedules")
_SCHEDULE = TypeAdapter(NudgeSchedule)
_REMINDER = TypeAdapter(Reminder)
EXAMPLE = "schedule weekdays 08:30 resilience influence"


class ScheduleService:
    @property
    def titles(self) -> dict[str, str]:
        """Theme titles by id, for describing schedules to people."""
        return {t.id: t.title for t in self.content.themes}

    def __init__(self, store: ScheduleStore, content: Content) -> None:
        self.store = store
        self.content = content

    # ---------------------------------------------------------------- the `schedule` command

    async def answer(
        self, key: UserKey, state: UserState, command: ScheduleCommand, at: datetime
    ) -> ServiceReply:
        return ServiceReply(await self._answer(key, state, command, at))

    async def _answer(
        self, key: UserKey, state: UserState, command: ScheduleCommand, at: datetime
    ) -> tuple[Message, ...]:
        args = list(command.args)
        if not args or args == ["list"]:
            return (Say(self.listing(str(key), at, state.profile, with_reminders=True)),)
        if args[0].lower() in ("remove", "delete", "rm"):
            return (Say(await self._remove(str(key), args[1:])),)
        if args[0].lower() in ("pause", "resume"):
            return (Say(await self._pause(str(key), args[1:], paused=args[0].lower() == "pause")),)
        if schedules_full(self.store, str(key)):
            return (Say(schedule_limit_reached(self.store, str(key))),)
        try:
            schedule = self.build(
                key,
                args,
                timezone=state.profile.timezone,
                created_by=str(key),
                origin="leader",
                at=at,
                default_themes=state.profile.themes,
            )
        except RuleError as error:
            return (Say(str(error)),)
        await self.store.put_schedules(schedule)
        log(logger, "schedule.added", user=key.hashed, schedule=schedule.id, by="leader")
        first = next_occurrence(schedule.rule, at)
        return (
            Say(
                f"Added **{schedule.id}**: {schedule.describe(self.titles)}. First nudge: "
                f"{_when(first, schedule.timezone)}."
            ),
        )

    def build(
        self,
        key: UserKey,
        args: Sequence[str],
        *,
        timezone: str,
        created_by: str,
        origin: Origin,
        at: datetime,
        default_themes: tuple[str, ...] = (),
    ) -> NudgeSchedule:
        """Parse `<days> <HH:MM> [theme...] [from DATE] [until DATE]`; RuleError says why not."""
        if len(args) < 2:  # noqa: PLR2004 - days and time
            raise RuleError("A schedule needs days and a time.", EXAMPLE)
        days, clock = parse_days(args[0]), parse_hhmm(args[1])
        themes, start_on, end_on = self._themes_and_dates(list(args[2:]))
        schedule = NudgeSchedule(
            id=self.store.unused_id(),
            user=str(key),
            themes=themes or default_themes,
            days=days,
            at=clock,
            timezone=timezone,
            created_by=created_by,
            created_at=at,
            origin=origin,
            start_on=start_on,
            end_on=end_on,
        )
        if next_occurrence(schedule.rule, at) is None:
            raise RuleError(
                "That schedule would not send a single nudge in the next year; "
                "check its days and dates.",
                EXAMPLE,
            )
        return schedule

    def _themes_and_dates(
        self, words: list[str]
    ) -> tuple[tuple[str, ...], date | None, date | None]:
        themes: list[str] = []
        dates: dict[str, date] = {}
        while words:
            word = words.pop(0).lower().strip(",")
            if word in ("from", "until", "to") and words:
                dates["from" if word == "from" else "until"] = _date(words.pop(0))
                continue
            themes.append(self._theme(word))
        start_on, end_on = dates.get("from"), dates.get("until")
        if start_on and end_on and end_on < start_on:
            raise RuleError(
                "The end date comes before the start date.",
                "schedule weekdays 08:30 resilience from 2027-01-04 until 2027-03-31",
            )
        return tuple(dict.fromkeys(themes)), start_on, end_on

    def _theme(self, word: str) -> str:
        ids = [t.id for t in self.content.themes]
        if word in ids:
            return word
        for theme in self.content.themes:  # "challenging" -> challenging-behaviour
            if normalise(word) and theme.id.startswith(normalise(word)):
                return theme.id
        if canonical_zone(word) or "/" in word:
            raise RuleError(
                f"A schedule takes no time zone ({word!r}): nudges go out at each leader's own "
                "local time, which they set with `timezone`.",
                EXAMPLE,
            )
        raise RuleError(f"{word!r} is not a theme; use one of: {', '.join(ids)}.", EXAMPLE)

    def listing(
        self,
        user: str,
        at: datetime,
        profile: Profile,
        *,
        with_reminders: bool = False,
        remove: str = "schedule remove {id}",
    ) -> str:
        """The leader's schedules in words; `remove` is what the reader types to remove one
        (a coach types `coach unschedule`), the only place an id is shown."""
        schedules = self.store.schedules_of(user)
        reminders = _reminder_lines(self.store, user, profile.timezone) if with_reminders else []
        if not schedules:
            empty = f"You have no nudge schedules. To add one, type for example `{EXAMPLE}`."
            return "\n".join([empty, *reminders])
        lines = ["**Your nudge schedules**"]
        for s in schedules:
            state = f" · paused ({s.paused_reason or 'by you'})" if s.paused else ""
            nxt = "" if s.paused else f" · next {_when(next_occurrence(s.rule, at), s.timezone)}"
            coach = " · set by your coach" if s.origin == "coach" else ""
            lines.append(f"• {s.describe(self.titles)}{coach}{state}{nxt}")
            lines.append(f"  To remove it, type `{remove.format(id=s.id)}`")
        if profile.paused:
            until = f" until {short_date(profile.paused_until)}" if profile.paused_until else ""
            lines.append(f"All nudges are paused{until}; `resume` starts them again.")
        if profile.quiet_hours:
            start, end = profile.quiet_hours
            lines.append(f"Quiet hours {start}–{end}: a nudge due then waits until they end.")
        if remove.startswith("schedule "):  # the leader's own list
            lines.append(f"To add one, type for example `{EXAMPLE}`")
        return "\n".join(lines + reminders)

    async def _remove(self, user: str, args: list[str]) -> str:
        if len(args) != 1:
            return "Say which schedule to remove, by its id. For example: `schedule remove k3f9qa`"
        schedule = self.store.schedule(args[0].lower())
        reminder = next((r for r in waiting(self.store, user) if r.id == args[0].lower()), None)
        if reminder is not None:
            await self.store.remove_reminder(reminder.id)
            return f"Removed the reminder **{reminder.id}**."
        if schedule is None or schedule.user != user:
            return (
                f"You have no schedule {args[0]!r}; type `schedule` to see yours. For "
                "example: `schedule remove k3f9qa`"
            )
        await self.store.remove_schedules(schedule.id)
        return f"Removed **{schedule.id}** ({schedule.describe(self.titles)})."

    async def _pause(self, user: str, args: list[str], *, paused: bool) -> str:
        word = "pause" if paused else "resume"
        schedule = self.store.schedule(args[0].lower()) if len(args) == 1 else None
        if schedule is None or schedule.user != user:
            return f"Say which schedule by its id. For example: `schedule {word} k3f9qa`"
        reason = "paused by you" if paused else None
        await self.store.put_schedules(replace(schedule, paused=paused, paused_reason=reason))
        done = "Paused" if paused else "Resumed"
        return f"{done} **{schedule.id}** ({schedule.describe(self.titles)})."

    def export_of(self, user: str) -> dict[str, Any]:
        """`export`: the leader's schedules (their own and their coaches') and reminders."""
        reminders = sorted(self.store.reminders_of(user), key=lambda r: (r.due_at, r.id))
        return {
            "schedules": [
                _SCHEDULE.dump_python(s, mode="json") for s in self.store.schedules_of(user)
            ],
            "reminders": [_REMINDER.dump_python(r, mode="json") for r in reminders],
        }

    # ---------------------------------------------------------------- previews

    def preview(
        self, user: str, after: datetime, days: int, profile: Profile | None = None
    ) -> list[tuple[datetime, NudgeSchedule]]:
        """Coming deliveries of a leader, in time order, leaving out days they paused."""
        found = []
        for schedule in self.store.schedules_of(user):
            if schedule.paused:
                continue
            for due in occurrences(schedule.rule, after, after + timedelta(days=days)):
                if not (profile and _paused_on(profile, local_date_of(due, schedule.timezone))):
                    found.append((due, schedule))
        return sorted(found, key=lambda pair: pair[0])

    # ---------------------------------------------------------------- after each turn

    async def after_turn(
        self,
        key: UserKey,
        state: UserState | None,
        effects: Sequence[Effect],
        *,
        from_leader: bool = False,
    ) -> None:
        user = str(key)
        if state is None:
            await self.store.forget_user(user)
            return
        if from_leader:
            await self._reachable_again(user)
        for effect in effects:
            match effect:
                case PreferencesChanged():
                    await self._follow_timezone(user, state.profile.timezone)
                case NudgeTimeChosen(at=clock, themes=themes):
                    await self._first_schedule(key, state, clock, themes)

    async def _follow_timezone(self, user: str, timezone: str) -> None:
        """`timezone ZONE` (or a new zone from Slack or Teams) moves every schedule of the
        leader, keeping its local time."""
        moved = [
            replace(s, timezone=timezone)
            for s in self.store.schedules_of(user)
            if s.timezone != timezone
        ]
        await self.store.put_schedules(*moved)

    async def _reachable_again(self, user: str) -> None:
        """The leader wrote to us: undo the pause a failed delivery put on their schedules."""
        revived = [
            replace(s, paused=False, paused_reason=None)
            for s in self.store.schedules_of(user)
            if s.paused and (s.paused_reason or "").startswith(INACTIVE)
        ]
        await self.store.put_schedules(*revived)

    async def _first_schedule(
        self, key: UserKey, state: UserState, clock: str, themes: tuple[str, ...]
    ) -> None:
        existing = [s for s in self.store.schedules_of(str(key)) if s.origin == "onboarding"]
        if not existing and schedules_full(self.store, str(key)):
            log(logger, "schedule.limit", user=key.hashed, by="onboarding")
            return  # set-up again with every place taken: their schedules stay as they are
        schedule = NudgeSchedule(
            id=existing[0].id if existing else self.store.unused_id(),
            user=str(key),
            themes=themes,
            days=parse_days("weekdays"),
            at=parse_hhmm(clock),
            timezone=state.profile.timezone,
            created_by=str(key),
            created_at=state.last_seen_at or datetime.now().astimezone(),
            origin="onboarding",
        )
        await self.store.put_schedules(schedule)


def _reminder_lines(store: ScheduleStore, user: str, timezone: str) -> list[str]:
    found = waiting(store, user)
    if not found:
        return []
    lines = [f"**Reminders waiting** ({len(found)} of at most {MAX_REMINDERS})"]
    for reminder in found:
        what = "snoozed nudge" if reminder.kind == "snooze" else "follow-up on a commitment"
        lines.append(f"• **{reminder.id}** {what} · {_when(reminder.due_at, timezone)}")
    return lines


def _paused_on(profile: Profile, day: date) -> bool:
    return profile.paused and (profile.paused_until is None or day < profile.paused_until)


def _when(due: datetime | None, timezone: str) -> str:
    if due is None:
        return "none within a year"
    local = due.astimezone(zone(timezone))
    return f"{short_date(local.date())} at {local:%H:%M}"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RuleError(
            f"I couldn't read {text!r} as a date; write it year-month-day.",
            "schedule weekdays 08:30 resilience from 2027-01-04",
        ) from None
