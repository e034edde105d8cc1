"""Review 12h, wording: setbacks of any kind, a line that fits any answer, a close that fits
its branch, and no typed thing echoed where it needs an article the leader may not give."""

import pytest

from dialogs.content_model import Content
from tests.dialogs.chat import Chat, onboarded


@pytest.mark.parametrize(
    ("typed", "reads"),
    [
        ("single discharge hub", "that issue"),  # no article: the step's `refer_as`
        ("the savings target", "the savings target"),
        ("delayed discharges", "delayed discharges"),
        ("winter planning", "winter planning"),
        ("ICS flow", "ICS flow"),
        ("Sam's budget", "Sam's budget"),
    ],
)
def test_a_typed_thing_after_about_reads_with_its_article_or_is_referred_to(
    content: Content, typed: str, reads: str
) -> None:
    """Review 12h: "Thinking about single discharge hub, whose support..."; the echo rule
    everywhere, not one line (here "an honest word with you about {issue}")."""
    chat = Chat(content, onboarded())
    chat.say("start Have the real conversation first")
    chat.say(typed)
    assert f"about {reads}" in chat.text()


@pytest.mark.parametrize(
    ("typed", "reads"),
    [
        ("single discharge hub", "that change"),
        ("a single discharge hub", "a single discharge hub"),
    ],
)
def test_who_do_you_need_on_side_never_drops_an_article(
    content: Content, typed: str, reads: str
) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Who do you need on side?")
    chat.say(typed)
    assert f"Thinking about {reads}, whose support" in chat.text()


def _setback_words(content: Content) -> str:
    dialogue = content.dialogue("resilience.after-a-setback")
    assert dialogue is not None
    return " ".join(f"{s.text} {s.placeholder or ''}" for s in dialogue.steps.values())


@pytest.mark.parametrize(
    "assumes", ["whatever the decision", "next time", "finance lead", "the paper", "board's mind"]
)
def test_after_a_setback_fits_any_knock_not_only_a_business_case(
    content: Content, assumes: str
) -> None:
    """A CQC rating, a failed bid, a lost post: no "decision", no "next time"."""
    assert assumes not in _setback_words(content)


def test_after_a_meeting_does_not_call_any_answer_worth_taking_seriously(
    content: Content,
) -> None:
    chat = Chat(content, onboarded())
    chat.say("start After a meeting that went wrong")
    chat.say("the chair cut in each time I spoke")
    chat.press("Talking over others")
    chat.say("x")
    assert "worth taking seriously" not in chat.text()
    assert "raise it" in chat.text().lower()


def test_the_small_test_branch_closes_with_its_own_words(content: Content) -> None:
    dialogue = content.dialogue("influence.make-the-case")
    assert dialogue is not None
    close = dialogue.steps["close"].text
    assert "case lands" not in close  # every first move ends here, a small test too
