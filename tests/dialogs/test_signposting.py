"""Crisis and concern as a leader meets them: what is said, what each button does, that the
message is never quoted back, and that the day's nudge is held."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.channels.slack.render import render_turn as slack_turn
from bot.channels.teams.render import render_turn as teams_turn
from bot.services.coach_reports import figures_of
from dialogs import journal
from dialogs.content_model import Content
from dialogs.model import Ask, DeliveryHeld, DeliveryWithheld, PreferencesChanged, UserState
from tests.conftest import AT
from tests.dialogs.chat import Chat, message_text, onboarded

ENERGY = "resilience.energy-audit"
CRISIS = "honestly i dont see the point of anything"
CONCERN = "I've been crying in the car park before every shift"
CHECK_IN = ["Carry on", "Pause nudges for a week", "Stop for now", "Show support contacts"]
AFTER_CONTACTS = CHECK_IN[:3]
OFFER = ["Pause nudges for a week", "No, leave them on"]


def in_dialogue(content: Content, dialogue_id: str = ENERGY, **profile: object) -> Chat:
    chat = Chat(content, onboarded(**profile))
    chat.say(f"start {content.dialogue(dialogue_id).title}")  # type: ignore[union-attr]
    assert chat.state.dialogue is not None
    return chat


def everything_said(chat: Chat, turns: list[object]) -> str:
    return "\n".join(message_text(m) for t in turns for m in t.messages)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ crisis


@pytest.mark.parametrize(
    "text",
    [
        "I can't cope any more",
        "I CANT COPE",
        CRISIS,
        "i cant do this anymore",
        "some days i just want to die",
    ],
)
def test_crisis_stops_coaching_signposts_and_offers_a_pause(content: Content, text: str) -> None:
    chat = in_dialogue(content)
    turn = chat.say(text)
    first = turn.messages[0]
    assert content.safety.message in first.text
    assert "116 123" in first.text
    assert chat.state.dialogue is None  # coaching stops at once
    assert chat.state.history[-1].outcome == "stopped"
    assert chat.labels() == OFFER
    assert not chat.state.reflections
    assert text not in repr(chat.state)


def test_crisis_outside_a_dialogue_signposts_too(content: Content) -> None:
    chat = Chat(content, onboarded())
    turn = chat.say("I feel suicidal")
    assert "116 123" in turn.messages[0].text  # type: ignore[union-attr]
    assert chat.labels() == OFFER


def test_the_offered_pause_holds_nudges_for_a_week(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say(CRISIS)
    turn = chat.press("Pause nudges for a week")
    assert chat.state.profile.paused
    assert chat.state.profile.paused_until == AT.date() + timedelta(days=7)
    assert PreferencesChanged() in turn.effects
    assert "Friday 4 December" in chat.text()
    assert chat.state.awaiting is None


def test_leaving_nudges_on_changes_nothing(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say(CRISIS)
    turn = chat.press("No, leave them on")
    assert not chat.state.profile.paused
    assert turn.effects == ()
    assert chat.text() == content.safety.kept


def test_no_pause_is_offered_to_a_leader_who_has_paused(content: Content) -> None:
    chat = Chat(content, onboarded(paused=True))
    turn = chat.say(CRISIS)
    assert not any(isinstance(m, Ask) for m in turn.messages)
    assert chat.state.awaiting is None


def test_a_slash_command_is_screened_and_never_echoed(content: Content) -> None:
    chat = Chat(content, onboarded())
    turn = chat.command("start i cant cope")
    assert content.safety.message in turn.messages[0].text  # type: ignore[union-attr]
    assert "cant cope" not in chat.text()


# ------------------------------------------------------------------ concern


def test_concern_pauses_the_dialogue_with_a_check_in(content: Content) -> None:
    chat = in_dialogue(content)
    step = chat.state.dialogue.step  # type: ignore[union-attr]
    turn = chat.say(CONCERN)
    ask = chat.last_ask()
    # Review 12h: twelve lines on a phone read as patronising for a judgement call. One or
    # two lines that notice and ask; the contacts are one button away, never skipped.
    assert ask.text == content.safety.check_in
    assert len(ask.text) <= 200
    assert "116 123" not in ask.text
    assert chat.labels() == CHECK_IN
    assert len(turn.messages) == 1  # short: one message
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == step  # paused, not moved on
    assert not chat.state.reflections


def test_carry_on_asks_the_same_question_again(content: Content) -> None:
    chat = in_dialogue(content)
    question = chat.text()
    chat.say(CONCERN)
    chat.press("Carry on")
    assert content.safety.carried_on in chat.text()
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == "drained"
    assert question.split("\n")[-1] in chat.text()


def test_pause_holds_nudges_for_a_week_and_leaves_the_dialogue(content: Content) -> None:
    chat = in_dialogue(content)
    chat.say(CONCERN)
    turn = chat.press("Pause nudges for a week")
    assert chat.state.profile.paused_until == AT.date() + timedelta(days=7)
    assert PreferencesChanged() in turn.effects
    assert chat.state.dialogue is None
    assert chat.state.awaiting is None


def test_stop_ends_the_dialogue_kindly(content: Content) -> None:
    chat = in_dialogue(content)
    chat.say(CONCERN)
    chat.press("Stop for now")
    assert chat.text() == content.safety.stopped
    assert chat.state.dialogue is None
    assert not chat.state.profile.paused


def test_a_check_in_choice_can_be_typed(content: Content) -> None:
    chat = in_dialogue(content)
    chat.say("i'm not ok")
    chat.say("carry on")
    assert chat.state.dialogue is not None
    assert chat.state.aside is None


def test_concern_outside_a_dialogue_checks_in_too(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("totally burned out")
    assert chat.labels() == CHECK_IN
    chat.press("Carry on")
    assert chat.text() == content.safety.carried_on
    assert chat.state.awaiting is None


def test_an_answer_that_is_no_button_gets_the_buttons_not_the_contacts_again(
    content: Content,
) -> None:
    """Review 12b, dialogue 7: the whole block came back after every typed reply."""
    chat = in_dialogue(content, "resilience.after-a-setback")
    chat.say("running on empty, honestly")
    assert chat.last_ask().text == content.safety.check_in
    turn = chat.say("the board paper was pulled at the last minute")
    assert len(turn.messages) == 1
    assert chat.last_ask().text == content.safety.check_in_kept  # review 12g: not lost
    assert chat.state.reflections[-1].text == "the board paper was pulled at the last minute"
    assert "116 123" not in chat.text()
    assert chat.labels() == CHECK_IN
    chat.say("hmm")
    assert chat.last_ask().text == content.safety.check_in_again


def test_a_second_concern_the_same_day_is_one_line_and_the_question_again(
    content: Content,
) -> None:
    chat = in_dialogue(content)
    question = chat.text().split("\n")[-1]
    chat.say("running on empty, honestly")
    chat.press("Carry on")
    chat.say("exhausted, utterly exhausted")
    said = chat.text()
    assert content.safety.check_in_reminder in said
    assert "116 123" not in said
    assert chat.state.aside is None
    assert question in said  # the dialogue's question again, nothing moved on
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == "drained"
    assert not chat.state.reflections
    chat.nudge_due("next-day", hours=24)
    chat.say("exhausted, utterly exhausted")
    assert chat.last_ask().text == content.safety.check_in  # a new day: the check-in again
    assert chat.labels() == CHECK_IN


def test_show_support_contacts_lists_them_and_the_check_in_stays_open(content: Content) -> None:
    """Distress is never coached through: after the contacts the check-in's own three
    choices are asked, and carry on still asks the dialogue's question again."""
    chat = in_dialogue(content)
    question = chat.text().split("\n")[-1]
    step = chat.state.dialogue.step  # type: ignore[union-attr]
    chat.say(CONCERN)
    chat.press("Show support contacts")
    said = chat.text()
    for contact in content.safety.contacts:
        assert contact.name in said
    assert "116 123" in said
    assert chat.labels() == AFTER_CONTACTS
    assert chat.state.aside is not None
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == step
    chat.press("Carry on")
    assert question in chat.text()


