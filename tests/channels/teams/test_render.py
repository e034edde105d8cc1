"""Teams rendering: golden activities per message shape, and the submit round trip."""

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.channels.teams.render import (
    CHANNEL_POINTER,
    chosen_card,
    neutralise,
    parse_submit,
    render_turn,
    submitted_label,
)
from dialogs.model import Ask, Choice, Message, Prompt, Say

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = "<at>Everyone</at> <script>x</script> **x**"
THEMES = (
    "Influence",
    "Resilience",
    "Growing leaders",
    "Difficult conversations",
    "Team culture",
    "Change",
    "Inclusion",
    "Decision making",
    "Time and priorities",
    "System working",
    "Feedback",
    "Wellbeing",
    "Purpose",
)
THREE = (Choice("yes", "Yes, let's start"), Choice("menu", "Show me others"), Choice("no", "No"))
THIRTEEN = tuple(Choice(f"theme-{i}", label) for i, label in enumerate(THEMES, 1))
SAY_ASK = (
    Say("That sounds like a good fit for **Stakeholder map** (3 minutes)."),
    Ask("Shall we?", THREE, "tok-3", "suggest#influence.stakeholder-map"),
)
ASK_13 = (
    Ask("Which themes matter most to you?\nPick one.", THIRTEEN, "tok-13", "onboarding#themes"),
)
CASES: dict[str, tuple[Message, ...]] = {
    "say_bold_bullets": (
        Say(
            "Here is what you can type:\n• **start** – pick a conversation\n"
            "• **journal** – your reflections\nIn a conversation, **stop** leaves it."
        ),
    ),
    "say_ask_three_choices": SAY_ASK,
    "ask_thirteen_choices": ASK_13,
    "prompt_placeholder": (
        Say("Let's map who matters."),
        Prompt("Who is the one person you most need on side?", "e.g. the GP clinical lead"),
        Prompt("And why them?", "the person who holds the budget"),
    ),
    "hostile_text": (
        Say(f"You said:\n> {HOSTILE}\nUse `{HOSTILE}`."),
        Ask(f"> {HOSTILE}\n\nIs that right?", (Choice("ok", HOSTILE),), "tok-h", "reflect#check"),
    ),
}


