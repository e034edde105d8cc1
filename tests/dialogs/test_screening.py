"""NHS numbers (Modulus 11) and distress phrases."""

import pytest

from dialogs.screening import holds_nhs_number, is_nhs_number, signals_distress


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
    assert signals_distress(text, ["can't cope", "cant cope"]) is found
