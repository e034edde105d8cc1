"""Nudges: rotation without repeats, "not for me", resurfacing, buttons; follow-ups."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta

from dialogs import texts
from dialogs.content_model import Content
from dialogs.dates import working_day_from
from dialogs.model import Ask, NudgeRecord, Reflection, SnoozeEnded, SnoozeRequested
from tests.conftest import AT
from tests.dialogs.chat import Chat, onboarded


def sent_nudges(chat: Chat) -> list[str]:
    return [r.nudge for r in chat.state.nudges if r.nudge]


def test_a_delivery_key_always_renders_the_same_nudge_and_is_remembered_once(
    content: Content,
) -> None:
    """Whether to send is the ledger's decision; a resend after a crash must be identical."""
    chat = Chat(content, onboarded())
    first = chat.nudge_due("s1@2026-11-27T08:30Z").messages
    again = chat.nudge_due("s1@2026-11-27T08:30Z").messages
    assert first
    assert again == first
    assert len(chat.state.nudges) == 1


def test_no_nudge_repeats_until_every_nudge_of_the_theme_was_sent(content: Content) -> None:
    chat = Chat(content, onboarded())
    theme = "resilience"
    pool = {n.id for n in content.nudges_for(theme)}
    for i in range(len(pool)):
        chat.nudge_due(f"d{i}", (theme,), hours=24)
        chat.state = replace(chat.state, reflections=())  # keep resurfacing out of this test
    assert set(sent_nudges(chat)) == pool
    chat.nudge_due("again", (theme,), hours=24)
    assert Counter(sent_nudges(chat)).most_common(1)[0][1] == 2


def test_themes_take_turns(content: Content) -> None:
    chat = Chat(content, onboarded())
    for i in range(4):
        chat.nudge_due(f"d{i}", ("influence", "resilience"), hours=24)
    themes = [r.theme for r in chat.state.nudges]
    assert themes == ["influence", "resilience", "influence", "resilience"]


