"""Check-ins on the leader's own working days (issue 12 §2): the conversation service reads
the days and time of the leader's schedules and the engine plans the check-in on them."""

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import UserKey
from bot.schedules.model import NudgeSchedule
from bot.schedules.store import ScheduleStore
from bot.services.conversations import ConversationService
from bot.services.reminders import ReminderService
from bot.services.weeks import ScheduleWeeks, working_week
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.content_model import Content
from dialogs.model import DEFAULT_WEEK, Ask, Prompt, UserText, WorkingWeek
from dialogs.recurrence import parse_days
from tests.conftest import AT, FakeClock

ALICE = UserKey.console("alice")
LONDON = ZoneInfo("Europe/London")
COMMIT_STEPS = ("commit", "commit-ask")  # the energy audit's commitment steps


def schedule(sid: str, days: str, at: str, **changes: object) -> NudgeSchedule:
    hour, minute = at.split(":")
    base = NudgeSchedule(
        id=sid,
        user=str(ALICE),
        themes=("resilience",),
        days=parse_days(days),
        at=time(int(hour), int(minute)),
        timezone="Europe/London",
        created_by=str(ALICE),
        created_at=AT,
    )
    return NudgeSchedule(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_the_week_is_the_union_of_active_schedules_at_the_earliest_time() -> None:
    schedules = [
        schedule("a", "tue", "09:15"),
        schedule("b", "thu", "07:45"),
        schedule("c", "sat", "06:00", paused=True),
        schedule("d", "sun", "05:00", end_on=date(2026, 11, 1)),
    ]
    assert working_week(schedules, AT) == WorkingWeek(frozenset({1, 3}), "07:45")
    assert working_week(schedules[2:], AT) == DEFAULT_WEEK
    assert working_week([], AT) == DEFAULT_WEEK


async def answer_until_commitment(svc: ConversationService, clock: FakeClock) -> None:
    await svc.handle(ALICE, UserText("start energy", clock.now()))
    for _ in range(10):
        state = await svc.state_of(ALICE)
        assert state is not None
        assert state.dialogue is not None
        if state.dialogue.step in COMMIT_STEPS:
            return
        awaiting = state.awaiting
        assert awaiting is not None
        text = awaiting.choices[0].label if awaiting.choices else "the rota"
        await svc.handle(ALICE, UserText(text, clock.advance(seconds=30)))
    raise AssertionError("no commitment step reached")


@pytest.mark.parametrize(
    ("days", "due_at"),
    [
        ("tue,thu", datetime(2026, 12, 8, 7, 45, tzinfo=LONDON)),  # Fri 4 Dec -> Tue 8 Dec
        (None, datetime(2026, 12, 7, 9, 0, tzinfo=LONDON)),  # no schedule: Mon, 09:00
    ],
)
async def test_by_friday_is_checked_in_on_the_leaders_next_working_day_at_their_time(
    tmp_path: Path, content: Content, clock: FakeClock, days: str | None, due_at: datetime
) -> None:
    schedules = ScheduleStore(TinyDBScheduleBackend(tmp_path))
    await schedules.load()
    if days:
        await schedules.put_schedules(schedule("s1", days, "07:45"))
    svc = ConversationService(
        TinyDBUserStore(tmp_path),
        content,
        clock,
        effect_answerers=[ReminderService(schedules)],
        weeks=ScheduleWeeks(schedules),
    )
    await answer_until_commitment(svc, clock)
    reply = await svc.handle(ALICE, UserText("email Sam by Friday", clock.advance(seconds=30)))
    said = "\n".join(m.text for m in reply.messages if not isinstance(m, Ask | Prompt))
    assert f"I'll ask how it went on {due_at:%a} {due_at.day} {due_at:%b}." in said
    (reminder,) = schedules.reminders_of(str(ALICE))
    assert reminder.due_at.astimezone(UTC) == due_at.astimezone(UTC)
