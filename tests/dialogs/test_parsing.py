"""Commands, typed choices and typed times."""

from datetime import date

import pytest

from dialogs.commands import CommandError, Pause, SetTimezone, Simple, StartDialogue, parse_command
from dialogs.matching import match_choice, numbers_in
from dialogs.timetext import parse_clock
from dialogs.timezones import canonical_zone

OPTIONS = [("Talking over others", "interrupting"), ("Dismissing ideas",), ("Something else",)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", Simple("help")),
        ("/help", Simple("help")),
        ("JOURNAL", Simple("journal")),
        ("forget me", Simple("forget")),
        ("cancel", Simple("stop")),
        ("pause", Pause()),
        ("pause until 2027-01-05", Pause(date(2027, 1, 5))),
        ("pause 2027-01-05", Pause(date(2027, 1, 5))),
        ("timezone", SetTimezone(None)),
        ("timezone asia/kolkata", SetTimezone("Asia/Kolkata")),
        ("start energy", StartDialogue("energy")),
        ("help me think about my week", None),
        ("I journal every day", None),
    ],
)
def test_parse_command(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["pause until soon", "pause until 2027-13-01", "timezone PST"])
def test_bad_arguments_are_command_errors_with_an_example(text: str) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, CommandError)
    assert "For example: `" in parsed.text


@pytest.mark.parametrize(
    ("typed", "index"),
    [
        ("1", 0),
        ("2.", 1),
        ("option 3", 2),
        ("two", 1),
        ("the second", 1),
        ("dismissing ideas", 1),
        ("Dismis", 1),
        ("dismisng ideas", 1),
        ("interrupting", 0),
        ("he dismissed my plan", 1),
        ("4", None),
        ("banana", None),
        ("", None),
    ],
)
def test_match_choice(typed: str, index: int | None) -> None:
    assert match_choice(typed, OPTIONS) == index


def test_a_typed_sentence_does_not_pick_a_choice_by_a_small_word() -> None:
    tank = [("Running low",), ("Getting by",), ("Fairly full",)]
    assert match_choice("email Sam by Friday", tank) is None  # the commitment, typed early
    assert match_choice("getting by", tank) == 1
    assert match_choice("just getting by really", tank) == 1


def test_numbers_in() -> None:
    assert numbers_in("1, 3 and 4", 5) == [1, 3, 4]
    assert numbers_in("1 9", 5) is None
    assert numbers_in("influence", 5) is None


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("08:30", "08:30"),
        ("8:30", "08:30"),
        ("8.30", "08:30"),
        ("8am", "08:00"),
        ("5:15pm", "17:15"),
        ("12am", "00:00"),
        ("12pm", "12:00"),
        ("8", None),
        ("25:00", None),
        ("13pm", None),
        ("later", None),
    ],
)
def test_parse_clock(typed: str, clock: str | None) -> None:
    assert parse_clock(typed) == clock


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("UTC", "UTC"),
        ("Australia/Lord_Howe", "Australia/Lord_Howe"),
        ("EST", None),
        ("Etc/GMT-1", None),
        ("GMT", None),
        ("Mars/Olympus", None),
    ],
)
def test_only_iana_place_names_are_zones(name: str, zone: str | None) -> None:
    assert canonical_zone(name) == zone
