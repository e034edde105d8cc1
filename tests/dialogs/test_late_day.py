"""A day typed as the very next message after a dialogue closed with its words kept as a
note ("I've kept that in your journal as a note…", no check-in) is that note's check-in
day (review 12g: a late "next week" got "I'm not sure which conversation fits that.")."""

from datetime import date

import pytest

from dialogs import texts
from dialogs.content_model import Content
from dialogs.model import FollowUpPlanned
from tests.dialogs.chat import Chat
from tests.dialogs.test_commitments import at_commitment, planned

NOTE = "think about it with Sam — I'll talk to people about it"


def closed_as_note(content: Content) -> Chat:
    chat = at_commitment(content)  # "After a setback", on Fri 27 Nov
    chat.say("think about it with Sam")
    chat.say("I'll talk to people about it")
    assert chat.state.dialogue is None
    assert content.commitments.get("no_check_in") in chat.text()
    assert chat.state.commitments == ()
    return chat


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("next week", date(2026, 12, 7)),  # Fri 4 Dec: the working day after it
        ("by Friday", date(2026, 12, 7)),
        ("on the 18th", date(2026, 12, 21)),  # Fri 18 Dec: Mon 21 Dec
        ("Tuesday.", date(2026, 12, 2)),
    ],
)
def test_a_day_right_after_a_note_is_its_check_in(content: Content, said: str, due: date) -> None:
    chat = closed_as_note(content)
    chat.say(said)
    assert texts.UNSURE not in chat.text()
    assert planned(chat) == due
    kept = chat.state.commitments[-1]
    assert kept.text == NOTE
    assert kept.due_on == due
    assert NOTE not in [r.text for r in chat.state.reflections]  # the note became the step
    day = f"{due:%a} {due.day} {due:%b}"
    lines = [content.commitments.get("note_dated"), texts.FOLLOW_UP_PLANNED.format(day=day)]
    assert chat.text() == "\n".join(lines)


def test_only_the_very_next_message_is_read_as_the_notes_day(content: Content) -> None:
    chat = closed_as_note(content)
    chat.say("thanks")
    chat.say("next week")
    assert chat.state.commitments == ()


@pytest.mark.parametrize("said", ["next week I'll ring the matron", "yesterday", "hello"])
def test_only_a_message_that_is_a_day_is_read_as_one(content: Content, said: str) -> None:
    chat = closed_as_note(content)
    chat.say(said)
    assert chat.state.commitments == ()


@pytest.mark.parametrize("said", ["next week", "by Friday"])
def test_a_day_after_a_note_with_no_step_leaves_it_a_note(content: Content, said: str) -> None:
    """Review 12h: "I'll talk to people about it", "people", then "next week" got a
    check-in on a note with no person and no action."""
    chat = at_commitment(content)
    chat.say("I'll talk to people about it")
    chat.say("people")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    chat.say(said)
    assert chat.state.commitments == ()
    assert chat.text() == content.commitments.get("note_no_step")
    assert texts.UNSURE not in chat.text()
    assert chat.last is not None
    assert not [e for e in chat.last.effects if isinstance(e, FollowUpPlanned)]
    assert [r.text for r in chat.state.reflections][-1] == "I'll talk to people about it"
