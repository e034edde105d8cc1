"""`prep`: two questions and a one-line commitment before a big meeting, by command or
from what the leader types; and the `kind: prep` rule of the content check."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from dialogs import texts
from dialogs.commands import Simple, parse_command
from dialogs.content import check_content
from dialogs.content_model import Content
from dialogs.dates import working_day_from
from dialogs.model import Ask, Prompt, Say
from dialogs.routing import suggest
from tests.conftest import CONTENT_DIR
from tests.dialogs.chat import Chat, onboarded

PREP = "influence.tomorrows-meeting"


def test_prep_is_a_command() -> None:
    assert parse_command("prep") == Simple("prep")
    assert parse_command("/prep") == Simple("prep")
    assert parse_command("prep for the board") is None  # prose: routed, not a command


def test_the_content_has_one_prep_and_it_is_short(content: Content) -> None:
    prep = content.prep()
    assert prep is not None
    assert prep.id == PREP
    assert prep.kind == "prep"
    assert [d.id for d in content.dialogues if d.kind == "prep"] == [PREP]


@pytest.mark.parametrize(
    ("button", "last", "said"),
    [
        ("Someone onside first", "ally", "ring Priya at 8.30"),
        ("One good question", "question", "what would make this safe to try?"),
    ],
)
def test_prep_asks_the_outcome_then_one_lever_then_a_commitment(
    content: Content, button: str, last: str, said: str
) -> None:
    chat = Chat(content, onboarded())
    chat.say("prep")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == PREP
    assert "tomorrow's meeting" in chat.text()
    chat.say("a yes to the pilot")
    assert "a yes to the pilot" in chat.last_ask().text  # the leader's words, quoted back
    chat.press(button)
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == last
    chat.say(said)
    assert chat.state.dialogue is None
    assert chat.state.history[-1].outcome == "completed"
    commitment = chat.state.commitments[-1]
    assert commitment.text == said
    assert commitment.dialogue == PREP
    # the day after, moved to a working day: AT is a Friday, so the Monday
    assert commitment.due_on == working_day_from(chat.at.date() + timedelta(days=1))
    assert [r.text for r in chat.state.reflections] == ["a yes to the pilot"]


def test_prep_as_a_first_message_welcomes_then_starts_at_once(content: Content) -> None:
    chat = Chat(content)
    turn = chat.say("prep")
    assert turn.messages[0] == Say(content.onboarding.welcome)
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == PREP
    assert isinstance(turn.messages[-1], Prompt)


def test_prep_as_a_slash_command_or_menu_button(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.command("prep")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == PREP


def test_prep_with_words_at_a_question_is_an_answer(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("prep")
    chat.say("sign-off for the hub")
    chat.press("Someone onside first")
    chat.say("prep the slides with Jo tonight")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text == "prep the slides with Jo tonight"


def test_prep_mid_conversation_takes_its_place(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start energy")
    chat.say("the 8am bed meeting")
    chat.say("prep")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == PREP
    assert chat.state.history[-1].outcome == "stopped"


@pytest.mark.parametrize(
    "said",
    [
        "I have the board tomorrow and I'm presenting the business case",
        "big meeting with the ICB on Thursday",
        "got a meeting tomorrow with the finance directors",
        "System board tomorrow. Help me prepare",
        "prep for tomorrow's board",  # `prep` with words is prose: routed, one tap more
    ],
)
def test_meeting_words_suggest_prep(content: Content, said: str) -> None:
    chat = Chat(content, onboarded())
    chat.say(said)
    assert chat.state.aside is not None
    assert chat.state.aside.dialogue == PREP  # type: ignore[union-attr]
    chat.press("Yes, let's start")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.dialogue == PREP


def test_preparing_for_a_hard_conversation_stays_with_challenging_behaviour(
    content: Content,
) -> None:
    found = suggest("preparing for a difficult conversation with Jo", content.dialogues)
    assert found is not None
    assert found.id == "challenging-behaviour.sbi-prepare"


def test_without_a_prep_the_command_says_so_and_shows_the_menu(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "dialogues" / f"{PREP}.yaml").unlink()
    content, problems = check_content(folder)
    assert content is not None
    assert problems == []
    chat = Chat(content, onboarded())
    chat.say("prep")
    assert chat.state.dialogue is None
    assert chat.text().startswith(texts.NO_PREP)
    assert isinstance(chat.last.messages[-1], Ask)  # type: ignore[union-attr]


def test_help_lists_prep() -> None:
    assert "**prep**" in texts.HELP


# ------------------------------------------------------------------ the content check


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _steps(questions: int) -> str:
    """A chain of `questions` steps: texts, then a choice that branches, then a commitment."""
    lines = ["start: q1", "steps:"]
    for n in range(1, questions - 1):
        lines += [f"  q{n}:", "    type: text", "    ask: Why?", f"    next: q{n + 1}"]
    lines += [
        f"  q{questions - 1}:",
        "    type: choice",
        "    ask: Which?",
        "    choices:",
        "      - {label: One, next: c1}",
        "      - {label: Two, next: c2}",
    ]
    for c in ("c1", "c2"):
        lines += [
            f"  {c}:",
            "    type: commitment",
            "    ask: What will you try?",
            "    next: done",
        ]
    lines += ["  done:", "    type: end", "    say: Thanks."]
    return "\n".join(lines) + "\n"


def _dialogue(folder: Path, name: str, kind: str | None, questions: int) -> Path:
    path = folder / "dialogues" / f"influence.{name}.yaml"
    head = (
        f"id: influence.{name}\ntheme: influence\ntitle: {name}\nsummary: A test.\n"
        "model: other\nminutes: 1\nfollow_up_days: 1\nrouting:\n  phrases: [a test phrase]\n"
    )
    path.write_text(head + (f"kind: {kind}\n" if kind else "") + _steps(questions))
    return path


def test_a_prep_may_ask_two_questions_but_a_conversation_may_not(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "dialogues" / f"{PREP}.yaml").unlink()
    _dialogue(folder, "two-prep", "prep", 2)
    _, problems = check_content(folder)
    assert problems == []
    path = _dialogue(folder, "two-talk", None, 2)
    _, problems = check_content(folder)
    assert [str(p) for p in problems] == [
        f"{path}:12: paths from start ask between 2 and 2 questions; every path must ask 3 to "
        "6 (about three minutes)"
    ]


def test_a_prep_asks_at_most_three(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "dialogues" / f"{PREP}.yaml").unlink()
    path = _dialogue(folder, "long-prep", "prep", 4)
    _, problems = check_content(folder)
    assert [str(p) for p in problems] == [
        f"{path}:13: paths from start ask between 4 and 4 questions; every path must ask 2 to "
        "3 (`kind: prep`)"
    ]


def test_a_second_prep_and_an_unknown_kind_are_errors(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _dialogue(folder, "another-prep", "prep", 3)
    odd = _dialogue(folder, "odd-kind", "briefing", 3)
    _, problems = check_content(folder)
    assert [str(p) for p in problems] == [
        f"{folder / 'dialogues'}: 2 dialogues are `kind: prep` (influence.another-prep, "
        f"{PREP}); the `prep` command opens one, so keep `kind: prep` on one and remove it "
        "from the others",
        f"{odd}:10: the dialogue: kind 'briefing' is unknown; use one of: conversation, prep "
        "(leave it out for a conversation)",
    ]
