"""Blind review 12g's check-in: "I did it" met with a glib line and no question about the
result, "Partly" losing "before the next board" and a bare "yes", and "hi" typed at the
check-in answered with the whole check-in again."""

from datetime import date

import pytest

from dialogs.content_model import Content
from dialogs.model import FollowUpPlanned, SafetyAside
from tests.dialogs.chat import Chat, onboarded
from tests.dialogs.test_commitments import at_commitment
from tests.dialogs.test_signposting import in_dialogue

OUTCOME = "he listened, actually apologised to her at the next huddle"
WHAT_WORKED = "What made it work, and where could you use that next?"


def _checked_in(content: Content) -> Chat:
    chat = at_commitment(content)
    chat.say("ask Sam to cover Friday's huddle")
    chat.follow_up_due(chat.state.commitments[-1].id, days=5)  # Wed 2 Dec
    return chat


def _planned(chat: Chat) -> list[FollowUpPlanned]:
    assert chat.last is not None
    return [e for e in chat.last.effects if isinstance(e, FollowUpPlanned)]


# ------------------------------------------------------------------ 1. "I did it"


def test_i_did_it_is_not_glib(content: Content) -> None:
    chat = _checked_in(content)
    chat.press("I did it")
    assert "habit starts" not in chat.text()
    assert "What happened?" in chat.text()


def test_what_happened_is_echoed_in_one_line_then_one_question_then_the_journal(
    content: Content,
) -> None:
    """Review 12g: "he listened, actually apologised to her at the next huddle" got only
    "Saved to your journal."."""
    chat = _checked_in(content)
    chat.press("I did it")
    chat.say(OUTCOME)
    said = chat.text()
    assert f"> {OUTCOME}" in said.split("\n")
    assert said.endswith(WHAT_WORKED)
    assert said.count("?") == 1
    assert chat.state.reflections[-1].text == OUTCOME
    chat.say("asking him first, in private; the next board")
    assert chat.text() == "Saved to your journal."
    assert chat.state.reflections[-1].text == "asking him first, in private; the next board"
    assert chat.state.aside is None
    assert chat.state.commitments[0].status == "kept"


def test_a_long_outcome_is_trimmed_at_a_word_boundary(content: Content) -> None:
    chat = _checked_in(content)
    chat.press("I did it")
    long = (
        "he listened properly for once and then went and apologised to her at the next "
        "huddle in front of everyone, which I did not expect at all"
    )
    chat.say(long)
    quoted = next(line for line in chat.text().split("\n") if line.startswith("> "))
    assert quoted.endswith("…")
    assert len(quoted) < 80
    assert long.startswith(quoted[2:-1])
    assert long[len(quoted) - 3] == " "  # cut between words


def test_a_dont_know_outcome_is_not_quoted(content: Content) -> None:
    chat = _checked_in(content)
    chat.press("I did it")
    chat.say("not sure")
    assert chat.text() == WHAT_WORKED


# ------------------------------------------------------------------ 2. "Partly"

BOARD_STEP = "book a proper 20 minutes with him before the next board"


def _partly_step(content: Content, step: str = BOARD_STEP) -> Chat:
    chat = _checked_in(content)
    chat.press("Partly")
    chat.say("he heard me out but we ran out of time")
    chat.say(step)
    return chat


def test_a_step_before_a_meeting_with_no_day_asks_which_day_the_meeting_is(
    content: Content,
) -> None:
    """Review 12g: "before the next board" got "When will you do it?", then "yes" got
    "No new check-in, then."."""
    chat = _partly_step(content)
    assert chat.text() == content.commitments.get("ask_meeting_day").format(
        meeting="the next board"
    )
    assert "Which day is the next board?" in chat.text()
    assert not _planned(chat)
    chat.say("Tuesday")
    new = chat.state.commitments[-1]
    assert new.text == f"{BOARD_STEP} on Tuesday"
    assert new.due_on == date(2026, 12, 9)  # the day after Tue 8 Dec's board
    assert [e.due_on for e in _planned(chat)] == [date(2026, 12, 9)]
    assert "Wed 9 Dec" in chat.text()


def test_a_meeting_given_at_the_when_question_is_asked_its_day(content: Content) -> None:
    """Review 8: "ask the site team to co-write the flow escalation card", then "before the
    next board" at "When will you do it?", got "No new check-in, then." and the step was
    kept as a reflection only."""
    chat = _partly_step(content, "ask the site team to co-write the flow escalation card")
    assert chat.text() == content.commitments.get("ask_when")
    chat.say("before the next board")
    assert "Which day is the next board?" in chat.text()
    chat.say("Thursday")
    new = chat.state.commitments[-1]
    assert new.text == (
        "ask the site team to co-write the flow escalation card before the next board on Thursday"
    )
    assert new.due_on == date(2026, 12, 4)  # the working day after Thu 3 Dec
    assert "No new check-in" not in chat.text()


def test_a_bare_yes_there_keeps_the_same_gap_and_says_the_date(content: Content) -> None:
    chat = _partly_step(content)
    first = chat.state.commitments[0]
    assert (first.due_on - first.at.date()).days == 10  # Fri 27 Nov to Mon 7 Dec
    chat.say("yes")
    new = chat.state.commitments[-1]
    assert new.text == BOARD_STEP
    assert new.due_on == date(2026, 12, 14)  # Wed 2 Dec + 10 is a Saturday: the Monday
    assert [e.due_on for e in _planned(chat)] == [new.due_on]
    assert "No new check-in" not in chat.text()
    assert f"{new.due_on:%a} {new.due_on.day} {new.due_on:%b}" in chat.text()


