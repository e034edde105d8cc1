"""Review 12e, "it does not listen": answers the bot had already been given are not asked
for again, a "don't know" is met rather than passed over, and the check-in carries on."""

from dataclasses import replace
from datetime import date

import pytest

from dialogs import texts
from dialogs.commitment_step import given_parts
from dialogs.content import load_content
from dialogs.content_model import Content
from tests.conftest import CONTENT_DIR
from tests.dialogs.chat import Chat, onboarded
from tests.dialogs.test_commitments import at_commitment, planned

CONTENT = load_content(CONTENT_DIR)
CASE = "influence.make-the-case"


def at_first_move(content: Content, move: str) -> Chat:
    chat = Chat(content, onboarded())
    chat.say("start Bringing peers with your idea")
    chat.say("one shared falls service")
    chat.press("Nobody has heard it yet")
    chat.say("the ward managers chasing beds")
    chat.say("fewer falls at night")
    chat.press(move)
    return chat


def test_a_who_and_a_when_to_a_question_that_names_the_action_is_a_commitment(
    content: Content,
) -> None:
    """ "Who will you see on their own first, and when?" → "the ED sister, monday"."""
    chat = at_first_move(content, "A one-to-one first")
    assert "Who will you see on their own first, and when?" in chat.text()
    chat.say("the ED sister, monday")
    assert content.commitments.get("ask_what") not in chat.text()
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text == "the ED sister, monday"


def test_a_who_with_no_when_is_still_asked_for_the_when(content: Content) -> None:
    chat = at_first_move(content, "A one-to-one first")
    chat.say("the ED sister")
    assert content.commitments.gap(("when",)) in chat.text()


# Commitment steps whose question already names the action: the leader gives who and when.
NAMES_THE_ACTION = [
    (CASE, "will-advice"),
    (CASE, "will-one-to-one"),
    (CASE, "will-sponsor"),
    (CASE, "will-test"),
    ("challenging-behaviour.after-the-meeting", "commit-test"),
    ("outcomes-over-outputs.what-difference", "commit"),
    ("reframing.questions-not-answers", "commit"),
    ("resilience.energy-audit", "commit-ask"),
    ("influence.tomorrows-meeting", "ally"),
]


@pytest.mark.parametrize(("dialogue_id", "step_id"), NAMES_THE_ACTION)
def test_a_step_that_names_the_action_gives_the_what(dialogue_id: str, step_id: str) -> None:
    dialogue = CONTENT.dialogue(dialogue_id)
    assert dialogue is not None
    assert "what" in given_parts(dialogue, dialogue.steps[step_id])


NAMES_THE_ACTION_WITH_WHO = [
    ("resilience.after-a-role-change", "commit-with"),
    ("influence.stakeholder-map", "commit-ask"),
    ("growing-leaders.lead-or-follow", "pledge"),
    ("backstage-frontstage.real-conversation", "commit-they"),
    ("backstage-frontstage.real-conversation", "commit-me"),
    ("backstage-frontstage.real-conversation", "commit-both"),
    ("backstage-frontstage.real-conversation", "commit"),
]


@pytest.mark.parametrize(("dialogue_id", "step_id"), NAMES_THE_ACTION_WITH_WHO)
def test_a_step_about_one_person_that_names_the_action_gives_the_what_and_who(
    dialogue_id: str, step_id: str
) -> None:
    """ "When will you have that conversation, and how will you open it?" → "on Tuesday"."""
    dialogue = CONTENT.dialogue(dialogue_id)
    assert dialogue is not None
    assert {"what", "who"} <= given_parts(dialogue, dialogue.steps[step_id])


def test_a_day_alone_answers_when_will_you_have_that_conversation(content: Content) -> None:
    chat = at_commitment(content, "backstage-frontstage.real-conversation")
    chat.say("on Tuesday")
    assert content.commitments.get("ask_what") not in chat.text()
    assert chat.state.dialogue is None
    # review 8: with what the question quoted ("You want to say: > the rota"), not the day alone
    assert chat.state.commitments[-1].text == "the rota on Tuesday"


# ------------------------------------------------------------------ a day given once


def test_a_dated_check_is_the_commitment_with_no_by_when(content: Content) -> None:
    """Review 12e: "ring them both tomorrow", then "By when will you have done it?"."""
    chat = Chat(content, onboarded())
    chat.say("start What are we taking for granted?")
    chat.say("the frailty pathway going live")
    chat.say("that the community teams have room")
    chat.press("No, the words are clear")
    chat.say("ring them both tomorrow")
    assert "By when will you have done it?" not in chat.text()
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text == "ring them both tomorrow"
    assert planned(chat) == date(2026, 11, 30)  # the working day after Sat 28 Nov


