"""Limits a leader cannot run past: MAX_SCHEDULES schedules (their coaches' count too) and
MAX_REMINDERS snoozes and follow-ups waiting; at the limit one clear sentence, and nothing,
least of all a commitment's follow-up, dropped without the leader being told."""

from datetime import timedelta

from bot.domain import UserKey
from bot.schedules.model import Reminder
from bot.services.reminders import MAX_REMINDERS, MAX_SCHEDULES, waiting
from tests.coaching.test_coaching import COACH, LEADER, Office, linked, office, text

__all__ = ["office"]  # the fixture, shared with the coaching tests
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


async def fill_schedules(office: Office, count: int) -> None:
    for n in range(count):
        said = text(await office.say(LEADER, f"schedule {DAYS[n % 7]} {7 + n // 7:02d}:{n:02d}"))
        assert "Added" in said, said


async def fill_reminders(office: Office, count: int) -> None:
    for n in range(count):
        await office.app.schedules.put_reminder(
            Reminder(
                f"z-{n:012x}",
                LEADER,
                "snooze",
                office.clock.now() + timedelta(hours=1),
                f"held-{n}",
            )
        )


async def test_a_leader_stops_at_the_schedule_limit_with_a_clear_sentence(office: Office) -> None:
    await fill_schedules(office, MAX_SCHEDULES)
    said = text(await office.say(LEADER, "schedule daily 18:00"))
    first = office.app.schedules.schedules_of(LEADER)[0].id
    assert said == (
        f"You have {MAX_SCHEDULES} nudge schedules, the most one person can have. Remove one "
        f"first (`schedule` lists them). For example: `schedule remove {first}`"
    )
    assert len(office.app.schedules.schedules_of(LEADER)) == MAX_SCHEDULES
    await office.say(LEADER, f"schedule remove {first}")
    assert "Added" in text(await office.say(LEADER, "schedule daily 18:00"))


async def test_schedules_a_coach_set_count_and_a_coach_stops_at_the_limit(
    office: Office,
) -> None:
    await linked(office)
    await fill_schedules(office, MAX_SCHEDULES - 1)
    await office.say(COACH, "coach schedule leader weekdays 08:30 resilience")
    assert "Saved 1 schedule" in text(await office.press(COACH, "Save"))
    said = text(await office.say(COACH, "coach schedule leader weekdays 09:30 resilience"))
    assert f"leader has {MAX_SCHEDULES} nudge schedules, the most one person can have" in said
    assert "`coach unschedule leader k3f9qa`" in said
    assert "the most one person can have" in text(await office.say(LEADER, "schedule daily 18:00"))
    assert len(office.app.schedules.schedules_of(LEADER)) == MAX_SCHEDULES


async def test_a_preview_saved_after_the_leader_filled_up_saves_nothing(office: Office) -> None:
    await linked(office)
    await fill_schedules(office, MAX_SCHEDULES - 1)
    await office.say(COACH, "coach schedule leader weekdays 08:30 resilience")  # previewed
    await office.say(LEADER, "schedule daily 18:00")  # the last place, meanwhile
    said = text(await office.press(COACH, "Save"))
    assert said.startswith("Nothing was saved. leader has 20 nudge schedules")
    assert len(office.app.schedules.schedules_of(LEADER)) == MAX_SCHEDULES


async def finish_dialogue(office: Office) -> str:
    """A conversation that ends with a commitment; what the bot said on the last turn."""
    await office.say(LEADER, "start energy")
    for _ in range(12):  # bounded: a dialogue is 3-6 turns
        state = await office.app.users.load(UserKey.parse(LEADER))
        assert state is not None
        assert state.awaiting is not None
        said = text(await office.say(LEADER, "1" if state.awaiting.choices else "ask Sam"))
        after = await office.app.users.load(UserKey.parse(LEADER))
        if after is not None and after.dialogue is None:
            return said
    raise AssertionError("the dialogue did not end")


async def test_a_follow_up_at_the_reminder_limit_is_never_dropped_silently(
    office: Office,
) -> None:
    await fill_reminders(office, MAX_REMINDERS)
    said = await finish_dialogue(office)
    state = await office.app.users.load(UserKey.parse(LEADER))
    assert state is not None
    (commitment,) = state.commitments  # kept in the journal
    assert "Your commitment is saved in your `journal`, but I cannot ask how it went" in said
    assert f"you have {MAX_REMINDERS} snoozes and follow-ups waiting" in said
    assert "`schedule remove" in said
    assert "I'll ask how it went" not in said  # the engine's promise is taken back
    kinds = [r.kind for r in waiting(office.app.schedules, LEADER)]
    assert kinds == ["snooze"] * MAX_REMINDERS
    listing = text(await office.say(LEADER, "schedule"))
    assert f"**Reminders waiting** ({MAX_REMINDERS} of at most {MAX_REMINDERS})" in listing
    assert "Removed the reminder" in text(
        await office.say(LEADER, "schedule remove z-000000000000")
    )
    await finish_dialogue(office)  # with a place free, the next commitment is followed up
    assert "follow_up" in [r.kind for r in waiting(office.app.schedules, LEADER)]
    assert commitment.id not in [r.ref for r in waiting(office.app.schedules, LEADER)]


async def test_a_snooze_at_the_limit_is_refused_in_the_same_turn(office: Office) -> None:
    await office.say(LEADER, "schedule daily 09:00 influence")
    (schedule,) = office.app.schedules.schedules_of(LEADER)
    await fill_reminders(office, MAX_REMINDERS)
    assert office.app.scheduler is not None
    await office.app.scheduler.fire(schedule.id)
    await office.say(LEADER, "Snooze")
    said = text(await office.say(LEADER, "An hour from now"))
    assert "Not snoozed: you have 50 snoozes and follow-ups waiting, the most I keep." in said
    assert "I'll send it again" not in said  # the engine's promise is taken back
    assert len(waiting(office.app.schedules, LEADER)) == MAX_REMINDERS


async def test_below_the_limit_snoozes_and_follow_ups_are_stored(office: Office) -> None:
    await fill_reminders(office, MAX_REMINDERS - 2)
    await office.say(LEADER, "schedule daily 09:00 influence")
    (schedule,) = office.app.schedules.schedules_of(LEADER)
    assert office.app.scheduler is not None
    await office.app.scheduler.fire(schedule.id)
    await office.say(LEADER, "Snooze")
    assert "I'll send it again" in text(await office.say(LEADER, "An hour from now"))
    assert "I'll ask how it went" in await finish_dialogue(office)
    kinds = sorted({r.kind for r in waiting(office.app.schedules, LEADER)})
    assert kinds == ["follow_up", "snooze"]
    assert len(waiting(office.app.schedules, LEADER)) == MAX_REMINDERS