def golden(name: str, activities: list[dict[str, Any]]) -> None:
    """Compare with the stored file; UPDATE_GOLDEN=1 rewrites it after a deliberate change."""
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        text = json.dumps(activities, indent=2, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == activities


def cards(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a["content"] for activity in activities for a in activity.get("attachments", [])]


@pytest.mark.parametrize("name", CASES)
def test_turn_matches_golden(name: str) -> None:
    golden(name, render_turn(CASES[name]))


@pytest.mark.parametrize("name", CASES)
def test_every_activity_is_a_json_message_with_text_or_summary(name: str) -> None:
    activities = render_turn(CASES[name])
    assert json.loads(json.dumps(activities)) == activities
    for activity in activities:
        assert activity["type"] == "message"
        assert activity.get("text") or activity.get("summary")


@pytest.mark.parametrize("name", CASES)
def test_cards_have_the_basic_adaptive_card_shape(name: str) -> None:
    for activity in render_turn(CASES[name]):
        for attachment in activity.get("attachments", []):
            assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
            card = attachment["content"]
            assert card["type"] == "AdaptiveCard"
            assert card["version"] == "1.5"
            assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
            assert isinstance(card["body"], list)
            assert card["body"]
            assert all(block["type"] for block in card["body"])
            assert all(b["wrap"] for b in card["body"] if b["type"] == "TextBlock")


def test_text_before_a_question_travels_with_its_card_in_one_message() -> None:
    turn = (Say("a"), Prompt("b"), Ask("c", THREE, "t", "menu"), Say("d"))
    activities = render_turn(turn)
    assert [a.get("text") for a in activities] == ["a\n\nb", "d"]
    assert activities[0]["textFormat"] == "markdown"
    assert len(activities[0]["attachments"]) == 1  # the question's card, under the text
    assert "attachments" not in activities[1]


def test_up_to_six_choices_are_buttons_naming_dialogue_step_choice_and_token() -> None:
    (card,) = cards(render_turn(SAY_ASK))
    assert [a["title"] for a in card["actions"]] == [c.label for c in THREE]
    assert card["actions"][0]["data"] == {
        "pc": 1,
        "token": "tok-3",
        "dialogue": "suggest",
        "step": "influence.stakeholder-map",
        "choice": "yes",
        "label": "Yes, let's start",
    }


def test_seven_choices_become_a_compact_drop_down_with_one_go_button() -> None:
    ask = Ask("Pick", THIRTEEN[:7], "t7", "onboarding#themes")
    (card,) = cards(render_turn((ask,)))
    (choice_set,) = [b for b in card["body"] if b["type"] == "Input.ChoiceSet"]
    assert (choice_set["id"], choice_set["style"]) == ("choice", "compact")
    assert choice_set["placeholder"] == "Choose…"
    assert [a["title"] for a in card["actions"]] == ["Go"]


def test_a_topic_without_a_step_names_only_the_dialogue() -> None:
    (card,) = cards(render_turn((Ask("Which?", THREE, "t", "menu"),)))
    data = card["actions"][0]["data"]
    assert (data["dialogue"], data["step"]) == ("menu", "")


def test_parse_submit_round_trips_every_button() -> None:
    (card,) = cards(render_turn(SAY_ASK))
    parsed = [parse_submit(action["data"]) for action in card["actions"]]
    assert parsed == [("tok-3", choice.id) for choice in THREE]


def test_parse_submit_reads_the_drop_down_choice_merged_into_the_value() -> None:
    (card,) = cards(render_turn(ASK_13))
    value = {**card["actions"][0]["data"], "choice": "theme-7"}  # Teams merges inputs
    assert parse_submit(value) == ("tok-13", "theme-7")
    assert submitted_label(value) == "Inclusion"


@pytest.mark.parametrize(
    "value",
    [
        {},
        None,
        "x",
        [],
        42,
        {"pc": 1, "choice": "yes"},
        {"pc": 1, "token": "t"},
        {"pc": 1, "token": "t", "choice": ""},
        {"pc": 1, "token": 7, "choice": "yes"},
        {"token": "t", "choice": "yes"},
        {"pc": 2, "token": "t", "choice": "yes"},
    ],
    ids=repr,
)
def test_parse_submit_returns_none_for_anything_else(value: object) -> None:
    assert parse_submit(value) is None
    assert submitted_label(value) is None


def test_submitted_label_of_a_button() -> None:
    (card,) = cards(render_turn(SAY_ASK))
    assert submitted_label(card["actions"][1]["data"]) == "Show me others"


def test_chosen_card_shows_question_and_choice_without_actions() -> None:
    attachment = chosen_card("Shall we?\n• one", "Yes, let's start")
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "actions" not in card
    assert not any(b["type"].startswith("Input.") for b in card["body"])
    assert [b["text"] for b in card["body"]] == [
        "Shall we?",
        "• one",
        "✓ You chose: **Yes, let's start**",
    ]


def test_chosen_card_without_a_question_shows_just_the_choice() -> None:
    card = chosen_card("", HOSTILE)["content"]
    assert [b["text"] for b in card["body"]] == [f"✓ You chose: **{neutralise(HOSTILE)}**"]


def test_hostile_text_cannot_open_html_or_mentions_but_stays_readable() -> None:
    dumped = json.dumps(render_turn(CASES["hostile_text"]), ensure_ascii=False)
    assert "<" not in dumped
    assert "**x**" in dumped
    assert "＜at＞Everyone＜/at＞" in dumped
    markdown = render_turn(CASES["hostile_text"])[0]["text"]
    assert [line[:2] for line in markdown.split("\n\n")] == ["Yo", "> ", "Us"]
    assert ">" not in markdown.replace("\n\n> ", "")


def test_prompt_placeholder_is_an_italic_example_line_without_a_double_e_g() -> None:
    (activity,) = render_turn(CASES["prompt_placeholder"])
    assert "_e.g. the GP clinical lead_" in activity["text"]
    assert "_e.g. the person who holds the budget_" in activity["text"]


def test_card_summary_is_the_plain_first_line_cut_for_notifications() -> None:
    long = "**" + "word " * 60 + "**\nsecond line"
    (activity,) = render_turn((Ask(long, THREE, "t", "menu"),))
    assert activity["summary"].startswith("word word")
    assert "*" not in activity["summary"]
    assert len(activity["summary"]) <= 160
    assert activity["summary"].endswith("…")


def test_channel_pointer_sends_the_leader_to_the_personal_chat() -> None:
    assert "personal chat" in CHANNEL_POINTER
    assert "private" in CHANNEL_POINTER


def test_card_data_names_its_leader_and_is_refused_to_anyone_else() -> None:
    ann, ben = "a" * 16, "b" * 16
    (card,) = cards(render_turn(SAY_ASK, ann))
    data = card["actions"][0]["data"]
    assert data["leader"] == ann
    assert parse_submit(data, ann) is not None
    assert parse_submit(data, ben) is None
    assert parse_submit({k: v for k, v in data.items() if k != "leader"}, ben) is not None
