"""The engine as a leader meets it: first contact, dialogues, commands, interruptions."""

from datetime import timedelta

import pytest

from dialogs import runner, texts
from dialogs.content_model import Content
from dialogs.dates import working_day_from
from dialogs.model import (
    Ask,
    ExportRequested,
    ForgetConfirmed,
    OnboardingAside,
    PreferencesChanged,
    Prompt,
    Say,
    ServiceQuestion,
    UserState,
)
from tests.conftest import AT
from tests.dialogs.chat import Chat, onboarded

SBI = "challenging-behaviour.sbi-prepare"
AFTER = "challenging-behaviour.after-the-meeting"


def in_dialogue(content: Content, dialogue_id: str) -> Chat:
    chat = Chat(content, onboarded())
    chat.say(f"start {content.dialogue(dialogue_id).title}")  # type: ignore[union-attr]
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == dialogue_id
    return chat


def at_menu(content: Content) -> Chat:
    """At the first menu of AFTER, once the leader has said what happened (review 4)."""
    chat = in_dialogue(content, AFTER)
    chat.say("the chair cut in each time I spoke")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == "pattern"
    return chat


# ------------------------------------------------------------------ first contact


def test_first_message_gets_welcome_privacy_line_and_setup_question(content: Content) -> None:
    chat = Chat(content)
    turn = chat.say("hello")
    said = [m.text for m in turn.messages]
    assert said[0] == content.onboarding.welcome
    assert said[1] == content.onboarding.privacy_line
    assert "patient" in said[1].lower()
    assert chat.labels() == ["Set up now", "Skip for now"]


def test_onboarding_by_buttons_stores_themes_and_time(content: Content) -> None:
    chat = in_setup(content)
    chat.press("Resilience and energy")
    assert "That's enough" in chat.labels()
    chat.press("Influence without authority")
    chat.press("That's enough")
    turn = chat.press("08:00")
    profile = chat.state.profile
    assert profile.themes == ("resilience", "influence")
    assert profile.nudge_time == "08:00"
    assert profile.onboarded
    assert PreferencesChanged() in turn.effects
    assert "08:00" in chat.text()


def in_setup(content: Content) -> Chat:
    """A new leader who has just chosen "Set up now"."""
    chat = Chat(content)
    chat.say("hi")
    chat.press("Set up now")
    return chat


def test_onboarding_accepts_several_numbers_and_a_typed_time(content: Content) -> None:
    chat = Chat(content)
    chat.say("hi")
    chat.say("1")
    chat.say("1, 3")
    assert chat.state.profile.themes == ()  # not saved until set-up is finished
    chat.say("7.45am")
    assert chat.state.profile.themes == ("influence", "resilience")
    assert chat.state.profile.nudge_time == "07:45"


@pytest.mark.parametrize(
    "typed", ["influence and resilience", "Influence without authority, resilience"]
)
def test_onboarding_takes_several_themes_by_name(content: Content, typed: str) -> None:
    chat = in_setup(content)
    chat.say(typed)  # two themes, not a loose match for the one button "Resilience and energy"
    assert chat.labels()[-1] == "No nudges for now"  # on to the time
    chat.say("08:30")
    assert chat.state.profile.themes == ("influence", "resilience")


def test_a_time_typed_when_asked_for_another_theme_finishes_the_set_up(content: Content) -> None:
    chat = in_setup(content)
    chat.press("Resilience and energy")
    chat.say("07:45")
    assert chat.state.profile.themes == ("resilience",)
    assert chat.state.profile.nudge_time == "07:45"
    assert chat.state.profile.onboarded  # saved: the organisation, asked last, can be skipped
    assert chat.state.aside == OnboardingAside("organisation", ("resilience",))
    assert chat.labels() == ["Skip"]


def test_a_bad_time_is_explained_with_an_example(content: Content) -> None:
    chat = in_setup(content)
    chat.press("Influence without authority")
    chat.press("That's enough")
    chat.say("after lunch")
    assert "For example: `08:30`" in chat.text()
    assert chat.labels()[-1] == "No nudges for now"


