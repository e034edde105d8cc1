"""Echoes: how an earlier answer reads inside a later question (dialogs/echoes.py)."""

import pytest

from dialogs.echoes import Slot, echo, fill, is_dont_know, quote

THAT_CHANGE = Slot("short", "that change")
NAMED = Slot("name", "the person you named")


@pytest.mark.parametrize(
    ("answer", "slot", "reads"),
    [
        ("The ICS board", THAT_CHANGE, "the ICS board"),  # first word lowered, acronym kept
        ("MY POST WENT", THAT_CHANGE, "my post went"),  # shouting lowered
        ("THE ICS WINTER PLAN", THAT_CHANGE, "the ICS winter plan"),  # known acronym kept
        ("ICS", THAT_CHANGE, "ICS"),
        ("GETTING GPS AND THE TRUST TALKING", THAT_CHANGE, "getting GPs and the trust talking"),
        ("TUESDAY'S BOARD", THAT_CHANGE, "Tuesday's board"),
        ("Getting GPs round a table.", THAT_CHANGE, "getting GPs round a table"),
        ("the winter discharge plan", THAT_CHANGE, "the winter discharge plan"),
        ("Tuesday's programme board", THAT_CHANGE, "Tuesday's programme board"),
        ("McKenzie ward", THAT_CHANGE, "McKenzie ward"),
        ("I'm not sure yet", THAT_CHANGE, "that change"),  # a "don't know" is not content
        ("Sam", NAMED, "Sam"),
        ("Dr Patel", NAMED, "Dr Patel"),
        ("The deputy chief nurse", NAMED, "the deputy chief nurse"),
        ("My PA", NAMED, "my PA"),
        ("The deputy chief nurse could run the data workstream", NAMED, "the person you named"),
        ("who would you be keeping out", NAMED, "the person you named"),  # a question, not a name
        ("not sure?", NAMED, "the person you named"),
        (
            "My director of nursing post went in the restructure; I now report to a deputy",
            THAT_CHANGE,
            "that change",
        ),
        ("one two three four five six seven", THAT_CHANGE, "that change"),  # over 6 words
        ("a" * 41, THAT_CHANGE, "that change"),  # over 40 characters
        ("a much longer answer than this one", Slot("short"), "that"),  # no refer_as
    ],
)
def test_an_echo_inside_a_sentence(answer: str, slot: Slot, reads: str) -> None:
    assert echo(answer, slot) == reads


def test_a_long_answer_is_referred_to_and_a_short_one_quoted_inline() -> None:
    template = "How and when will you invite {partner}, and what will you offer them?"
    slots = {"partner": NAMED}
    long = "The deputy chief nurse could run the data workstream if she had time"
    assert fill(template, {"partner": long}, slots) == (
        "How and when will you invite the person you named, and what will you offer them?"
    )
    short = fill(template, {"partner": "Sam"}, slots)
    assert short.startswith("How and when will you invite Sam,")


def test_a_placeholder_alone_on_its_line_is_quoted_there_trimmed_at_a_word() -> None:
    template = "You said:\n{situation}\nWhich way are you leaning today?"
    long = (
        "My director of nursing post went in the restructure; I now report to a deputy "
        "chief nurse who started last month and nobody has explained why"
    )
    lines = fill(template, {"situation": long}, {}).split("\n")
    assert lines[0] == "You said:"
    assert lines[1].startswith("> My director of nursing post went in the restructure;")
    assert lines[1].endswith("…")
    assert len(lines[1]) <= 2 + 90 + 1
    assert long.startswith(lines[1][2:-1])  # cut at a word boundary, nothing invented
    assert lines[1][-2] != " "
    assert lines[2] == "Which way are you leaning today?"


def test_a_shouted_quote_is_lowered_and_starts_with_a_capital() -> None:
    assert quote("MY POST WENT IN THE RESTRUCTURE AND THE ICB SAID NOTHING") == (
        "My post went in the restructure and the ICB said nothing"
    )


