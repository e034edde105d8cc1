"""Blind review 12f's engine seams: a digit or a "don't know" at a commitment's follow-up
question, a step with no day, the check-in after "Partly" and "I did it", the set-up
offer and theme picker, and a tired first message."""

from datetime import date

import pytest

from dialogs import texts
from dialogs.content_model import Content
from dialogs.engine import answered
from dialogs.model import FollowUpPlanned
from tests.dialogs.chat import Chat, message_text
from tests.dialogs.test_commitments import CONTENT, at_commitment, at_prep_step


def _no_check_in(chat: Chat) -> bool:
    assert chat.last is not None
    return not any(isinstance(e, FollowUpPlanned) for e in chat.last.effects)


# ------------------------------------------------------------------ 1. a digit, a don't-know


def test_a_digit_at_prep_follow_up_is_asked_again_once_then_kept_as_a_note(
    content: Content,
) -> None:
    """Review 12f, `prep`: "by Friday", then "3" at "Who will you catch before the meeting,
    and when?" was kept as the commitment, "in your own words", with a check-in."""
    chat = at_prep_step(content, "Someone onside first")
    chat.say("by Friday")
    question = chat.text()
    assert "who will you catch" in question.lower()
    chat.say("3")
    assert chat.state.dialogue is not None  # not a commitment
    said = chat.text()
    assert content.commitments.get("gap_number") in said
    assert said.endswith(question)  # the question again
    assert _no_check_in(chat)
    chat.say("3")
    assert chat.state.dialogue is None
    said = chat.text()
    assert content.commitments.get("as_written") not in said
    assert "how it went" not in said
    assert chat.state.commitments == ()
    assert _no_check_in(chat)
    assert all(r.text != "3" for r in chat.state.reflections)


def test_a_dont_know_at_a_follow_up_is_met_and_asked_again_once(content: Content) -> None:
    """Review 12f, walker: a paragraph, then "no idea really" at the follow-up, got a check-in
    on the conversation's default day."""
    chat = at_prep_step(content, "Someone onside first")
    chat.say("by Friday")
    question = chat.text()
    chat.say("no idea really")
    assert chat.state.dialogue is not None
    said = chat.text()
    assert content.commitments.get("gap_dont_know") in said
    assert said.endswith(question)
    chat.say("no idea really")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert _no_check_in(chat)
    # "by Friday" was all there was: a day alone is no note either (review 12h)
    assert content.commitments.get("nothing_kept") in chat.text()


def test_an_answer_after_the_re_ask_still_lands(content: Content) -> None:
    chat = at_prep_step(content, "Someone onside first")
    chat.say("by Friday")
    chat.say("3")
    chat.say("catch Sam at 8.45 before it starts")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].due_on == date(2026, 11, 30)


def test_a_digit_at_a_plain_dialogue_follow_up_is_asked_again(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("I'll talk to people about it.")
    chat.say("2")
    assert chat.state.dialogue is not None
    assert content.commitments.get("gap_number") in chat.text()


# ------------------------------------------------------------------ 2. a step with no day

DIALOGUES = [d.id for d in CONTENT.dialogues if d.kind != "prep"]


@pytest.mark.parametrize("dialogue", DIALOGUES)
def test_a_step_with_no_day_gets_one_question_then_the_dialogues_own_day_in_plain_words(
    content: Content, dialogue: str
) -> None:
    """Issue 12 §2: where the leader gives no day, the dialogue's default applies; review
    12f: said as "this conversation's default check-in", which is system-speak. One short
    question for the day; then the day picked, said plainly with its date."""
    chat = at_commitment(content, dialogue)
    chat.say("email Sam the draft")
    assert chat.state.dialogue is not None
    found = content.dialogue(dialogue)
    assert found is not None
    step = found.steps[chat.state.dialogue.step]
    assert chat.text() == (step.follow_up or content.commitments.get("ask_when"))
    chat.say("when I get a minute")
    assert chat.state.dialogue is None
    said = chat.text()
    assert content.commitments.get("day_picked") in said
    assert "default" not in said
    assert "how it went on" in said
    assert "email Sam the draft" in chat.state.commitments[-1].text


def test_no_content_says_default_check_in() -> None:
    copy = dict(CONTENT.commitments.texts)
    assert not any("default" in text for text in copy.values())


def test_a_prep_step_with_no_time_is_checked_in_after_the_meeting(content: Content) -> None:
    chat = at_prep_step(content, "Someone onside first")
    chat.say("catch Sam")
    chat.say("that's it")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].due_on == date(2026, 11, 30)  # after Sat 28's meeting


