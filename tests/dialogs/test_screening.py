"""Stray characters, NHS numbers (Modulus 11) and distress phrases."""

import pytest

from dialogs.screening import holds_nhs_number, is_nhs_number, printable, signals_distress


@pytest.mark.parametrize("digits", ["9434765919", "4010232137", "9876543210"])
def test_valid_nhs_numbers(digits: str) -> None:
    assert is_nhs_number(digits)


@pytest.mark.parametrize("digits", ["9434765918", "1234567890", "123456789", "94347659190"])
def test_invalid_nhs_numbers(digits: str) -> None:
    assert not is_nhs_number(digits)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("943 476 5919", True),
        ("ref 943-476-5919 today", True),
        ("9434765919", True),
        ("call 01632 960 001", False),  # a phone number: eleven digits
        ("943 476 59190", False),
        ("in 2026 we saw 4 teams", False),
    ],
)
def test_holds_nhs_number(text: str, found: bool) -> None:
    assert holds_nhs_number(text) is found


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("two\tlines\r\nhere", "two\tlines\r\nhere"),
        ("bell\x07 nul\x00 esc\x1b[0m del\x7f", "bell nul esc[0m del"),
        ("abc\u202edef\u2066ghi\u2069", "abcdefghi"),  # overrides and isolates
        ("\ufeffword\u2060 joined\u200b", "word joined"),
        ("👩🏽\u200d⚕️ نعم \u200fok", "👩🏽\u200d⚕️ نعم \u200fok"),  # joiners and marks stay
    ],
)
def test_printable_drops_only_what_does_harm(typed: str, kept: str) -> None:
    assert printable(typed) == kept


def test_a_number_split_by_invisible_characters_is_still_caught() -> None:
    hidden = "943\u200b476\x005919"
    assert not holds_nhs_number(hidden)
    assert holds_nhs_number(printable(hidden))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I can\u2019t cope", True),
        ("i cant cope anymore", True),
        ("the ward can't cope with demand", True),  # cautious on purpose: a kind message at worst
        ("I'm a bit tired", False),
        ("copeland is a place", False),
    ],
)
def test_signals_distress(text: str, found: bool) -> None:
    assert signals_distress(text, ("can't cope", "cant cope")) is found