@pytest.mark.parametrize("typed", ["support", "show support contacts", "contacts", "4"])
def test_the_contacts_can_be_asked_for_in_words(content: Content, typed: str) -> None:
    chat = in_dialogue(content)
    chat.say(CONCERN)
    chat.say(typed)
    assert "116 123" in chat.text()
    assert chat.labels() == AFTER_CONTACTS


def test_support_shows_the_contacts_at_any_time(content: Content) -> None:
    """A later concern the same day is one line that says how to get them: `support`."""
    chat = in_dialogue(content)
    question = chat.text().split("\n")[-1]
    chat.say("running on empty, honestly")
    chat.press("Carry on")
    chat.say("exhausted, utterly exhausted")
    assert "**support**" in content.safety.check_in_reminder
    chat.say("support")
    said = chat.text()
    assert "116 123" in said
    assert question in said  # and back to the dialogue's question
    assert chat.state.dialogue is not None
    outside = Chat(content, onboarded())
    outside.say("support")
    assert "NHS Practitioner Health" in outside.text()


# ------------------------------------------------------------------ never echoed


@pytest.mark.parametrize("text", [CONCERN, "I don't see the point of anything"])
def test_a_message_that_triggered_is_never_quoted_later(content: Content, text: str) -> None:
    """The issue's case: the drained answer was quoted in "How full does your tank feel"."""
    chat = in_dialogue(content)
    turns = [chat.say(text)]
    if chat.state.dialogue is not None:
        turns.append(chat.press("Carry on"))
    else:
        turns.append(chat.press("No, leave them on"))
        turns.append(chat.say(f"start {content.dialogue(ENERGY).title}"))  # type: ignore[union-attr]
    turns.append(chat.say("back-to-back system meetings"))
    assert "back-to-back system meetings" in chat.text()  # the real answer is quoted
    while chat.state.dialogue is not None:
        awaiting = chat.state.awaiting
        assert awaiting is not None
        turns.append(chat.press(awaiting.choices[0].label) if awaiting.choices else chat.say("ok"))
    for day in range(1, 30):  # a month of nudges, resurfaced reflections among them
        turns.append(chat.nudge_due(f"d{day}", hours=24))
        if chat.state.aside is not None:
            turns.append(chat.press("Not for me"))
    turns.append(chat.say("journal"))
    said = everything_said(chat, turns) + journal.render(chat.state, content)
    assert any(r.resurfaced for r in chat.state.nudges)
    assert "car park" not in said
    assert "point of anything" not in said
    assert text not in repr(chat.state)


