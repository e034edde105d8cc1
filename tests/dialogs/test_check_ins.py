"""Blind review 12g's check-in: "I did it" met with a glib line and no question about the
result, "Partly" losing "before the next board" and a bare "yes", and "hi" typed at the
check-in answered with the whole check-in again."""

from dialogs.content_model import Content
from dialogs.model import FollowUpPlanned
from tests.dialogs.chat import Chat
from tests.dialogs.test_commitments import at_commitment

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
