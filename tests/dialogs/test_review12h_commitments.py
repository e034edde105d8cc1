"""Review 12h: commitments that are only kept when they are a step. A "not sure" is never
the step's words; a bare name at a prep's who-question is the person; an answer at the
follow-up that is neither a time nor an action is not glued into the step; a long earlier
answer is not glued to the front of the step that builds on it."""

from datetime import date

from dialogs.content_model import Content
from dialogs.model import FollowUpPlanned
from tests.dialogs.chat import Chat, onboarded


def planned_days(chat: Chat) -> list[date]:
    assert chat.last is not None
    return [e.due_on for e in chat.last.effects if isinstance(e, FollowUpPlanned)]


def on_side_not_sure(content: Content, teller: str) -> Chat:
    """Dialogue 2 down "Not sure yet" to "When will you ask {teller}…?"."""
    chat = Chat(content, onboarded())
    chat.say("start Who do you need on side?")
    chat.say("single discharge hub")
    chat.say("the council director")
    chat.say("beds")
    chat.press("Not sure yet")
    chat.say(teller)
    progress = chat.state.dialogue
    assert progress is not None and progress.step == "commit-ask"
    return chat


def test_not_sure_at_a_commitment_is_not_its_words(content: Content) -> None:
    chat = on_side_not_sure(content, "i'll talk to people about it")
    chat.say("not sure")
    assert chat.state.dialogue is not None  # one follow-up, for the step itself
    chat.say("next week")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert content.commitments.get("no_check_in") in chat.text()
    assert all("not sure" not in r.text for r in chat.state.reflections)


def test_after_not_sure_a_step_with_its_day_is_kept_alone(content: Content) -> None:
    chat = on_side_not_sure(content, "the AMU matron")
    chat.say("no idea")
    chat.say("ask her after Monday's huddle")
    assert [c.text for c in chat.state.commitments] == ["ask her after Monday's huddle"]
    assert len(planned_days(chat)) == 1