# ------------------------------------------------------------------ 3. the check-in


def _checked_in(content: Content) -> Chat:
    chat = at_commitment(content)
    chat.say("ask Sam to cover Friday's huddle")
    chat.follow_up_due(chat.state.commitments[-1].id, days=5)  # Wed 2 Dec
    return chat


def test_partly_is_met_before_what_did_you_notice(content: Content) -> None:
    chat = _checked_in(content)
    chat.press("Partly")
    said = chat.text()
    assert said.index(content.commitments.get("partly_heard")) < said.index("notice")


def test_after_partly_a_step_with_no_day_gets_one_question_for_it(content: Content) -> None:
    """Review 12f: "ask Sam to cover the ED call on thursdays" got only "Saved to your
    journal." — no push for the day, no word about a check-in."""
    chat = _checked_in(content)
    chat.press("Partly")
    chat.say("Sam covered one of the two")
    chat.say("ask Sam to cover the ED call")
    assert chat.text() == content.commitments.get("ask_when")
    assert _no_check_in(chat)
    chat.say("Tuesday")
    assert chat.state.aside is None
    new = chat.state.commitments[-1]
    assert new.text == "ask Sam to cover the ED call on Tuesday"
    assert new.due_on == date(2026, 12, 9)  # the day after Tue 8 Dec


def test_after_partly_no_day_is_no_new_check_in(content: Content) -> None:
    chat = _checked_in(content)
    chat.press("Partly")
    chat.say("Sam covered one of the two")
    chat.say("ask Sam to cover the ED call")
    chat.say("that's it")
    assert chat.text() == content.commitments.get("no_new_check_in")
    assert "No new check-in, then." in chat.text()
    assert _no_check_in(chat)
    assert chat.state.reflections[-1].text == "ask Sam to cover the ED call"
    assert chat.state.aside is None


def test_i_did_it_gets_more_than_well_done(content: Content) -> None:
    chat = _checked_in(content)
    chat.press("I did it")
    assert "Well done" not in chat.text()
    assert chat.text() == content.commitments.get("keep_question")


# ------------------------------------------------------------------ 4. set-up


def test_the_set_up_offer_is_asked_again_after_a_command_at_most_once(
    content: Content,
) -> None:
    """Review 12f: a coach typing `coach add`, `coach leaders`, `coach dashboard` got the
    set-up offer after each reply. It stays answerable; it is not repeated."""
    offer = content.onboarding.setup_question
    chat = Chat(content)
    chat.say("help")  # a first message that is a command: welcome, help, the offer
    assert offer in chat.text()
    chat.say("privacy")
    assert offer in chat.text()  # once more
    on_screen = chat.last_ask()
    for command in ("journal", "help", "privacy"):
        chat.say(command)
        assert offer not in chat.text(), command
    chat.press("Set up now", on_screen)  # still answerable
    assert content.onboarding.themes_question in chat.text()


def test_after_a_service_command_the_set_up_offer_is_not_repeated_either(
    content: Content,
) -> None:
    offer = content.onboarding.setup_question
    chat = Chat(content)
    chat.say("help")
    chat.say("privacy")
    turn = answered(chat.state, content, chat.at)  # e.g. `coach leaders`, answered by a service
    assert offer not in "\n".join(message_text(m) for m in turn.messages)


def _to_theme_picker(content: Content) -> Chat:
    chat = Chat(content)
    chat.say("hi")
    chat.press("Set up now")
    assert content.onboarding.themes_question in chat.text()
    return chat


