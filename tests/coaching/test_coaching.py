"""Coaches end to end in-process (console users): links the leader can decline, schedules
with a preview, reports that never show what a leader wrote, and the permission matrix."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain import UserKey
from bot.wiring import App, build_app
from dialogs.model import ChoiceMade, Message, UserText
from tests.conftest import CONTENT_DIR, FakeClock
from tests.schedules.world import RecordingNotifier

ADMIN, COACH, OTHER_COACH = "console:admin", "console:coach", "console:othercoach"
LEADER, STRANGER = "console:leader", "console:stranger"
MARKER = "okapi-secret-4471"


@dataclass
class Office:
    app: App
    clock: FakeClock
    notifier: RecordingNotifier

    async def say(self, user: str, text: str) -> list[Message]:
        reply = await self.app.conversations.handle(
            UserKey.parse(user), UserText(text, self.clock.now())
        )
        return list(reply.messages)

    async def press(self, user: str, label: str) -> list[Message]:
        state = await self.app.users.load(UserKey.parse(user))
        assert state is not None
        assert state.awaiting is not None, "nothing is being asked"
        choice = next(c for c in state.awaiting.choices if c.label == label)
        reply = await self.app.conversations.handle(
            UserKey.parse(user), ChoiceMade(state.awaiting.token, choice.id, self.clock.now())
        )
        return list(reply.messages)


def text(messages: list[Message]) -> str:
    return "\n".join(getattr(m, "text", "") for m in messages)


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    settings = Settings(
        data_dir=tmp_path, content_dir=CONTENT_DIR, admins=frozenset({UserKey.parse(ADMIN)})
    )
    app = build_app(settings, clock)
    notifier = RecordingNotifier(clock)
    app.notifiers["console"] = notifier
    await app.open()
    await app.start_scheduler(timers=False)
    office = Office(app, clock, notifier)
    for user in (ADMIN, COACH, OTHER_COACH, LEADER, STRANGER):
        await office.say(user, "hello")
        await office.press(user, "Skip for now")
    yield office
    await app.close()


async def make_coach(office: Office, who: str = COACH) -> None:
    assert "is now a coach" in text(await office.say(ADMIN, f"admin coach {who}"))


async def linked(office: Office) -> None:
    await make_coach(office)
    await office.say(COACH, "coach add leader")
    await office.press(LEADER, "Accept")


async def test_a_leader_is_asked_and_can_accept(office: Office) -> None:
    await make_coach(office)
    said = text(await office.say(COACH, "coach add leader"))
    assert "I've asked leader" in said
    state = await office.app.users.load(UserKey.parse(LEADER))
    assert state is not None
    assert state.awaiting is not None
    assert [c.label for c in state.awaiting.choices] == ["Accept", "Decline"]
    reply = text(await office.press(LEADER, "Accept"))
    assert "is now your coach" in reply
    coach_state = await office.app.users.load(UserKey.parse(COACH))
    assert coach_state is not None  # the coach was told (the notice ran through their state)
    assert "coach" in text(await office.say(LEADER, "coaches"))


async def test_a_leader_can_decline_and_the_coach_can_do_nothing(office: Office) -> None:
    await make_coach(office)
    await office.say(COACH, "coach add leader")
    assert "Declined" in text(await office.press(LEADER, "Decline"))
    said = text(await office.say(COACH, "coach schedule leader weekdays 08:30 resilience"))
    assert "is not one of your leaders" in said
    assert office.app.schedules.schedules_of(LEADER) == []


async def test_the_request_can_be_answered_by_typing(office: Office) -> None:
    await make_coach(office)
    await office.say(COACH, "coach add leader")
    assert "is now your coach" in text(await office.say(LEADER, "accept"))


async def test_a_coach_schedule_is_previewed_then_saved_and_the_leader_told(
    office: Office,
) -> None:
    await linked(office)
    await office.say(LEADER, "timezone Asia/Kolkata")
    said = text(await office.say(COACH, "coach schedule leader weekdays 08:30 resilience"))
    assert "Before saving" in said
    assert "Mon 30 Nov 08:30" in said  # in the leader's own time
    assert office.app.schedules.schedules_of(LEADER) == []  # not yet
    assert "Saved 1 schedule" in text(await office.press(COACH, "Save"))
    (schedule,) = office.app.schedules.schedules_of(LEADER)
    assert (schedule.origin, schedule.created_by, schedule.timezone) == (
        "coach",
        COACH,
        "Asia/Kolkata",
    )
    leader = await office.app.users.load(UserKey.parse(LEADER))
    assert leader is not None
    assert leader.awaiting is not None  # "keep it, or pause it?"
    assert "Paused" in text(await office.press(LEADER, "Pause it"))
    assert office.app.schedules.schedules_of(LEADER)[0].paused


async def test_the_leader_is_told_when_a_coach_removes_a_schedule(office: Office) -> None:
    await linked(office)
    await office.say(COACH, "coach schedule leader daily 07:00 influence")
    await office.press(COACH, "Save")
    (schedule,) = office.app.schedules.schedules_of(LEADER)
    said = text(await office.say(COACH, f"coach unschedule leader {schedule.id}"))
    assert "has been told" in said
    assert office.app.schedules.schedules_of(LEADER) == []


async def test_a_bad_time_from_a_coach_gets_a_reason_and_an_example(office: Office) -> None:
    await linked(office)
    said = text(await office.say(COACH, "coach schedule leader weekdays 25:99"))
    assert "not a time of day" in said
    assert "For example: `coach schedule" in said


async def test_the_report_holds_counts_and_never_the_leaders_words(office: Office) -> None:
    await linked(office)
    await office.say(LEADER, "start energy")
    await office.say(LEADER, f"the board meeting {MARKER}")
    await office.say(LEADER, "2")
    await office.say(LEADER, f"a walk {MARKER}")
    report = text(await office.say(COACH, "coach report"))
    assert "leader" in report
    assert "nudges" in report
    assert MARKER not in report
    assert "Cohort totals appear from 5 leaders" in report


async def test_a_shared_reflection_is_the_only_text_a_coach_sees(office: Office) -> None:
    await linked(office)
    await office.say(LEADER, "start energy")
    await office.say(LEADER, f"private {MARKER}")
    await office.say(LEADER, "stop")
    await office.say(LEADER, "start energy")
    await office.say(LEADER, "shared words to show")
    await office.say(LEADER, "stop")
    journal = text(await office.say(LEADER, "journal"))
    assert "1." in journal
    assert "Shared with your coach" in text(await office.say(LEADER, "share 1"))
    report = text(await office.say(COACH, "coach report"))
    assert "shared words to show" in report
    assert MARKER not in report


async def test_cohort_figures_need_five_leaders(office: Office) -> None:
    await make_coach(office)
    for n in range(5):
        leader = f"console:team{n}"
        await office.say(leader, "hello")
        await office.say(COACH, f"coach add team{n}")
        await office.press(leader, "Accept")
    assert "Cohort of 5" in text(await office.say(COACH, "coach report"))


async def test_a_leader_can_remove_a_coach(office: Office) -> None:
    await linked(office)
    assert "no longer your coach" in text(await office.say(LEADER, "coaches remove 1"))
    said = text(await office.say(COACH, "coach schedules leader"))
    assert "is not one of your leaders" in said


async def test_forget_me_removes_links_too(office: Office) -> None:
    await linked(office)
    await office.say(LEADER, "forget me")
    await office.press(LEADER, "Yes, delete everything")
    assert office.app.coaching_store.link(COACH, LEADER) is None


# ------------------------------------------------------------------ the permission matrix

ACTIONS = {
    "grant": "admin coach stranger",
    "revoke": "admin uncoach stranger",
    "add": "coach add stranger",
    "schedule": "coach schedule leader weekdays 08:30 influence",
    "schedules": "coach schedules leader",
    "unschedule": "coach unschedule leader nosuch",
    "report": "coach report",
}
DENIED = ("Only", "is not one of your leaders", "has not accepted")


async def as_role(office: Office, role: str) -> str:
    """Set up the actor for a role and return their key."""
    match role:
        case "admin":
            return ADMIN
        case "coach, accepted link":
            await linked(office)
            return COACH
        case "coach, pending link":
            await make_coach(office)
            await office.say(COACH, "coach add leader")
            return COACH
        case "coach, declined link":
            await make_coach(office)
            await office.say(COACH, "coach add leader")
            await office.press(LEADER, "Decline")
            return COACH
        case "coach of someone else":
            await linked(office)
            await make_coach(office, OTHER_COACH)
            return OTHER_COACH
    return STRANGER  # a plain leader


ALLOWED = {
    ("admin", "grant"),
    ("admin", "revoke"),
    ("coach, accepted link", "add"),
    ("coach, accepted link", "schedule"),
    ("coach, accepted link", "schedules"),
    ("coach, accepted link", "unschedule"),
    ("coach, accepted link", "report"),
    ("coach, pending link", "add"),
    ("coach, pending link", "report"),
    ("coach, declined link", "add"),
    ("coach, declined link", "report"),
    ("coach of someone else", "add"),
    ("coach of someone else", "report"),
}
ROLES = [
    "admin",
    "coach, accepted link",
    "coach, pending link",
    "coach, declined link",
    "coach of someone else",
    "plain leader",
]


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(office: Office, role: str, action: str) -> None:
    actor = await as_role(office, role)
    said = text(await office.say(actor, ACTIONS[action]))
    refused = any(reason in said for reason in DENIED)
    assert refused is ((role, action) not in ALLOWED), said


async def test_admins_cannot_read_reflections_either(office: Office) -> None:
    await office.say(LEADER, "start energy")
    await office.say(LEADER, f"words {MARKER}")
    said = text(await office.say(ADMIN, "coach report"))
    assert "Only coaches" in said
    assert MARKER not in said


def test_the_matrix_covers_every_role_and_action() -> None:
    assert {r for r, _ in ALLOWED} <= set(ROLES)
    assert {a for _, a in ALLOWED} <= set(ACTIONS)


async def test_a_notice_that_cannot_be_stored_sends_no_sorry_to_someone_who_wrote_nothing(
    office: Office,
) -> None:
    await make_coach(office)
    await office.say(COACH, "coach add leader")
    office.app.users.path_for(UserKey.parse(COACH)).write_text("{broken")  # unreadable now
    before = len(office.notifier.sent)
    assert "is now your coach" in text(await office.press(LEADER, "Accept"))
    assert [s for s in office.notifier.sent[before:] if s.user == COACH] == []


async def test_the_coachs_view_of_schedules_names_themes_and_how_to_remove_one(
    office: Office,
) -> None:
    """Review 12h: schedules listed as "4szpdt weekdays at 07:30 UTC, crossroads". Theme
    titles, and the id only in what the coach types to remove it."""
    await linked(office)
    await office.say(COACH, "coach schedule leader daily 07:00 influence")
    await office.press(COACH, "Save")
    (schedule,) = office.app.schedules.schedules_of(LEADER)
    said = text(await office.say(COACH, "coach schedules leader"))
    assert "“Influence without authority”" in said
    assert f"To remove it, type `coach unschedule leader {schedule.id}`" in said
    assert said.count(schedule.id) == 1
    assert "schedule remove" not in said  # the leader's command, not the coach's