def test_an_undated_check_is_still_asked_by_when(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start What are we taking for granted?")
    chat.say("the frailty pathway going live")
    chat.say("that the community teams have room")
    chat.press("No, the words are clear")
    chat.say("ring the two team leads")
    assert "By when will you have done it?" in chat.text()


def test_a_habit_test_with_its_when_asks_only_for_the_look_back(content: Content) -> None:
    """Review 12h: the look-back is the check-in, asked as its day, in one question."""
    chat = Chat(content, onboarded())
    chat.say("start Let go of one habit, test a new one")
    chat.say("deciding, then telling people")
    chat.press("A few months, at least")
    chat.say("ask the matrons for options before I say mine, at monday's huddle")
    chat.say("quieter people speak")
    said = chat.text()
    assert "Which day shall I ask you how it went?" in said
    assert "Where and when will you test it" not in said
    chat.say("friday")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2026, 12, 7)  # the working day after Fri 4 Dec


def test_a_habit_test_with_no_when_is_asked_where_and_when(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Let go of one habit, test a new one")
    chat.say("deciding, then telling people")
    chat.press("A few months, at least")
    chat.say("ask the group for options before I give mine")
    chat.say("quieter people speak")
    assert "Where and when will you test it" in chat.text()


def test_a_post_change_with_its_date_is_not_asked_by_when_again(content: Content) -> None:
    """Review 12e: "consultation closes on the 18th", then "What has to be decided, and by
    when?"; "I'll chase HR by Friday", then "What is one step you will take this week"."""
    chat = Chat(content, onboarded())
    chat.say("start Your post has changed. What next?")
    chat.say("at risk, consultation closes on the 18th")
    said = chat.text()
    assert "by when" not in said.lower()
    assert "What has to be decided before then?" in said
    chat.say("whether to apply for the deputy role")
    chat.press("Honestly, I don't know")
    chat.say("calming the winter escalation call")
    chat.say("I'll chase HR by Friday")
    assert "What is one step you will take this week" not in chat.text()
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text == "I'll chase HR by Friday"


def test_a_post_change_with_no_date_asks_by_when(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Your post has changed. What next?")
    chat.say("at risk")
    assert "What has to be decided, and by when?" in chat.text()


# ------------------------------------------------------------------ "no idea really"


def test_a_dont_know_about_what_matters_to_them_is_met_and_asked_who_would_know(
    content: Content,
) -> None:
    """Review 12e: "no idea really" went straight on to "Where could your influence come from?"."""
    chat = Chat(content, onboarded())
    chat.say("start Who do you need on side?")
    for _ in range(6):  # bounded: the question comes within a few steps
        if "matters most to them" in chat.text():
            break
        awaiting = chat.state.awaiting
        assert awaiting is not None
        if awaiting.choices:
            chat.press(awaiting.choices[0].label)
        else:
            chat.say("the ICB director of nursing")
    else:
        pytest.fail("never reached the question")
    chat.say("no idea really")
    said = chat.text()
    assert any(line in said for line in texts.DONT_KNOW_HEARD)
    assert "Who could tell you what they are judged on" in said
    assert "Where could your influence" not in said
    chat.say("her PA, or the chief nurse")
    assert "Where could your influence" in chat.text()


def test_a_second_dont_know_moves_on_with_one_short_line(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start What are we taking for granted?")
    chat.say("the frailty pathway going live")
    chat.say("no idea really")
    assert "six months from now" in chat.text()
    chat.say("not sure")
    said = chat.text()
    assert texts.DONT_KNOW_AGAIN in said
    assert not any(line in said for line in texts.DONT_KNOW_HEARD)
    chat.press("No, the words are clear")
    said = chat.text()
    assert "whether that holds" not in said  # no dangling "that" after a don't-know
    assert "You are relying on this" not in said


def test_a_dont_know_where_the_step_has_no_gentler_question_is_met_and_moves_on(
    content: Content,
) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Let go of one habit, test a new one")
    chat.say("no idea really")
    said = chat.text()
    assert any(line in said for line in texts.DONT_KNOW_HEARD)
    assert "How much time are you giving yourself" in said


def test_a_gentler_question_is_asked_again_after_an_interruption(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start What are we taking for granted?")
    chat.say("the frailty pathway going live")
    chat.say("no idea really")
    chat.open(hours=2)  # the leader comes back to the console
    assert "six months from now" in chat.text()


# ------------------------------------------------------------------ after a setback


def at_what_weighs(content: Content) -> Chat:
    chat = Chat(content, onboarded())
    chat.say("start After a setback")
    for _ in range(6):  # bounded: the choice comes within a few steps
        awaiting = chat.state.awaiting
        assert awaiting is not None
        if any(c.label == "It's one knock too many" for c in awaiting.choices):
            return chat
        if awaiting.choices:
            chat.press(awaiting.choices[0].label)
        else:
            chat.say("the bid for the frailty unit was turned down")
    raise AssertionError("never reached the choice")


def test_one_knock_too_many_is_met_before_the_next_question(content: Content) -> None:
    """Review 12e: straight into "Think of a time you came back" with no word first."""
    chat = at_what_weighs(content)
    chat.press("It's one knock too many")
    lines = chat.text().split("\n")
    assert (
        lines[0] == "That sounds wearing. Knocks that come one after another take more out of you."
    )
    assert lines[1].startswith("Think of a time you came back")


def test_no_comeback_to_remember_gets_a_smaller_way_in(content: Content) -> None:
    chat = at_what_weighs(content)
    chat.press("It's one knock too many")
    chat.say("no idea really")
    said = chat.text()
    assert any(line in said for line in texts.DONT_KNOW_HEARD)
    assert "Then think smaller" in said
    assert "what would you do the same again" not in said


# ------------------------------------------------------------------ the check-in carries on


def made_commitment(chat: Chat) -> str:
    """A commitment made on Fri 27 Nov in "After a setback", checked on Wed 2 Dec."""
    at = at_commitment(chat.content)
    chat.state, chat.at = at.state, at.at
    chat.say("ask Sam to cover Friday's huddle")
    commitment = chat.state.commitments[-1].id
    chat.follow_up_due(commitment, days=5)
    assert "How did it go?" in chat.text()
    return commitment


def test_partly_asks_what_they_noticed_then_one_next_step_with_a_day(content: Content) -> None:
    chat = Chat(content, onboarded())
    first = made_commitment(chat)
    chat.press("Partly")
    chat.say("Sam said yes to one of them")
    assert content.commitments.get("next_step_question") in chat.text()
    chat.say("ask Sam about the second huddle on Monday")
    step = chat.state.commitments[-1]
    assert step.id != first
    assert step.text == "ask Sam about the second huddle on Monday"
    assert planned(chat) == date(2026, 12, 8)  # the working day after Mon 7 Dec
    assert step.dialogue == "resilience.after-a-setback"
    assert chat.state.commitments[-2].status == "partly"
    said = chat.text()
    assert content.commitments.get("next_step_planned").format(day="Tue 8 Dec") in said
    assert chat.state.aside is None
    assert chat.state.awaiting is None
    chat.follow_up_due(step.id, days=6)
    assert "ask Sam about the second huddle" in chat.text()  # the loop carries on


def test_not_yet_asks_what_got_in_the_way_then_one_next_step_with_a_day(
    content: Content,
) -> None:
    chat = Chat(content, onboarded())
    first = made_commitment(chat)
    chat.press("Not yet")
    chat.say("the rota fell apart this week")
    assert content.commitments.get("next_step_question") in chat.text()
    chat.say("email Sam on Thursday")
    old, new = chat.state.commitments[-2], chat.state.commitments[-1]
    assert old.id == first
    assert old.status == "not_yet"
    assert new.text == "email Sam on Thursday"
    assert new.status == "open"
    assert planned(chat) == date(2026, 12, 4)
    chat.follow_up_due(first, days=5)  # the day the "not yet" had set: not asked twice
    assert chat.text() == ""


def test_i_did_it_asks_what_happened_and_what_made_it_work_and_keeps_both(
    content: Content,
) -> None:
    chat = Chat(content, onboarded())
    made_commitment(chat)
    chat.press("I did it")
    said = chat.text()
    assert content.commitments.get("keep_question") in said
    chat.say("Sam covered it and stayed on")
    assert chat.state.reflections[-1].text == "Sam covered it and stayed on"
    chat.say("asking for cover early, not on the day")
    assert chat.state.reflections[-1].text == "asking for cover early, not on the day"
    assert chat.state.commitments[-1].status == "kept"
    assert chat.state.aside is None


@pytest.mark.parametrize("label", ["I did it", "Partly", "Not yet"])
def test_no_set_up_offer_straight_after_a_check_in(content: Content, label: str) -> None:
    """Review 12e: "choose your themes" popped up right after each check-in."""
    chat = Chat(content, onboarded())
    made_commitment(chat)
    profile = chat.state.profile
    chat.state = replace(chat.state, profile=replace(profile, onboarded=False))
    chat.press(label)
    for _ in range(3):  # bounded: at most three lines to the end of the check-in
        if chat.state.aside is None:
            break
        chat.say("that's it" if chat.state.commitments[-1].status != "open" else "the rota")
    assert chat.state.aside is None
    assert content.onboarding.setup_question not in chat.text()
