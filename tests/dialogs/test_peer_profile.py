"""`organisation` and `about` as a leader meets them in the engine, and the set-up's
organisation question."""

import pytest

from dialogs import texts
from dialogs.commands import AboutCommand, AvoidCommand, OrganisationCommand, parse_command
from dialogs.content_model import Content
from dialogs.engine import service_command
from dialogs.peer_profile import ABOUT_MAX
from tests.dialogs.chat import Chat, onboarded

LTHT = "Leeds Teaching Hospitals NHS Trust"
NHS_NUMBER = "943 476 5919"  # passes the Modulus 11 check


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("organisation", OrganisationCommand()),
        ("organisation LTHT", OrganisationCommand("LTHT")),
        ("organization Leeds Teaching Hospitals", OrganisationCommand("Leeds Teaching Hospitals")),
        ("org clear", OrganisationCommand(clear=True)),
        ("about", AboutCommand()),
        ("about Leading a merger", AboutCommand("Leading a merger")),
        ("about clear", AboutCommand(clear=True)),
        ("avoid", AvoidCommand()),
        ("avoid Alex Smith", AvoidCommand(("Alex", "Smith"))),
        ("avoid remove Alex", AvoidCommand(("remove", "Alex"))),
    ],
)
def test_the_commands_parse(typed: str, parsed: object) -> None:
    assert parse_command(typed) == parsed


def test_organisation_is_matched_shown_and_cleared(content: Content) -> None:
    chat = Chat(content, onboarded())
    assert "For example: `organisation Leeds" in chat.say("organisation").messages[0].text
    assert chat.say("organisation ltht").messages[0].text == f"Saved: {LTHT}."
    profile = chat.state.profile
    assert (profile.organisation, profile.organisation_key) == (LTHT, "leeds teaching hospitals")
    assert LTHT in chat.say("organisation").messages[0].text
    assert chat.say("organisation clear").messages[0].text == content.profile.get(
        "organisation_cleared"
    )
    assert (chat.state.profile.organisation, chat.state.profile.organisation_key) == (None, None)


def test_an_unknown_or_ambiguous_organisation_is_saved_as_typed_and_said_so(
    content: Content,
) -> None:
    chat = Chat(content, onboarded())
    said = chat.say("organisation St Elsewhere Community Services").messages[0].text
    assert said.startswith("Saved as you typed it: St Elsewhere Community Services.")
    assert chat.state.profile.organisation_key == "st elsewhere community services"
    said = chat.say("organisation Leeds").messages[0].text
    assert "more than one organisation" in said
    assert chat.state.profile.organisation == "Leeds"


def test_about_is_saved_shown_and_cleared(content: Content) -> None:
    chat = Chat(content, onboarded())
    assert "For example: `about" in chat.say("about").messages[0].text
    chat.say("about   Leading the merger of two\toutpatient teams ")
    assert chat.state.profile.about == "Leading the merger of two outpatient teams"
    assert "> Leading the merger of two outpatient teams" in chat.say("about").messages[0].text
    chat.say("about clear")
    assert chat.state.profile.about is None


def test_an_about_line_over_the_limit_is_refused_with_an_example(content: Content) -> None:
    chat = Chat(content, onboarded(about="Kept"))
    said = chat.say("about " + "x" * (ABOUT_MAX + 1)).messages[0].text
    assert f"That is {ABOUT_MAX + 1} characters" in said
    assert "For example: `about " in said
    assert said.count(".") <= 3
    assert chat.state.profile.about == "Kept"
    chat.say("about " + "y" * ABOUT_MAX)
    assert chat.state.profile.about == "y" * ABOUT_MAX


