"""Review 12e, "it does not listen": answers the bot had already been given are not asked
for again, a "don't know" is met rather than passed over, and the check-in carries on."""

import pytest

from dialogs.commitment_step import given_parts
from dialogs.content import load_content
from dialogs.content_model import Content
from tests.conftest import CONTENT_DIR
from tests.dialogs.chat import Chat, onboarded
from tests.dialogs.test_commitments import at_commitment

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
    ("resilience.after-a-role-change", "commit"),
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
    assert chat.state.commitments[-1].text == "on Tuesday"
