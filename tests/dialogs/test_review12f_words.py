"""Blind review 12f, the wording: one question per message, a "don't know" at a step the next
one relies on is asked for a role, no stock line or "fair enough", an acknowledgement after
the post's news, and a proportionate line first when burnout is mentioned."""

from dialogs.content_model import Content
from dialogs.model import SafetyAside
from dialogs.screening import distress
from tests.dialogs.chat import Chat, onboarded


# ------------------------------------------------------------------ your post has changed


def test_the_post_news_is_acknowledged_before_what_has_to_be_decided(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Your post has changed. What next?")
    chat.say("director of nursing post deleted in the restructure")
    lines = chat.text().split("\n")
    assert lines[0] == "That is a hard place to be, with the day job still going on."
    assert lines[1].startswith("What has to be decided")


# ------------------------------------------------------------------ burnout in proportion


BURN = "none really, i need to stop by next week or I'll burn out"


def test_burnout_said_in_passing_names_the_proportionate_support_first(
    content: Content,
) -> None:
    assert distress(BURN, content.safety) is not None  # still a concern, as in the corpus
    chat = Chat(content, onboarded())
    chat.say("start Let go of one habit, test a new one")
    chat.say(BURN)
    said = chat.text()
    assert isinstance(chat.state.aside, SafetyAside)
    assert said.index("Practitioner Health") < said.index("Samaritans")
    assert "more than tiredness" in said
    chat.press("Carry on")
    assert chat.state.dialogue is not None  # the conversation carries on