# ------------------------------------------------------------------ the day's nudge


@pytest.mark.parametrize("text", [CRISIS, CONCERN])
def test_the_next_scheduled_nudge_that_day_is_held(content: Content, text: str) -> None:
    chat = Chat(content, onboarded())
    chat.say(text)
    turn = chat.nudge_due("evening", hours=8)  # 17:00 in London, the same day
    assert turn.effects == (DeliveryWithheld("held for today"),)
    assert turn.messages == ()
    turn = chat.nudge_due("tomorrow", hours=16)
    assert turn.messages  # the next day's arrives
    assert not turn.effects


def test_held_by_the_leaders_own_date_not_utc(content: Content) -> None:
    chat = Chat(content, onboarded(timezone="Pacific/Auckland"))  # 09:00 UTC is 22:00 there
    chat.say(CONCERN)
    assert chat.state.profile.signposted_on == date(2026, 11, 27)
    turn = chat.nudge_due("morning", hours=10)  # 08:00 on the 28th in Auckland
    assert turn.messages


def test_a_coach_sees_nothing_of_it(content: Content) -> None:
    chat = in_dialogue(content)
    before = replace(figures_of("Sam", chat.state, AT), last_active=None)
    chat.say(CONCERN)
    chat.press("Stop for now")
    chat.nudge_due("evening", hours=4)
    after = replace(figures_of("Sam", chat.state, AT), last_active=None)
    assert after == before


