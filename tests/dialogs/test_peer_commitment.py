"""After a peer-circle meeting: the engine asks what the leader will try and keeps it as a
commitment with a follow-up, as after a dialogue; a dialogue in progress waits underneath."""

from datetime import date

from dialogs.content_model import Content
from dialogs.model import (
    Choice,
    FollowUpPlanned,
    PeerCommitAside,
    PeerCommitAsked,
    Prompt,
    Say,
    ServiceAnswered,
    ServiceQuestion,
)
from tests.dialogs.chat import Chat, onboarded

ASKED = PeerCommitAsked(
    "c1:2",
    "What will you try after talking with your peers?",
    "one small step",
    "Saved. I'll ask how it went on {day}.",
    Chat.at,
)


def test_the_answer_becomes_a_commitment_with_a_follow_up(content: Content) -> None:
    chat = Chat(content, onboarded())  # AT is Friday 27 Nov
    turn = chat.send(ASKED)
    assert turn.messages == (Prompt(ASKED.question, ASKED.placeholder),)
    assert isinstance(chat.state.aside, PeerCommitAside)

    turn = chat.say("ask Priya for ten minutes on Tuesday")
    (commitment,) = chat.state.commitments
    assert commitment.text == "ask Priya for ten minutes on Tuesday"
    assert commitment.due_on == date(2026, 12, 2)  # the working day after the day named
    assert FollowUpPlanned(commitment.id, commitment.due_on, None) in turn.effects
    assert turn.messages == (Say("Saved. I'll ask how it went on Wed 2 Dec."),)
    assert chat.state.aside is None


def test_with_no_day_named_the_follow_up_is_a_week_on(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.send(ASKED)
    chat.say("listen more than I talk")
    (commitment,) = chat.state.commitments
    assert commitment.due_on == date(2026, 12, 4)  # Fri 27 Nov + 7 days, a working day


def test_opening_the_app_again_asks_the_question_again(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.send(ASKED)
    turn = chat.open(hours=3)
    assert Prompt(ASKED.question, ASKED.placeholder) in turn.messages


def test_an_nhs_number_in_the_answer_is_not_kept(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.send(ASKED)
    chat.say("call about 943 476 5919 on Monday")
    assert chat.state.commitments == ()


def test_met_on_a_circle_check_in_asks_what_they_will_try_in_the_same_turn(
    content: Content,
) -> None:
    chat = Chat(content, onboarded())
    choices = (Choice("met", "Met"), Choice("rescheduled", "Rescheduled"))
    chat.send(ServiceQuestion("Did your group meet?", choices, "svc:circle-checkin:c1:2", Chat.at))
    turn = chat.press("Met")
    assert ServiceAnswered("svc:circle-checkin:c1:2", "met") in turn.effects
    assert isinstance(turn.messages[-1], Prompt)
    assert turn.messages[-1].text == "What will you try after talking with your peers?"
    aside = chat.state.aside
    assert isinstance(aside, PeerCommitAside)
    assert aside.ref == "c1:2"

    chat.send(ServiceQuestion("Did your group meet?", choices, "svc:circle-checkin:c1:3", Chat.at))
    turn = chat.press("Rescheduled")
    assert not any(isinstance(m, Prompt) for m in turn.messages)
