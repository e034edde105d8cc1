"""What the App Home shows a leader: where they stand, from their state and schedules."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.channels.slack.render import HomeData
from bot.schedules.model import NudgeSchedule
from dialogs.model import UserState
from dialogs.recurrence import next_occurrence
from dialogs.timetext import local_date, short_date
from dialogs.timezones import zone

RECENT = timedelta(days=30)


def home_data(
    state: UserState | None,
    schedules: Sequence[NudgeSchedule],
    now: datetime,
    titles: Mapping[str, str],
) -> HomeData:
    state = state or UserState()
    profile = state.profile
    since = now - RECENT
    return HomeData(
        next_nudge=_next_nudge(state, schedules, now),
        schedules=tuple(s.describe(titles) + (" (paused)" if s.paused else "") for s in schedules),
        commitments=tuple(
            f"{c.text} · check-in {short_date(c.due_on, local_date(now, profile.timezone))}"
            for c in state.commitments
            if c.status == "open"
        ),
        nudges_answered=sum(1 for n in state.nudges if n.response and n.at >= since),
        conversations_completed=sum(
            1 for h in state.history if h.outcome == "completed" and h.ended_at >= since
        ),
        commitments_acted_on=sum(
            1 for c in state.commitments if c.status in ("kept", "partly") and c.at >= since
        ),
        paused=profile.paused,
    )


def _next_nudge(state: UserState, schedules: Sequence[NudgeSchedule], now: datetime) -> str | None:
    if state.profile.paused:
        until = state.profile.paused_until
        return f"Paused until {short_date(until)}" if until else "Paused until you resume"
    upcoming = [
        (due, s)
        for s in schedules
        if not s.paused
        if (due := next_occurrence(s.rule, now)) is not None
    ]
    if not upcoming:
        return None
    due, schedule = min(upcoming, key=lambda pair: pair[0])
    local = due.astimezone(zone(schedule.timezone))
    return f"{short_date(local.date())} at {local:%H:%M}"