def test_setup_can_be_skipped_and_start_then_shows_the_menu(content: Content) -> None:
    chat = Chat(content)
    chat.say("hi")
    chat.press("Skip for now")
    assert chat.state.profile.onboarded
    assert chat.text() == content.onboarding.skipped
    chat.say("start")
    assert len(chat.labels()) == len(content.dialogues)


def test_start_as_the_first_message_welcomes_then_shows_the_menu_at_once(
    content: Content,
) -> None:
    chat = Chat(content)
    turn = chat.say("start")
    assert turn.messages[0] == Say(content.onboarding.welcome)
    assert isinstance(turn.messages[-1], Ask)
    assert turn.messages[-1].text == texts.MENU


SETUP = ["Set up now", "Skip for now"]


def test_timezone_as_the_first_message_is_done_after_the_welcome_then_set_up(
    content: Content,
) -> None:
    chat = Chat(content)
    turn = chat.say("timezone Europe/Paris")
    said = [m.text for m in turn.messages]
    assert said[:2] == [content.onboarding.welcome, content.onboarding.privacy_line]
    assert said[2] == texts.TIMEZONE_SET.format(zone="Paris time")
    assert chat.state.profile.timezone == "Europe/Paris"
    assert PreferencesChanged() in turn.effects
    assert chat.labels() == SETUP  # set-up still offered
    assert not chat.state.profile.onboarded


def test_a_mistyped_first_command_says_why_then_offers_set_up(content: Content) -> None:
    chat = Chat(content)
    turn = chat.say("timezone Mars/Base")
    assert "For example: `timezone Europe/London`" in turn.messages[2].text
    assert chat.labels() == SETUP


@pytest.mark.parametrize(
    "first", ["schedule weekdays 08:30", "coach add @Sam", "admin coach slack:T1:U2"]
)
def test_a_service_command_first_is_never_dropped_without_a_word(
    content: Content, first: str
) -> None:
    """The engine cannot carry these out itself: the service greets, then runs them (next
    test); should none be there, the engine says plainly it was not done."""
    chat = Chat(content)
    turn = chat.say(first)
    said = [m.text for m in turn.messages]
    assert said[:3] == [
        content.onboarding.welcome,
        content.onboarding.privacy_line,
        texts.NOT_DONE_FIRST,
    ]
    assert chat.labels() == SETUP


@pytest.mark.parametrize(
    "first", ["schedule weekdays 08:30", "coach add @Sam", "admin coach slack:T1:U2"]
)
def test_a_service_runs_a_first_command_between_the_welcome_and_set_up(
    content: Content, first: str
) -> None:
    from dialogs.commands import SERVICE_COMMANDS  # noqa: PLC0415
    from dialogs.engine import service_command  # noqa: PLC0415
    from dialogs.first_contact import after_first_command, greet  # noqa: PLC0415

    newcomer = Chat(content).state
    greeting = greet(newcomer, content, AT)
    assert greeting is not None
    assert [m.text for m in greeting.messages] == [
        content.onboarding.welcome,
        content.onboarding.privacy_line,
    ]
    assert isinstance(service_command(greeting.state, first), SERVICE_COMMANDS)
    then = after_first_command(greeting.state, content, AT)
    assert [c.label for c in then.messages[-1].choices] == SETUP  # type: ignore[union-attr]
    assert greet(then.state, content, AT) is None  # once


def test_start_first_while_a_coach_question_waits_says_it_was_not_done(
    content: Content,
) -> None:
    chat = Chat(content)
    chat.send(coach_question(chat))
    turn = chat.say("start energy")
    assert turn.messages[2] == Say(texts.NOT_DONE_WAITING)
    assert chat.labels() == ["Accept", "Decline"]
    assert chat.state.dialogue is None