def test_the_theme_picker_shows_a_phone_screen_and_more_behind_a_button(
    content: Content,
) -> None:
    """Review 12f: a 14-item list, then the same list with "That's enough" at the bottom."""
    chat = _to_theme_picker(content)
    labels = chat.labels()
    assert len(labels) <= 6
    assert labels[-1] == "More themes"
    assert "After a restructure: what next" in labels
    chat.press("More themes")
    assert len(chat.labels()) == len(content.themes)  # every theme, once asked for
    chat.press("Resilience and energy")
    follow_up = chat.labels()
    assert follow_up[0] == "That's enough"  # first, not at the bottom of the screen
    assert len(follow_up) <= 6
    assert "Resilience and energy" not in follow_up
    assert follow_up[-1] == "More themes"
    chat.press("That's enough")
    assert chat.state.aside is not None
    assert chat.state.aside.stage == "time"  # type: ignore[union-attr]


def test_numbers_typed_at_the_picker_are_the_ones_on_screen(content: Content) -> None:
    chat = _to_theme_picker(content)
    labels = chat.labels()
    chat.say("1, 2")
    chosen = [t.title for t in content.themes if t.id in chat.state.aside.themes]  # type: ignore[union-attr]
    assert chosen == labels[:2]


def test_a_theme_not_on_screen_can_still_be_typed_by_name(content: Content) -> None:
    chat = _to_theme_picker(content)
    assert "Time to unlearn" not in chat.labels()
    chat.say("time to unlearn")
    assert chat.state.aside.themes == ("unlearning",)  # type: ignore[union-attr]


def test_theme_titles_mean_something_to_a_director() -> None:
    titles = {t.title for t in CONTENT.themes}
    assert not titles & {
        "Backstage and frontstage",
        "Person, task, then role",
        "Reframing, not fixing",
    }


# ------------------------------------------------------------------ 5. a tired first message


def test_im_exhausted_as_a_first_message_is_met_before_the_suggestion(content: Content) -> None:
    """Review 12f: welcome, privacy line, then "That sounds like a good fit for…": a pitch.
    Review 12g: one question first (today, or for a while?), then a line and the offer."""
    chat = Chat(content)
    chat.say("I'm exhausted")
    assert chat.last_ask().text == texts.HOW_LONG
    turn = chat.press("Just today")
    texts_said = [message_text(m) for m in turn.messages]
    assert texts_said[0] == texts.JUST_TODAY
    suggestion = chat.last_ask().text
    assert suggestion.startswith("One thing that may help: **Where is your energy going?**")
    assert "good fit" not in chat.text()


def test_a_plain_request_gets_the_suggestion_without_sympathy(content: Content) -> None:
    chat = Chat(content)
    chat.say("board tomorrow")
    assert "sounds hard" not in chat.text()
    assert chat.last_ask().text.startswith("One thing that may help:")


def test_a_title_with_and_in_it_typed_is_one_theme(content: Content) -> None:
    """Walked in the console: "Resilience and energy" typed was read as two themes, so the
    picker skipped its follow-up question."""
    chat = _to_theme_picker(content)
    chat.say("Resilience and energy")
    assert chat.state.aside.stage == "more_themes"  # type: ignore[union-attr]
    assert chat.state.aside.themes == ("resilience",)  # type: ignore[union-attr]


@pytest.mark.parametrize("yes", ["yes", "Yeah.", "yep", "sure"])
def test_a_bare_yes_at_a_follow_up_is_not_the_person(content: Content, yes: str) -> None:
    """Review 12g, "Your post has changed": "by Friday", then "yes" to "Who is it with, or
    who will notice?" was kept as the person, with a check-in on nothing."""
    chat = at_commitment(content, "crossroads.what-next")
    chat.say("by Friday")
    question = chat.text()
    assert chat.state.dialogue is not None
    chat.say(yes)
    said = chat.text()
    assert content.commitments.get("gap_yes") in said
    assert said.endswith(question)  # the question again
    assert _no_check_in(chat)
    chat.say("ask HR whether the deputy role is real")
    assert chat.state.dialogue is None
    assert "HR" in chat.state.commitments[-1].text