def test_not_for_me_is_never_sent_again(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.nudge_due("d0", ("wicked-problems",))
    first = sent_nudges(chat)[0]
    chat.press("Not for me")
    assert first in chat.state.not_for_me
    for i in range(1, 30):
        chat.nudge_due(f"d{i}", ("wicked-problems",), hours=24)
    assert sent_nudges(chat).count(first) == 1


def test_every_nudge_offers_reflect_snooze_and_not_for_me(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.nudge_due("d0", ("influence",))
    labels = chat.labels()
    assert labels[0] == "Reflect now"
    assert labels[-2:] == ["Snooze", "Not for me"]


def test_reflect_now_keeps_a_one_line_reflection(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.nudge_due("d0", ("influence",))
    chat.press("Reflect now")
    chat.say("I will ask Priya what she needs from the board")
    reflection = chat.state.reflections[-1]
    assert reflection.text == "I will ask Priya what she needs from the board"
    assert reflection.theme == "influence"
    assert chat.state.nudges[-1].response == "reflected"


def test_replying_to_a_nudge_in_words_is_a_reflection(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.nudge_due("d0", ("influence",))
    chat.say("I rarely ask what the finance lead needs")
    assert chat.state.reflections[-1].text == "I rarely ask what the finance lead needs"
    assert chat.text() == texts.REFLECTION_SAVED


def test_the_dialogue_button_starts_the_related_dialogue(content: Content) -> None:
    chat = Chat(content, onboarded())
    linked = [n for n in content.nudges_for("influence") if n.dialogue]
    chat.state = replace(
        chat.state,
        not_for_me=tuple(n.id for n in content.nudges_for("influence") if not n.dialogue),
    )
    chat.nudge_due("d0", ("influence",))
    chat.press("Try the 3-minute version")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == linked[0].dialogue


def test_snooze_asks_how_long_and_hands_the_time_to_the_scheduler(content: Content) -> None:
    chat = Chat(content, onboarded(nudge_time="08:30", timezone="Europe/London"))
    chat.nudge_due("d0", ("influence",))
    chat.press("Snooze")
    turn = chat.press("An hour from now")
    assert turn.effects == (SnoozeRequested("d0", chat.at + timedelta(hours=1)),)
    chat.nudge_due("d1", ("influence",), hours=24)
    chat.press("Snooze")
    turn = chat.press("Tomorrow")
    (effect,) = turn.effects
    assert isinstance(effect, SnoozeRequested)
    assert effect.until.isoformat() == "2026-11-29T08:30:00+00:00"


def test_a_nudge_button_still_works_after_other_questions(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.nudge_due("d0", ("influence",))
    nudge = chat.last_ask()
    chat.say("start")  # the menu replaces the nudge as the open question
    chat.press("Not for me", nudge)
    assert chat.state.nudges[0].response == "not_for_me"
    assert chat.press("Not for me", nudge).messages == ()  # and only once


def test_a_nudge_during_a_dialogue_leaves_the_dialogue_answerable(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start energy")
    chat.nudge_due("d0", ("influence",))
    step_before = chat.state.dialogue.step  # type: ignore[union-attr]
    chat.say("Full" if chat.state.awaiting and chat.state.awaiting.choices else "my week")
    assert chat.state.dialogue is None or chat.state.dialogue.step != step_before


def test_about_one_nudge_in_five_resurfaces_an_old_reflection(content: Content) -> None:
    old = Reflection("r1", AT - timedelta(days=20), "I never ask the GPs first", "influence")
    chat = Chat(content, onboarded(), at=AT)
    chat.state = replace(chat.state, reflections=(old,))
    for i in range(10):
        chat.nudge_due(f"d{i}", ("influence",), hours=24)
    resurfaced = [r for r in chat.state.nudges if r.resurfaced]
    assert [r.delivery for r in resurfaced] == ["d4"]  # the 5th; and each reflection once


def test_a_recent_reflection_is_not_resurfaced(content: Content) -> None:
    fresh = Reflection("r1", AT - timedelta(days=3), "fresh thought", "influence")
    chat = Chat(content, onboarded())
    chat.state = replace(chat.state, reflections=(fresh,))
    for i in range(5):
        chat.nudge_due(f"d{i}", ("influence",), hours=1)
    assert not any(r.resurfaced for r in chat.state.nudges)


def test_the_nudge_command_sends_one_now(content: Content) -> None:
    chat = Chat(content, onboarded(themes=("reframing",)))
    turn = chat.say("nudge")
    assert isinstance(turn.messages[-1], Ask)
    assert chat.state.nudges[-1].theme == "reframing"


def finish_with_commitment(chat: Chat) -> str:
    chat.say("start energy")
    chat.finish_dialogue("ask Sam to cover Friday's huddle")
    return chat.state.commitments[-1].id


def test_follow_up_asks_how_it_went_and_records_the_answer(content: Content) -> None:
    chat = Chat(content, onboarded())
    commitment = finish_with_commitment(chat)
    chat.follow_up_due(commitment, days=5)
    assert "ask Sam to cover Friday's huddle" in chat.text()
    chat.press("I did it")
    chat.say("Sam was glad to be asked")
    assert chat.state.commitments[-1].status == "kept"
    assert chat.state.reflections[-1].text == "Sam was glad to be asked"
    assert chat.follow_up_due(commitment).messages == ()  # asked once


def test_not_yet_moves_the_follow_up_on(content: Content) -> None:
    chat = Chat(content, onboarded())
    commitment = finish_with_commitment(chat)
    chat.follow_up_due(commitment, days=5)
    chat.press("Not yet")
    found = chat.state.commitments[-1]
    assert found.status == "open"
    assert found.followed_up_at is None
    # three days on, moved to a working day: Wed 2 Dec + 3 is a Saturday, so Monday
    assert found.due_on == working_day_from(chat.at.date() + timedelta(days=3))
    assert content.commitments.get("not_yet_question") in chat.text()


def test_a_nudge_replaces_an_unanswered_side_question(content: Content) -> None:
    chat = Chat(content)
    chat.say("hello")  # the set-up question is left unanswered
    chat.nudge_due("d0", ("influence",), hours=20)
    chat.say("Snooze")
    assert chat.labels() == ["An hour from now", "Tomorrow"]


def test_a_paused_leader_gets_no_nudge_and_the_reason_is_given(content: Content) -> None:
    from dialogs.model import DeliveryWithheld  # noqa: PLC0415

    chat = Chat(content, onboarded(paused=True))
    turn = chat.nudge_due("d0", ("influence",))
    assert turn.messages == ()
    assert turn.effects == (DeliveryWithheld("paused"),)
    assert chat.state.nudges == ()


def test_quiet_hours_hold_a_nudge_until_they_end(content: Content) -> None:
    from dialogs.model import DeliveryHeld  # noqa: PLC0415

    chat = Chat(content, onboarded(quiet_hours=("20:00", "09:30")))  # AT is 09:00 London
    turn = chat.nudge_due("d0", ("influence",), seconds=1)
    (held,) = turn.effects
    assert isinstance(held, DeliveryHeld)
    assert held.until.isoformat() == "2026-11-27T09:30:00+00:00"
    assert turn.messages == ()


RETIRED = "resilience.grief-is-ordinary"  # deleted from content in issue 12; leaders still hold it


def test_a_retired_nudge_id_in_a_leaders_history_is_ignored(content: Content) -> None:
    """Content may retire a nudge; a leader's stored history and "not for me" still load."""
    assert content.nudge(RETIRED) is None
    old = NudgeRecord(
        delivery="old", at=AT - timedelta(days=40), nudge=RETIRED, theme="resilience"
    )
    chat = Chat(content, replace(onboarded(), nudges=(old,), not_for_me=(RETIRED,)))
    pool = {n.id for n in content.nudges_for("resilience")}
    for i in range(len(pool)):
        chat.nudge_due(f"d{i}", ("resilience",), hours=24)
        assert content.nudge(chat.state.nudges[-1].nudge or "") is not None
    assert set(sent_nudges(chat)) - {RETIRED} == pool


def test_a_snoozed_nudge_that_was_retired_meanwhile_does_not_come_back(content: Content) -> None:
    old = NudgeRecord(delivery="d0", at=AT, nudge=RETIRED, theme="resilience", response="snoozed")
    chat = Chat(content, replace(onboarded(), nudges=(old,)))
    turn = chat.send(SnoozeEnded("d0", AT + timedelta(hours=1)))
    assert turn.messages == ()
    assert texts.NO_NUDGES not in chat.text()
