"""Tiredness is not distress (review 4, issue 12 §8): "I'm exhausted", "shattered" and
"knackered" get the energy conversation, not the crisis contacts (Samaritans, 999); real
distress still gets them, with tiredness in it or not."""

import pytest

from dialogs.content_model import Content
from dialogs.model import SafetyAside, SuggestAside
from dialogs.screening import distress
from tests.dialogs.chat import Chat, onboarded

ENERGY = "resilience.energy-audit"
TIRED = (
    "I'm exhausted",
    "im exhausted",
    "I'm so exhausted",
    "shattered",
    "I'm shattered",
    "knackered",
    "absolutely knackered today",
    "honestly im exhausted",
)
DISTRESS = (
    "I'm exhausted all the time",
    "so exhausted I can barely think",
    "I'm absolutely shattered and it's not getting any better",
    "im knackered every single day, no energy for anything",
    "exhausted and I can't cope any more",
    "I'm exhausted and I feel hopeless",
    "burnt out and exhausted",
)


@pytest.mark.parametrize("text", TIRED)
def test_tiredness_gets_the_energy_conversation_not_the_crisis_contacts(
    content: Content, text: str
) -> None:
    assert distress(text, content.safety) is None
    chat = Chat(content, onboarded())
    chat.say(text)
    said = chat.text()
    assert "Samaritans" not in said
    assert "999" not in said
    assert isinstance(chat.state.aside, SuggestAside)  # asked how long first (review 12g)
    assert chat.state.aside.dialogue == ENERGY


@pytest.mark.parametrize("text", DISTRESS)
def test_distress_with_tiredness_in_it_still_gets_the_contacts(
    content: Content, text: str
) -> None:
    found = distress(text, content.safety)
    assert found is not None
    chat = Chat(content, onboarded())
    chat.say(text)
    assert isinstance(chat.state.aside, SafetyAside)
    if found.level == "concern":  # review 12h: the contacts one button away
        chat.press("Show support contacts")
    assert "Samaritans" in chat.text()


def test_tiredness_inside_the_energy_conversation_is_an_answer(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Where is your energy going?")
    chat.say("I'm exhausted by back-to-back system meetings")
    assert "Samaritans" not in chat.text()
    assert chat.state.reflections[-1].text == "I'm exhausted by back-to-back system meetings"