def test_a_shouted_i_and_month_keep_their_capitals() -> None:
    assert quote("I DON'T THINK WE CAN DELIVER THIS BY MARCH") == (
        "I don't think we can deliver this by March"
    )


def test_the_leaders_braces_are_not_read_as_placeholders() -> None:
    assert fill("At {where}, what happened?", {"where": "the {board}"}, {}) == (
        "At the {board}, what happened?"
    )


def test_an_unsaved_slot_reads_that() -> None:
    assert fill("Thinking about {change}, who?", {}, {}) == "Thinking about that, who?"


@pytest.mark.parametrize(
    "answer", ["i don't know really", "dunno", "Not sure.", "no idea", "I really don't know"]
)
def test_a_dont_know_is_never_a_name_or_a_quote(answer: str) -> None:
    slots = {"who": Slot("name"), "task": Slot("short", "that task")}
    saved = {"who": answer, "task": answer}
    assert is_dont_know(answer)
    assert (
        fill("When will you get in touch with {who}?", saved, slots)
        == "When will you get in touch with them?"
    )
    assert fill("What will you do first on {task}?", saved, slots) == (
        "What will you do first on that task?"
    )
    assert fill("You noted:\n{who}\nWhat now?", saved, slots) == "What now?"


def test_content_that_mentions_not_knowing_is_still_content() -> None:
    assert not is_dont_know("I don't know how to tell Sam")
    assert not is_dont_know("Sam")


def test_an_answer_that_starts_with_the_slots_verb_does_not_double_it() -> None:
    slots = {"who": Slot("name")}
    saved = {"who": "ask the ward manager"}
    assert fill("When will you ask {who}?", saved, slots) == "When will you ask the ward manager?"
    assert fill("Will {who} help?", {"who": "Sam"}, slots) == "Will Sam help?"


@pytest.mark.parametrize(
    ("answer", "reads"),
    [
        ("Sam's discharge plan", "Sam's discharge plan"),  # a name keeps its capital
        ("Priya in finance", "Priya in finance"),
        ("ICS bid write-up", "ICS bid write-up"),
        ("The rota review", "the rota review"),  # an ordinary first word is lowered
        ("My deputy", "my deputy"),
        ("Ask Priya", "ask Priya"),
        ("Delayed discharges", "delayed discharges"),
    ],
)
def test_names_keep_their_capitals_mid_sentence(answer: str, reads: str) -> None:
    assert echo(answer, THAT_CHANGE) == reads


def test_a_plan_typed_where_a_name_was_asked_is_not_pasted_as_the_name() -> None:
    """Review 4, dialogues 6 and 12: "When will you get in touch with I'll speak to Sam by
    Friday, and what will you ask for?"."""
    slot = Slot(answer="name", refer_as="them")
    assert echo("I'll speak to Sam by Friday", slot) == "them"
    assert echo("i will ring her", Slot(answer="name")) == "them"
    assert echo("Sam, my old deputy", slot) == "Sam"  # the aside after a comma goes (12h)
    assert echo("Will, the deputy", slot) == "Will"  # a name, not a plan


@pytest.mark.parametrize("answer", ["ED flow across the ICS. stalled", "the hub. Or the rota"])
def test_two_sentences_are_never_pasted_mid_sentence(answer: str) -> None:
    """Review 4, dialogue 1: "Where do things stand with ED flow across the ICS. stalled
    today?" read like a mail-merge."""
    slots = {"idea": Slot("short", "your idea")}
    assert fill("Where do things stand with {idea} today?", {"idea": answer}, slots) == (
        "Where do things stand with your idea today?"
    )


def test_a_title_with_a_full_stop_is_still_a_name() -> None:
    slots = {"who": Slot("name", "them")}
    assert fill("When will you see {who}?", {"who": "Dr. Patel"}, slots) == (
        "When will you see Dr. Patel?"
    )
