"""`ask my coach` (issue 12 §4): a leader with an accepted coach asks them to get in touch.
The coach gets one line naming the leader and none of the leader's words, at most once a
day from each leader; a leader without a coach is told so in one line."""

from datetime import timedelta

from bot.services.coach_talk import NO_COACH_TO_ASK
from dialogs.commands import CoachCommand, parse_command
from dialogs.content_model import Content
from dialogs.engine import service_command
from dialogs.model import UserState
from tests.coaching.test_coaching import (
    COACH,
    LEADER,
    MARKER,
    OTHER_COACH,
    STRANGER,
    Office,
    linked,
    make_coach,
    office,
    text,
)
from tests.dialogs.chat import Chat, onboarded

__all__ = ["office"]  # the fixture, shared with test_coaching


def to(office: Office, user: str, since: int = 0) -> list[str]:
    return [s.text for s in office.notifier.sent[since:] if s.user == user]


async def test_the_coach_gets_one_line_naming_the_leader_and_none_of_their_words(
    office: Office,
) -> None:
    await linked(office)
    await office.say(LEADER, "start energy")
    await office.say(LEADER, f"the board meeting {MARKER}")
    before = len(office.notifier.sent)
    said = text(await office.say(LEADER, "ask my coach"))
    assert "I've let coach know you'd like to talk" in said
    (line,) = to(office, COACH, before)
    assert "leader would like a chat with you" in line
    assert "\n" not in line.strip()
    assert MARKER not in line
    assert "energy" not in line.lower()


async def test_a_leader_with_no_coach_is_told_so_in_one_line(office: Office) -> None:
    assert text(await office.say(STRANGER, "ask my coach")) == NO_COACH_TO_ASK
    await make_coach(office)
    await office.say(COACH, "coach add leader")
    before = len(office.notifier.sent)
    await office.press(LEADER, "Decline")
    assert text(await office.say(LEADER, "ask my coach")) == NO_COACH_TO_ASK
    assert to(office, COACH, before) == ["leader declined your request."]


async def test_each_coach_can_be_asked_once_a_day(office: Office) -> None:
    await linked(office)
    before = len(office.notifier.sent)
    await office.say(LEADER, "ask my coach")
    again = text(await office.say(LEADER, "ask my coach"))
    assert "less than a day ago" in again
    assert "you can ask again from" in again
    office.clock.at += timedelta(hours=23)
    assert "less than a day ago" in text(await office.say(LEADER, "ask coach"))
    assert len(to(office, COACH, before)) == 1
    office.clock.at += timedelta(hours=1, minutes=1)
    assert "I've let coach know" in text(await office.say(LEADER, "ask my coach"))
    assert len(to(office, COACH, before)) == 2


async def test_with_two_coaches_the_leader_says_which(office: Office) -> None:
    await linked(office)
    await make_coach(office, OTHER_COACH)
    await office.say(OTHER_COACH, "coach add leader")
    await office.press(LEADER, "Accept")
    before = len(office.notifier.sent)
    said = text(await office.say(LEADER, "ask my coach"))
    assert "For example: `ask my coach 1`" in said
    assert "For example" in text(await office.say(LEADER, "ask my coach 3"))
    assert "I've let othercoach know" in text(await office.say(LEADER, "ask my coach 2"))
    assert to(office, COACH, before) == []
    assert len(to(office, OTHER_COACH, before)) == 1
    # the limit is per coach: the first can still be asked today
    assert "I've let coach know" in text(await office.say(LEADER, "ask my coach 1"))


async def test_a_removed_coach_cannot_be_asked(office: Office) -> None:
    await linked(office)
    await office.say(LEADER, "coaches remove 1")
    assert text(await office.say(LEADER, "ask my coach")) == NO_COACH_TO_ASK


async def test_the_daily_limit_survives_a_restart(office: Office) -> None:
    await linked(office)
    await office.say(LEADER, "ask my coach")
    store = office.app.coaching_store
    await store.load()  # read back from data/coaching.json
    link = store.link(COACH, LEADER)
    assert link is not None
    assert link.talk_asked_at == office.clock.now()
    assert "less than a day ago" in text(await office.say(LEADER, "ask my coach"))


async def test_inside_a_dialogue_the_words_at_a_free_text_question_stay_an_answer(
    office: Office,
) -> None:
    await linked(office)
    await office.say(LEADER, "start energy")
    before = len(office.notifier.sent)
    await office.say(LEADER, "ask my coach")  # the answer to "what drained you"
    assert to(office, COACH, before) == []


def test_the_grammar() -> None:
    ask = CoachCommand(("ask",), leaders_view=True)
    assert parse_command("ask my coach") == ask
    assert parse_command("Ask my coach!") == ask
    assert parse_command("/ask coach") == ask
    assert parse_command("ask my coach 2") == CoachCommand(("ask", "2"), leaders_view=True)
    assert parse_command("ask my coach about the budget") is None
    assert parse_command("ask them what they think") is None
    assert parse_command("ask") is None


def test_the_engine_hands_it_to_the_coaching_service_unless_it_is_an_answer(
    content: Content,
) -> None:
    ask = CoachCommand(("ask",), leaders_view=True)
    assert service_command(onboarded(), "ask my coach") == ask
    assert service_command(UserState(), "ask my coach") is None  # the welcome comes first
    chat = Chat(content, onboarded())
    chat.say("start energy")
    assert service_command(chat.state, "ask my coach") is None  # a free-text answer
    assert service_command(chat.state, "ask my coach", slash=True) == ask  # `/peercoach ...`