def test_a_bare_yes_at_the_when_question_keeps_the_same_gap_too(content: Content) -> None:
    chat = _partly_step(content, "ask Sam to cover the ED call")
    assert chat.text() == content.commitments.get("ask_when")
    chat.say("yes")
    assert _planned(chat)
    assert content.commitments.get("no_new_check_in") not in chat.text()


def test_that_s_it_there_is_still_no_new_check_in(content: Content) -> None:
    chat = _partly_step(content)
    chat.say("that's it")
    assert chat.text() == content.commitments.get("no_new_check_in")
    assert not _planned(chat)


# ------------------------------------------------------------------ 3. "hi" at the check-in


def test_hi_at_the_check_in_gets_one_short_line_and_the_options_only(content: Content) -> None:
    """Review 12g: "Which of these comes closest to what you meant?" and then the whole
    check-in again, double the length on a phone."""
    chat = _checked_in(content)
    on_screen = chat.last_ask()
    before = chat.state.reflections
    chat.say("hi")
    ask = chat.last_ask()
    missed = content.commitments.get("check_in_missed")  # review 8: "hi" is greeted back
    assert chat.text() == "\n".join([f"Hello. {missed}", *(c.label for c in on_screen.choices)])
    assert "comes closest" not in chat.text()
    assert "ask Sam" not in chat.text()  # the commitment is not quoted again
    assert ask.choices == on_screen.choices
    assert ask.token == on_screen.token
    assert chat.state.reflections == before  # "hi" is not kept
    chat.press("I did it")
    assert chat.state.commitments[0].status == "kept"


def test_a_story_typed_at_the_check_in_is_kept_then_the_options(content: Content) -> None:
    chat = _checked_in(content)
    chat.say(OUTCOME)
    assert chat.state.reflections[-1].text == OUTCOME
    assert "kept that in your journal" in chat.text()
    assert "ask Sam" not in chat.text()
    chat.say("1")  # its number
    assert chat.state.commitments[0].status == "kept"


# ------------------------------------------------------------------ 4. the safety check-in


@pytest.mark.parametrize("typed", ["carry on", "keep going", "continue", "yes", "Yes please"])
def test_carry_on_in_words_resumes_at_the_question_it_was_on(content: Content, typed: str) -> None:
    chat = in_dialogue(content)
    step = chat.state.dialogue.step  # type: ignore[union-attr]
    question = chat.text().split("\n")[-1]
    chat.say("im burnt out")
    chat.say(typed)
    assert chat.state.aside is None
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == step
    said = chat.text()
    assert said.startswith(content.safety.carried_on)
    assert question in said


def test_carried_on_is_plain_not_patronising(content: Content) -> None:
    """Review 12g: "We will go gently, and you can stop at any point" read as patronising."""
    assert "gently" not in content.safety.carried_on
    assert "Thanks for saying" not in content.safety.carried_on


@pytest.mark.parametrize(("typed", "paused"), [("pause", True), ("stop", False)])
def test_pause_and_stop_in_words(content: Content, typed: str, paused: bool) -> None:
    chat = in_dialogue(content)
    chat.say("im burnt out")
    chat.say(typed)
    assert chat.state.aside is None
    assert chat.state.dialogue is None
    assert (chat.state.profile.paused_until is not None) is paused


def test_anything_else_gets_one_explaining_line_not_the_bare_menu(content: Content) -> None:
    chat = in_dialogue(content)
    chat.say("im burnt out")
    for _ in range(3):
        chat.say("hmm")
        assert chat.last_ask().text == content.safety.check_in_again
        assert "check in" in chat.last_ask().text  # it says why it is asking
        assert chat.labels() == [
            "Carry on",
            "Pause nudges for a week",
            "Stop for now",
            "Show support contacts",
        ]
    assert "116 123" not in chat.text()


def test_yes_at_the_crisis_offer_takes_the_break(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("honestly i dont see the point of anything")
    chat.say("yes")
    assert chat.state.profile.paused_until is not None


# ------------------------------------------------------------------ 5. "same as them"


def test_the_team_is_burning_out_and_so_am_i_gets_the_safety_check_in(content: Content) -> None:
    chat = in_dialogue(content)
    chat.say("the team is burning out and so am i")
    assert isinstance(chat.state.aside, SafetyAside)
    assert chat.last_ask().text == content.safety.check_in


def test_feeling_terrible_for_the_team_is_an_answer(content: Content) -> None:
    chat = in_dialogue(content)
    chat.say("i feel terrible for the team")
    assert not isinstance(chat.state.aside, SafetyAside)
    assert "116 123" not in chat.text()


# ------------------------------------------------------------------ "Not yet"


def test_what_got_in_the_way_is_heard_before_the_next_step(content: Content) -> None:
    """Review 8: "CQC turned up unannounced on wednesday, everything else went out the
    window" went straight to "What is the one next step, and on which day?"."""
    chat = _checked_in(content)
    chat.press("Not yet")
    chat.say("CQC turned up unannounced on wednesday, everything else went out the window")
    lines = chat.text().split("\n")
    assert lines[0] == content.commitments.get("blocked_heard")
    assert content.commitments.get("next_step_question").split("?")[0] in chat.text()


def test_a_dont_know_at_what_got_in_the_way_gets_no_line_for_it(content: Content) -> None:
    chat = _checked_in(content)
    chat.press("Not yet")
    chat.say("not sure")
    assert content.commitments.get("blocked_heard") not in chat.text()