def test_a_passive_first_command_runs_before_a_waiting_coach_question(
    content: Content,
) -> None:
    chat = Chat(content)
    chat.send(coach_question(chat))
    turn = chat.say("timezone Europe/Paris")
    assert turn.messages[2] == Say(texts.TIMEZONE_SET.format(zone="Paris time"))
    assert chat.labels() == ["Accept", "Decline"]
    chat.press("Accept")
    assert chat.labels() == SETUP


def coach_question(chat: Chat) -> ServiceQuestion:
    from dialogs.model import Choice  # noqa: PLC0415

    return ServiceQuestion(
        "Accept Cat as your coach?",
        (Choice("accept", "Accept"), Choice("decline", "Decline")),
        "svc:link:1",
        chat.at,
    )


# ------------------------------------------------------------------ dialogues


def test_choice_by_number_label_and_close_words(content: Content) -> None:
    for typed in ("1", "talking over others", "Talking over", "they kept talking over others"):
        chat = at_menu(content)
        chat.say(typed)
        assert chat.state.dialogue is not None
        assert chat.state.dialogue.step != "pattern", typed


def test_close_words_with_another_form_of_the_word(content: Content) -> None:
    chat = at_menu(content)
    chat.say("he dismissed the nurse director's idea")
    assert chat.state.dialogue is not None
    assert dict(chat.state.dialogue.saved)["pattern"] == "Dismissing ideas"


def test_anything_else_at_a_choice_re_asks_with_the_choices(content: Content) -> None:
    chat = at_menu(content)
    before = chat.labels()
    turn = chat.say("purple")
    (again,) = turn.messages  # review 12b: the buttons again, not the question once more
    assert again.text == texts.DIDNT_CATCH_DIALOGUE  # type: ignore[union-attr]
    assert chat.labels() == before


def test_a_story_typed_at_a_choice_is_kept_and_the_choice_asked_again(content: Content) -> None:
    """The review: a natural story at a choice-only turn was turned down as a missed button."""
    chat = at_menu(content)
    before = chat.labels()
    turn = chat.say("it was all a bit much honestly, the chair just moved on")
    heard = content.dialogue(AFTER).steps["pattern"].heard  # type: ignore[union-attr]
    assert heard  # review 12b: a bruising story got no sign that anyone heard it
    (again,) = turn.messages
    assert again.text == f"{heard} {texts.STORY_KEPT}"  # type: ignore[union-attr]
    assert chat.labels() == before
    assert (
        chat.state.reflections[-1].text
        == "it was all a bit much honestly, the chair just moved on"
    )
    assert chat.state.dialogue is not None  # still at the same choice