@pytest.mark.parametrize("send", ["say", "command"])
def test_an_nhs_number_is_never_kept_typed_or_by_slash(content: Content, send: str) -> None:
    chat = Chat(content, onboarded())
    turn = getattr(chat, send)(f"about Reviewing the case of {NHS_NUMBER}")
    assert turn.messages[0].text == texts.NHS_NUMBER
    getattr(chat, send)(f"organisation Ward {NHS_NUMBER}")
    assert chat.state.profile.about is None
    assert chat.state.profile.organisation is None


def test_about_with_words_at_a_free_text_question_is_the_answer_not_a_command(
    content: Content,
) -> None:
    chat = Chat(content, onboarded())
    chat.say("start energy")
    assert chat.state.awaiting is not None
    assert not chat.state.awaiting.choices
    chat.say("about the rota, mostly")
    assert chat.state.profile.about is None
    assert chat.state.dialogue is not None  # the dialogue took it as its answer


def test_avoid_is_left_to_its_service_and_never_done_by_the_engine(content: Content) -> None:
    state = onboarded()
    assert service_command(state, "avoid Alex Smith") == AvoidCommand(("Alex", "Smith"))
    chat = Chat(content, state)
    chat.say("avoid Alex")  # as with `schedule`, the engine alone does nothing with it
    assert chat.state.profile.avoid == ()


def test_help_lists_the_new_commands() -> None:
    for word in ("**organisation", "**about", "**avoid"):
        assert word in texts.HELP


# ------------------------------------------------------------------ set-up


def through_time(content: Content) -> Chat:
    chat = Chat(content)
    chat.say("hello")
    chat.press("Set up now")
    chat.press("Resilience and energy")
    chat.press("That's enough")
    turn = chat.press("08:00")
    assert "08:00" in turn.messages[0].text  # the set-up's summary first, then the question
    assert turn.messages[-1].text == content.profile.get("organisation_question")
    return chat


def test_set_up_asks_for_the_organisation_last_and_matches_the_answer(content: Content) -> None:
    chat = through_time(content)
    assert chat.labels() == ["Skip"]
    assert chat.state.profile.nudge_time == "08:00"  # saved before the optional question
    turn = chat.say("leeds teaching hospitals")
    assert turn.messages[0].text == f"Saved: {LTHT}."
    assert chat.state.profile.organisation == LTHT
    assert chat.state.aside is None
    assert chat.state.awaiting is None


@pytest.mark.parametrize("skip", ["press", "skip", "Skip.", "no thanks", "1"])
def test_the_organisation_question_can_be_skipped(content: Content, skip: str) -> None:
    chat = through_time(content)
    turn = chat.press("Skip") if skip == "press" else chat.say(skip)
    assert turn.messages[0].text == content.profile.get("organisation_skipped")
    assert chat.state.profile.organisation is None
    assert chat.state.aside is None


def test_a_command_at_the_organisation_question_is_a_command(content: Content) -> None:
    chat = through_time(content)
    chat.say("start energy")
    assert chat.state.dialogue is not None
    assert chat.state.aside is None
    assert chat.state.profile.organisation is None


def test_an_organisation_given_by_command_meanwhile_ends_the_question(content: Content) -> None:
    chat = through_time(content)
    chat.say("organisation GSTT")
    assert chat.state.profile.organisation == "Guy's and St Thomas' NHS Foundation Trust"
    assert chat.state.aside is None
    assert chat.state.awaiting is None


def test_skipping_set_up_does_not_ask_for_the_organisation(content: Content) -> None:
    chat = Chat(content)
    chat.say("hello")
    assert chat.press("Skip for now").messages[-1].text == content.onboarding.skipped
    assert chat.state.aside is None


def test_organisation_as_a_first_message_is_done_after_the_welcome(content: Content) -> None:
    chat = Chat(content)
    turn = chat.say("organisation LTHT")
    said = [m.text for m in turn.messages]
    assert said[:3] == [
        content.onboarding.welcome,
        content.onboarding.privacy_line,
        f"Saved: {LTHT}.",
    ]
    assert chat.labels() == ["Set up now", "Skip for now"]
