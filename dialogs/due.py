"""Something the leader did not ask for just now (a nudge, a snooze ending, a follow-up):
whether it goes out now, waits, or is withheld."""

from datetime import date, datetime, time, timedelta

from dialogs import followups, nudging
from dialogs.content_model import Content
from dialogs.draft import Draft
from dialogs.model import DeliveryHeld, DeliveryWithheld, FollowUpDue, NudgeDue, SnoozeEnded
from dialogs.recurrence import quiet_until
from dialogs.timetext import local_date
from dialogs.timezones import zone

MORNING = time(9, 0)  # for a leader with no nudge time


def arrived(draft: Draft, content: Content, event: NudgeDue | SnoozeEnded | FollowUpDue) -> None:
    """Something the leader did not ask for just now: a nudge, a snooze ending, a follow-up."""
    match event:
        case NudgeDue(delivery=delivery, themes=themes, at=at):
            if not _held(draft, at, scheduled=True):
                nudging.deliver(draft, content, delivery, themes, at)
        case SnoozeEnded(delivery=delivery, at=at):
            if not _held(draft, at, scheduled=False):
                nudging.again(draft, content, delivery)
        case FollowUpDue(commitment=commitment, at=at):
            if not _held(draft, at, scheduled=False):
                followups.deliver(draft, commitment, at)


def _held(draft: Draft, at: datetime, *, scheduled: bool) -> bool:
    """Whether something due now must not go out: nudges are withheld while the leader has
    paused them, and on a day they were signposted to support or checked in with (a nudge
    that arrives as if nothing happened jars: a reminder or follow-up waits for the next
    morning); anything unprompted waits for the end of their quiet hours."""
    profile = draft.state.profile
    today = local_date(at, profile.timezone)
    if scheduled and profile.paused and (not profile.paused_until or today < profile.paused_until):
        draft.effect(DeliveryWithheld("paused"))
        return True
    if profile.signposted_on == today:
        if scheduled:
            draft.effect(DeliveryWithheld("held for today"))
        else:
            draft.effect(DeliveryHeld(_next_morning(draft, today)))
        return True
    if profile.quiet_hours:
        until = quiet_until(at, profile.quiet_hours, profile.timezone)
        if until is not None:
            draft.effect(DeliveryHeld(until))
            return True
    return False


def _next_morning(draft: Draft, today: date) -> datetime:
    """The leader's nudge time (or 9:00) tomorrow, in their own time zone."""
    clock = draft.state.profile.nudge_time
    at = MORNING
    if clock:
        hour, minute = clock.split(":")
        at = time(int(hour), int(minute))
    return datetime.combine(today + timedelta(days=1), at, zone(draft.state.profile.timezone))