def test_free_text_answers_become_reflections_and_are_quoted_back(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("A joint discharge hub")
    assert chat.state.reflections[-1].text == "A joint discharge hub"
    assert chat.state.reflections[-1].dialogue == "influence.stakeholder-map"
    assert "Thinking about a joint discharge hub, whose support" in chat.text()


def test_long_answers_are_referred_to_not_pasted_mid_sentence(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    long = "a shared discharge hub " * 10
    chat.say(long)
    assert chat.state.reflections[-1].text == long.strip()
    assert chat.text().startswith("Thinking about that change, whose support")
    assert "discharge" not in chat.text()


@pytest.mark.parametrize("word", ["stop", "cancel", "STOP"])
def test_stop_leaves_a_dialogue_and_keeps_what_was_written(content: Content, word: str) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("a joint discharge hub")
    chat.say(word)
    assert chat.state.dialogue is None
    assert chat.state.history[-1].outcome == "stopped"
    assert len(chat.state.reflections) == 1
    assert "journal" in chat.text()


def test_a_dialogue_idle_for_a_day_is_closed_kindly_on_the_next_message(
    content: Content,
) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("a joint discharge hub")
    chat.say("hello again", hours=25)
    assert chat.state.dialogue is None
    assert chat.state.history[-1].outcome == "expired"
    assert "more than a day" in chat.text()


def test_a_dialogue_idle_for_less_than_a_day_carries_on(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("a joint discharge hub", hours=23)
    assert chat.state.dialogue is not None
    assert chat.state.reflections


@pytest.mark.parametrize("command", ["help", "journal", "timezone", "quiet"])
def test_commands_mid_dialogue_answer_then_offer_to_carry_on(
    content: Content, command: str
) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    step_before = chat.state.dialogue.step  # type: ignore[union-attr]
    turn = chat.say(command)
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == step_before
    assert isinstance(turn.messages[-1], Prompt | Ask)
    assert any("where we left off:" in m.text for m in turn.messages if isinstance(m, Say))


def test_start_mid_dialogue_offers_to_carry_on_first(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("start")
    assert chat.labels()[0].startswith("Carry on")
    chat.press(chat.labels()[0])
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == "influence.stakeholder-map"


def test_a_command_word_inside_an_answer_is_an_answer(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("start small with the discharge team")
    assert chat.state.reflections[-1].text == "start small with the discharge team"


def test_a_pressed_button_works_once(content: Content) -> None:
    chat = at_menu(content)
    ask = chat.last_ask()
    chat.press("Talking over others", ask)
    state = chat.state
    turn = chat.press("Dismissing ideas", ask)
    assert turn.messages == ()
    assert chat.state.dialogue == state.dialogue


def test_finishing_a_dialogue_records_a_commitment_with_a_follow_up(content: Content) -> None:
    chat = in_dialogue(content, "resilience.energy-audit")
    dialogue = content.dialogue("resilience.energy-audit")
    assert dialogue is not None
    chat.finish_dialogue("talk to Sam about the rota")
    commitment = chat.state.commitments[-1]
    assert commitment.status == "open"
    # no day named (and "that's it" to the one question): the dialogue's default, Mon-Fri
    due = working_day_from(chat.at.date() + timedelta(days=dialogue.follow_up_days))
    assert commitment.due_on == due
    assert chat.state.history[-1].outcome == "completed"
    assert "I'll ask how it went" in chat.text()


# ------------------------------------------------------------------ routing


def test_free_text_suggests_the_most_relevant_dialogue(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("my colleague keeps talking over me in meetings")
    assert chat.state.aside is not None
    assert chat.state.aside.dialogue in (SBI, AFTER)  # type: ignore[union-attr]
    chat.press("Yes, let's start")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue in (SBI, AFTER)


def test_text_that_fits_no_dialogue_gets_help(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("what is the weather like")
    assert chat.text() == texts.UNSURE


def test_start_with_a_name_opens_that_dialogue(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start energy")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == "resilience.energy-audit"


@pytest.mark.parametrize(
    "named", ["resilience", "Resilience and energy", "challenging behaviour", "wicked problems"]
)
def test_start_with_a_theme_lists_that_themes_conversations(content: Content, named: str) -> None:
    chat = Chat(content, onboarded())
    chat.say(f"start {named}")
    theme = next(
        t for t in content.themes if named.lower() in (t.title.lower(), t.id.replace("-", " "))
    )
    own = [d.title for d in content.dialogues if d.theme == theme.id]
    assert own
    assert theme.title in chat.text()
    assert chat.labels() == [*own, texts.ALL_CONVERSATIONS]
    assert chat.state.dialogue is None  # nothing started yet


def test_a_themes_menu_is_numbered_as_shown_and_leads_to_all(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start resilience")
    second = chat.labels()[1]
    chat.say("2")  # the second of this menu, not of the whole list
    assert chat.state.dialogue is not None
    assert runner.title_of(content, chat.state.dialogue.dialogue) == second
    chat.say("stop")
    chat.say("start resilience")
    chat.press(texts.ALL_CONVERSATIONS)
    assert chat.labels() == [d.title for d in sorted_for_menu(content)]


def sorted_for_menu(content: Content) -> list[object]:
    """Every dialogue, in the order of the full menu for a leader with the core themes."""
    chat = Chat(content, onboarded())
    chat.say("start")
    titles = chat.labels()
    return [next(d for d in content.dialogues if d.title == t) for t in titles]


# ------------------------------------------------------------------ safety and privacy


# Distress (crisis and concern) has its own tests: test_signposting.py


@pytest.mark.parametrize(
    "text", ["943 476 5919", "patient 9434765919 was delayed", "943-476-5919"]
)
def test_a_message_with_an_nhs_number_is_not_stored(content: Content, text: str) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    before = chat.state
    turn = chat.say(text)
    assert turn.messages == (Say(texts.NHS_NUMBER),)
    assert chat.state.reflections == before.reflections
    assert chat.state.dialogue == before.dialogue
    assert text not in repr(chat.state)


def test_ten_digits_failing_the_check_are_ordinary_text(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("budget line 1234567890")
    assert chat.state.reflections[-1].text == "budget line 1234567890"


def test_a_very_long_message_is_refused_politely(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    chat.say("x" * 10_001)
    assert "10,001 characters" in chat.text()
    assert not chat.state.reflections


# ------------------------------------------------------------------ commands


def test_help_lists_the_commands(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("help")
    for word in ("start", "nudge", "journal", "pause", "resume", "timezone", "export", "forget"):
        assert word in chat.text()


def test_pause_until_a_date_and_resume(content: Content) -> None:
    chat = Chat(content, onboarded())
    turn = chat.say("pause until 2026-12-24")
    assert chat.state.profile.paused
    assert str(chat.state.profile.paused_until) == "2026-12-24"
    assert PreferencesChanged() in turn.effects
    assert "24 December" in chat.text()
    assert "2026" not in chat.text()
    chat.say("resume")
    assert not chat.state.profile.paused
    chat.say("pause until 2027-01-05")
    assert "Tuesday 5 January 2027" in chat.text()  # another year: it says which


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("pause until tomorrow", "For example: `pause until 2027-01-05`"),
        ("pause until 2020-01-01", "already passed"),
        ("timezone Europe/Lodnon", "did you mean Europe/London?"),
        ("timezone EST", "For example: `timezone"),
        ("timezone Etc/GMT+1", "For example: `timezone"),
    ],
)
def test_bad_arguments_get_a_reason_and_an_example(
    content: Content, typed: str, fragment: str
) -> None:
    chat = Chat(content, onboarded())
    before = chat.state.profile
    chat.say(typed)
    assert fragment in chat.text()
    assert chat.state.profile == before


def test_timezone_change_is_kept_and_marked_as_the_leaders_choice(content: Content) -> None:
    chat = Chat(content, onboarded())
    turn = chat.say("timezone america/new_york")
    assert chat.state.profile.timezone == "America/New_York"
    assert chat.state.profile.timezone_source == "leader"
    assert PreferencesChanged() in turn.effects


def test_export_is_an_effect_for_the_service(content: Content) -> None:
    chat = Chat(content, onboarded())
    assert chat.say("export").effects == (ExportRequested(),)


def test_forget_me_asks_first_and_only_then_forgets(content: Content) -> None:
    chat = Chat(content, onboarded())
    turn = chat.say("forget me")
    assert turn.effects == ()
    assert chat.labels() == ["Yes, delete everything", "No, keep it"]
    turn = chat.press("Yes, delete everything")
    assert turn.effects == (ForgetConfirmed(),)


def test_forget_me_in_a_conversation_does_not_go_back_to_it(content: Content) -> None:
    """Everything was deleted: no "back to where we were", no question asked again."""
    chat = Chat(content, onboarded())
    chat.say("start energy")
    assert chat.state.dialogue is not None
    chat.say("forget me")
    turn = chat.press("Yes, delete everything")
    assert turn.effects == (ForgetConfirmed(),)
    assert chat.text() == texts.FORGOTTEN
    assert chat.state.dialogue is None


def test_forget_me_can_be_declined(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("forget me")
    turn = chat.say("no")
    assert turn.effects == ()
    assert chat.text() == texts.FORGET_KEPT


def test_slash_command_text_is_always_a_command(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.command("journal")
    assert "journal" in chat.text().lower()
    chat.command("frobnicate")
    assert "I don't know the command `frobnicate`" in chat.text()


def test_coming_back_resumes_the_open_question(content: Content) -> None:
    chat = in_dialogue(content, "influence.stakeholder-map")
    question = chat.last.messages[-1]  # type: ignore[union-attr]
    turn = chat.open(hours=2)
    assert "Welcome back" in turn.messages[0].text  # type: ignore[union-attr]
    assert turn.messages[-1] == question


def test_a_new_leader_opening_the_app_is_not_greeted_twice(content: Content) -> None:
    chat = Chat(content, UserState())
    assert chat.open().messages == ()


def test_quiet_hours_are_set_shown_and_removed(content: Content) -> None:
    chat = Chat(content, onboarded())
    turn = chat.say("quiet 22:00-07:00")
    assert chat.state.profile.quiet_hours == ("22:00", "07:00")
    assert PreferencesChanged() in turn.effects
    chat.say("quiet")
    assert "22:00 to 07:00" in chat.text()
    chat.say("quiet off")
    assert chat.state.profile.quiet_hours is None
    chat.say("quiet after dinner")
    assert "For example: `quiet 22:00-07:00`" in chat.text()


def test_schedule_commands_are_left_to_the_schedule_service(content: Content) -> None:
    from dialogs.commands import ScheduleCommand  # noqa: PLC0415
    from dialogs.engine import service_command  # noqa: PLC0415

    chat = Chat(content, onboarded())
    assert service_command(chat.state, "schedule") == ScheduleCommand()
    assert service_command(chat.state, "schedule weekdays 08:30") == ScheduleCommand(
        ("weekdays", "08:30")
    )
    chat.say("start stakeholder")
    # at a free-text question, "schedule a meeting..." is an answer, bare "schedule" is not
    assert service_command(chat.state, "schedule a meeting with Jo") is None
    assert service_command(chat.state, "schedule") == ScheduleCommand()
    assert service_command(Chat(content).state, "schedule") is None  # welcome comes first


def test_a_snoozed_nudge_comes_back_the_same_and_answerable(content: Content) -> None:
    chat = Chat(content, onboarded())
    first = chat.nudge_due("d0", ("influence",)).messages
    chat.press("Snooze")
    chat.press("An hour from now")
    assert chat.state.nudges[0].response == "snoozed"
    from dialogs.model import SnoozeEnded  # noqa: PLC0415

    again = chat.send(SnoozeEnded("d0", chat.at + timedelta(hours=1))).messages
    assert again == first
    assert chat.state.nudges[0].response is None
    chat.say("I'll ask the finance lead first")
    assert chat.state.reflections[-1].nudge == chat.state.nudges[0].nudge


def test_installing_the_app_welcomes_once(content: Content) -> None:
    from dialogs.model import AppInstalled  # noqa: PLC0415

    chat = Chat(content)
    turn = chat.send(AppInstalled(chat.at))
    assert turn.messages[0] == Say(content.onboarding.welcome)
    assert chat.labels() == ["Set up now", "Skip for now"]
    assert chat.send(AppInstalled(chat.at)).messages == ()  # a second install event: nothing


def test_a_newcomer_sees_a_waiting_service_question_first_then_set_up(
    content: Content,
) -> None:
    from dialogs.model import Choice, ServiceAnswered, ServiceQuestion  # noqa: PLC0415

    chat = Chat(content)
    ask = ServiceQuestion(
        "Accept Cat as your coach?",
        (Choice("accept", "Accept"), Choice("decline", "Decline")),
        "svc:link:1",
        chat.at,
    )
    chat.send(ask)
    turn = chat.say("hello")
    assert turn.messages[0] == Say(content.onboarding.welcome)
    assert chat.labels() == ["Accept", "Decline"]
    turn = chat.press("Accept")
    assert ServiceAnswered("svc:link:1", "accept") in turn.effects
    assert chat.labels() == ["Set up now", "Skip for now"]
