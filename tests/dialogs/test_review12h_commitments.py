"""Review 12h: commitments that are only kept when they are a step. A "not sure" is never
the step's words; a bare name at a prep's who-question is the person; an answer at the
follow-up that is neither a time nor an action is not glued into the step; a long earlier
answer is not glued to the front of the step that builds on it."""

from datetime import date

import pytest

from dialogs.content_model import Content
from dialogs.model import FollowUpPlanned
from tests.dialogs.chat import Chat, onboarded


def planned_days(chat: Chat) -> list[date]:
    assert chat.last is not None
    return [e.due_on for e in chat.last.effects if isinstance(e, FollowUpPlanned)]


def on_side_not_sure(content: Content, teller: str) -> Chat:
    """Dialogue 2 down "Not sure yet" to "When will you ask {teller}…?"."""
    chat = Chat(content, onboarded())
    chat.say("start Who do you need on side?")
    chat.say("single discharge hub")
    chat.say("the council director")
    chat.say("beds")
    chat.press("Not sure yet")
    chat.say(teller)
    progress = chat.state.dialogue
    assert progress is not None
    assert progress.step == "commit-ask"
    return chat


def test_not_sure_at_a_commitment_is_not_its_words(content: Content) -> None:
    chat = on_side_not_sure(content, "i'll talk to people about it")
    chat.say("not sure")
    assert chat.state.dialogue is not None  # one follow-up, for the step itself
    chat.say("next week")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert content.commitments.get("no_check_in") in chat.text()
    assert all("not sure" not in r.text for r in chat.state.reflections)


def test_after_not_sure_a_step_with_its_day_is_kept_alone(content: Content) -> None:
    chat = on_side_not_sure(content, "the AMU matron")
    chat.say("no idea")
    chat.say("ask her after Monday's huddle")
    assert [c.text for c in chat.state.commitments] == ["ask her after Monday's huddle"]
    assert len(planned_days(chat)) == 1


def at_prep_ally(content: Content) -> Chat:
    """`prep` ("Before a big meeting tomorrow", on Fri 27 Nov) down "Someone onside first"."""
    chat = Chat(content, onboarded())
    chat.say("start Before a big meeting tomorrow")
    chat.say("a yes to the hub")
    chat.press("Someone onside first")
    return chat


@pytest.mark.parametrize("name", ["Sam", "Priya Shah"])
def test_a_name_alone_at_a_prep_who_question_is_the_whole_step(
    content: Content, name: str
) -> None:
    chat = at_prep_ally(content)
    chat.say(name)
    assert chat.state.dialogue is None  # no follow-up
    assert [c.text for c in chat.state.commitments] == [f"catch {name} before the meeting"]
    # the meeting is tomorrow, Sat 28 Nov: the working day after it is Mon 30 Nov
    assert planned_days(chat) == [date(2026, 11, 30)]
    assert content.commitments.get("day_picked") not in chat.text()
    assert content.commitments.get("as_written") not in chat.text()


@pytest.mark.parametrize(
    "said", ["she'll want to know it won't wreck her ED numbers over winter", "x"]
)
def test_a_follow_up_answer_with_no_time_action_or_name_is_not_glued_in(
    content: Content, said: str
) -> None:
    chat = at_prep_ally(content)
    chat.say("Priya in finance")
    assert chat.state.dialogue is not None  # when?
    chat.say(said)
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert all(said not in r.text for r in chat.state.reflections)


def test_a_follow_up_time_completes_a_named_prep_step(content: Content) -> None:
    chat = at_prep_ally(content)
    chat.say("Priya in finance")
    chat.say("at 8.45")
    assert [c.text for c in chat.state.commitments] == ["Priya in finance — at 8.45"]


@pytest.mark.parametrize("first", ["x", "A3", "q"])
def test_a_letter_or_code_never_becomes_a_commitment(content: Content, first: str) -> None:
    chat = at_prep_ally(content)
    chat.say(first)
    chat.say("x")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert [r.text for r in chat.state.reflections] == ["a yes to the hub"]  # no note of "x"
    assert content.commitments.get("nothing_kept") in chat.text()