def test_old_state_without_a_level_still_loads(content: Content) -> None:
    from bot.storage.codec import from_sections, to_sections  # noqa: PLC0415 - one test

    state = UserState()
    sections = to_sections("slack:T:U", state)
    sections["state"]["profile"].pop("signposted_on")
    assert from_sections(sections).profile.signposted_on is None


# ------------------------------------------------------------------ every channel


def test_the_check_in_renders_as_buttons_on_slack_and_teams(content: Content) -> None:
    chat = in_dialogue(content)
    turn = chat.say(CONCERN)
    payload = slack_turn(turn.messages)
    buttons = [
        e["text"]["text"] for b in payload.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == CHECK_IN
    card = teams_turn(turn.messages)[0]["attachments"][0]["content"]
    assert [a["title"] for a in card["actions"]] == CHECK_IN


@pytest.mark.parametrize(
    ("typed", "paused", "dialogue"),
    [
        ("pause", True, False),  # the week on offer, not an open-ended pause
        ("pause nudges for a week", True, False),
        ("stop for now", False, False),
        ("keep going", False, True),
        ("2", True, False),
    ],
)
def test_a_typed_check_in_choice(
    content: Content, typed: str, paused: bool, dialogue: bool
) -> None:
    chat = in_dialogue(content)
    chat.say("im burnt out")  # plain "im exhausted" is tiredness now (issue 12 §8)
    chat.say(typed)
    assert chat.state.aside is None
    assert (chat.state.profile.paused_until is not None) is paused
    assert (chat.state.dialogue is not None) is dialogue


def test_no_to_the_offered_pause_can_be_typed(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say(CRISIS)
    chat.say("no")
    assert chat.text() == content.safety.kept
    assert not chat.state.profile.paused


def test_a_follow_up_due_that_day_waits_for_the_next_morning(content: Content) -> None:
    chat = in_dialogue(content, nudge_time="08:30")
    chat.finish_dialogue("ask Priya what she needs by Friday")
    commitment = chat.state.commitments[-1].id
    chat.say(CONCERN)
    turn = chat.follow_up_due(commitment, hours=3)
    held = datetime(2026, 11, 28, 8, 30, tzinfo=ZoneInfo("Europe/London"))
    assert turn.effects == (DeliveryHeld(held),)
    assert turn.messages == ()


def test_carry_on_outside_a_conversation_offers_the_one_it_would_have(content: Content) -> None:
    """Review 8 (walked): "board tomorrow and I'm dreading it" gets the concern check-in;
    after "ok" (carry on) nothing more came. The conversation the message would have been
    offered follows, kept as its id only: the words are still never stored."""
    said = "board tomorrow and I'm dreading it"
    chat = Chat(content, onboarded())
    chat.say(said)
    assert chat.labels() == CHECK_IN
    assert said not in repr(chat.state)
    chat.say("ok")
    assert "Before a big meeting tomorrow" in chat.text()
    assert chat.labels()[0] == "Yes, let's start"
    assert said not in repr(chat.state)


def test_carry_on_inside_a_conversation_goes_back_to_its_question(content: Content) -> None:
    chat = in_dialogue(content)
    question = "what has drained you the most?"
    assert question in chat.text()
    chat.say("board tomorrow and I'm dreading it")
    chat.press("Carry on")
    assert question in chat.text()
    assert "One thing that may help" not in chat.text()
