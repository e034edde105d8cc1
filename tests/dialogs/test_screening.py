"""Stray characters, NHS numbers (Modulus 11) and distress phrases."""

import pytest

from dialogs.content_model import Content
from dialogs.matching import one_slip
from dialogs.safety_match import forms_of
from dialogs.screening import distress, holds_nhs_number, is_nhs_number, printable


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
    ("text", "level", "rule"),
    [
        ("I can\u2019t cope", "crisis", "cant cope (gap 2)"),  # a curly apostrophe
        ("i cant cope anymore", "crisis", "cant cope (gap 2)"),  # none at all
        ("I cannot cope", "crisis", "cant cope (gap 2)"),  # `same` folds cannot -> cant
        ("i can not really cope", "crisis", "cant cope (gap 2)"),  # and can not, split
        ("I've been crying in the car park", "concern", "cry"),  # an inflection
        ("she cried, and then i cried", "concern", "cry"),  # hers is cancelled, mine is not
        # One slip in a long word (plain "exhausted" is tiredness, not a concern: issue 12).
        (
            "utterly exhuasted",
            "concern",
            "utterly|completely|totally|emotionally|physically exhausted (gap 1)",
        ),
        ("what's the point of it all", "crisis", "whats point"),
        ("what is even the point", "crisis", "whats point"),  # folded and split
        ("the ward and I can't cope", "crisis", "cant cope (gap 2)"),  # not about the ward
        ("I'm NOT OK", "concern", "not ok (gap 1)"),
        ("im not okay", "concern", "not ok (gap 1)"),
    ],
)
def test_distress_names_the_level_and_the_rule(
    content: Content, text: str, level: str, rule: str
) -> None:
    found = distress(text, content.safety)
    assert found is not None
    assert (found.level, found.rule) == (level, rule)


@pytest.mark.parametrize(
    "text",
    [
        "the ward can't cope with demand",  # an `ordinary` saying on the same words
        "I could murder a coffee",
        "what's the point of this meeting",
        "I'm a bit tired",
        "copeland is a place",  # a word that only starts like one
        "the teams are not ready",  # one slip from "tears", but a real word
        "I'm not sure but ok",  # "not ... ok" too far apart
        "i am not ok with how that was decided",
        "I can't go on the course next week",
    ],
)
def test_everyday_talk_triggers_nothing(content: Content, text: str) -> None:
    assert distress(text, content.safety) is None


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("the consultant said he wanted to die", None),  # his words, reported
        ("a patient talked about suicide today and i handled it", None),
        ("my deputy is burnt out, how do i support her", None),  # "my" names the deputy
        ("my colleague told me she feels hopeless", None),  # "me" is not before the match
        ("the consultant said i want to die", "crisis"),  # a personal word between
        ("she left and want to die", "crisis"),  # a clause word between
        ("he left, want to die", "crisis"),  # punctuation between
        ("he left \u2013 want to die", "crisis"),
        ("they would be better off without me", "crisis"),  # the match holds "me"
        ("my colleague says she wants to die and i feel the same", "crisis"),  # own_feeling
        ("he is suicidal and so am i", "crisis"),
        ("my deputy is burnt out, me too", "concern"),
        ("the patient said that last week after the ward round he was suicidal", None),
        ("the patient said that last week after the ward round we were all suicidal", "crisis"),
    ],
)
def test_someone_elses_crisis_is_set_aside_unless_the_leader_shares_it(
    content: Content, text: str, level: str | None
) -> None:
    found = distress(text, content.safety)
    assert (found.level if found else None) == level, found


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("cry", "cried"),
        ("cry", "crying"),
        ("cope", "coping"),
        ("stop", "stopped"),
        ("die", "dying"),
    ],
)
def test_simple_endings(word: str, form: str) -> None:
    assert form in forms_of(word)


@pytest.mark.parametrize(
    ("typed", "word", "slip"),
    [
        ("exhuasted", "exhausted", True),  # swapped
        ("hopless", "hopeless", True),  # missing
        ("burnoutt", "burnout", True),  # extra
        ("burnuot", "burnout", True),
        ("exhausted", "exhausted", False),  # the word itself
        ("hopelss", "hopeless", True),
        ("hpoelss", "hopeless", False),  # two slips
    ],
)
def test_one_slip(typed: str, word: str, slip: bool) -> None:
    assert one_slip(typed, word) is slip
