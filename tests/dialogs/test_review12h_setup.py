"""Review 12h, first contact and set-up: the "Which of these comes closest..." line is never
said without its options under it, and a set-up offer does not capture free text."""

import itertools

import pytest

from dialogs import texts
from dialogs.content_model import Content
from dialogs.model import Ask, Say
from dialogs.records import evolve
from dialogs.state import SuggestAside
from tests.dialogs.chat import Chat, onboarded

LINES = {texts.DIDNT_CATCH, texts.DIDNT_CATCH_DIALOGUE, *texts.DIDNT_CATCH_AGAIN}
# What the reviewer typed: commands that walk past the offer, then words it cannot place.
OPENERS = ("hi", "help", "start", "prep", "privacy", "journal", "schedule")
LATER = ("next week", "by Friday", "I feel stuck", "x", "3", "ok", "hmm, not sure")


def _dangling(chat: Chat) -> list[str]:
    """Lines of the "which of these" kind not followed at once by a question with options."""
    assert chat.last is not None
    messages = chat.last.messages
    found = []
    for i, message in enumerate(messages):
        if isinstance(message, Say) and message.text in LINES:
            follows = messages[i + 1] if i + 1 < len(messages) else None
            if not (isinstance(follows, Ask) and follows.choices):
                found.append(message.text)
    return found


@pytest.mark.parametrize("first", OPENERS)
def test_the_which_of_these_line_always_has_its_options_under_it(
    content: Content, first: str
) -> None:
    for second, third in itertools.product((*OPENERS, *LATER), LATER):
        chat = Chat(content)
        for said in ("hi", first, second, third):
            chat.say(said)
            assert not _dangling(chat), (first, second, third, said)


def _offer_walked_past(content: Content) -> Chat:
    chat = Chat(content)
    chat.say("hi")
    chat.say("help")  # a command typed instead of answering the offer
    chat.say("privacy")
    return chat


@pytest.mark.parametrize("said", ["I feel stuck", "next week", "by Friday", "x"])
def test_a_set_up_offer_walked_past_does_not_capture_free_text(
    content: Content, said: str
) -> None:
    chat = _offer_walked_past(content)
    chat.say(said)
    assert texts.DIDNT_CATCH not in chat.text()
    assert content.onboarding.setup_question not in chat.text()


def test_free_text_at_the_offer_after_a_dialogue_is_read_as_free_text(content: Content) -> None:
    """`prep` walks past the offer; it comes back once the dialogue is over; a late "next
    week" there is not met with the set-up buttons."""
    chat = Chat(content)
    chat.say("hi")
    chat.say("prep")
    chat.finish_dialogue("I'll ask the chair what worries her by Friday")
    assert content.onboarding.setup_question in chat.text()  # offered again, at the end
    chat.say("I feel stuck")
    assert texts.DIDNT_CATCH not in chat.text()
    assert texts.UNSURE in chat.text()


def test_the_walked_past_offer_stays_answerable(content: Content) -> None:
    chat = Chat(content)
    chat.say("hi")
    chat.say("help")
    on_screen = chat.last_ask()  # the offer, asked once more after the command
    chat.say("privacy")
    chat.say("I feel stuck")
    chat.press("Set up now", on_screen)
    assert content.onboarding.themes_question in chat.text()


@pytest.mark.parametrize(
    "said", ["ok", "OK", "okay", "sure", "go on", "yes please", "yep", "let's do it", "Ok."]
)
def test_an_everyday_yes_at_a_suggestion_starts_it(content: Content, said: str) -> None:
    """Review 12h: "ok" at "Shall we? 1. Yes, let's start" got "Which of these comes
    closest..."."""
    chat = Chat(content, onboarded())
    chat.say("board tomorrow and the chair is hostile")
    assert isinstance(chat.state.aside, SuggestAside)
    offered = chat.state.aside.dialogue
    chat.say(said)
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == offered
    assert texts.DIDNT_CATCH not in chat.text()


@pytest.mark.parametrize(
    ("source", "told"),
    [("default", True), ("machine", True), ("platform", False), ("leader", False)],
)
def test_set_up_says_how_to_change_a_zone_nobody_gave(
    content: Content, source: str, told: bool
) -> None:
    """Review 12h: "I will send a short nudge at 07:30 UTC." from the console on a UTC
    machine, with no word on changing it. Slack and Teams give the zone; the leader may."""
    chat = Chat(content)
    chat.state = evolve(chat.state, profile=evolve(chat.state.profile, timezone_source=source))
    chat.say("hi")
    chat.press("Set up now")
    chat.press("Resilience and energy")
    chat.press("That's enough")
    chat.say("7.30am")
    assert (content.onboarding.zone_guessed in chat.text()) is told
    assert "timezone Europe/London" in content.onboarding.zone_guessed
