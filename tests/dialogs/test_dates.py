"""Reading a day from a leader's words, relative to their local today (dialogs/dates.py)."""

from datetime import date

import pytest

from dialogs.dates import check_in_day, next_meeting, read_date, without, working_day_from
from dialogs.timetext import long_date, short_date

TODAY = date(2026, 12, 2)  # a Wednesday

CASES = [
    ("ask Sam on Friday", date(2026, 12, 4)),
    ("offer her the workstream by thursday week", date(2026, 12, 10)),  # review 8: not 3 Dec
    ("a week on Friday", date(2026, 12, 11)),
    ("Wednesday week", date(2026, 12, 9)),  # said on a Wednesday: a week today
    ("a week tomorrow", date(2026, 12, 10)),
    ("a week today", date(2026, 12, 9)),
    ("by Fri", date(2026, 12, 4)),
    ("email her on Monday", date(2026, 12, 7)),
    ("this Wednesday", date(2026, 12, 9)),  # today's weekday named means the next one
    ("tomorrow", date(2026, 12, 3)),
    ("this afternoon", TODAY),
    ("next week", date(2026, 12, 11)),  # next week's Friday
    ("by the end of the week", date(2026, 12, 4)),
    ("by the end of the month", date(2026, 12, 31)),
    ("end of January", date(2027, 1, 31)),
    ("by the end of Jan", date(2027, 1, 31)),
    ("on the 18th", date(2026, 12, 18)),
    ("on the 1st", date(2027, 1, 1)),
    ("18 Dec", date(2026, 12, 18)),
    ("18th December", date(2026, 12, 18)),
    ("December 18", date(2026, 12, 18)),
    ("18/12", date(2026, 12, 18)),
    ("5/1", date(2027, 1, 5)),
    ("18/12/2026", date(2026, 12, 18)),
    ("after Tuesday's board", date(2026, 12, 8)),
    ("next Tuesday", date(2026, 12, 8)),
    ("in two weeks", date(2026, 12, 16)),
    ("in 3 days", date(2026, 12, 5)),
    ("in a fortnight", date(2026, 12, 16)),
    ("in a month", date(2027, 1, 2)),
    ("next month", date(2027, 1, 31)),
    # in the past
    ("yesterday", date(2026, 12, 1)),
    ("last Friday", date(2026, 11, 27)),
    ("18 Nov", date(2026, 11, 18)),  # the nearest 18 Nov is a fortnight ago
    ("1/11/2026", date(2026, 11, 1)),
    # more than 90 days away
    ("end of June", date(2027, 6, 30)),
    ("18/12/2027", date(2027, 12, 18)),
]


@pytest.mark.parametrize(("words", "day"), CASES)
def test_a_day_is_read_from_the_leaders_words(words: str, day: date) -> None:
    found = read_date(words, TODAY)
    assert found is not None, words
    assert found.day == day


@pytest.mark.parametrize(
    "words",
    [
        "talk to people about it",
        "the 2 nurses on the ward",  # a number after "the" is not a day of the month
        "I sat down with the team",  # "sat" is a word before it is a day
        "under the sun",
        "31/02",  # no such day
        "",
    ],
)
def test_words_without_a_day_read_as_none(words: str) -> None:
    assert read_date(words, TODAY) is None


def test_past_and_far_are_told_apart() -> None:
    past = read_date("last Friday", TODAY)
    far = read_date("end of June", TODAY)
    near = read_date("end of January", TODAY)
    assert past is not None
    assert past.is_past(TODAY)
    assert not past.is_far(TODAY)
    assert far is not None
    assert far.is_far(TODAY)
    assert not far.is_past(TODAY)
    assert near is not None
    assert not near.is_past(TODAY)
    assert not near.is_far(TODAY)


def test_the_check_in_is_the_first_working_day_after_the_day_named() -> None:
    assert check_in_day(date(2026, 12, 3)) == date(2026, 12, 4)  # Thu -> Fri
    assert check_in_day(date(2026, 12, 4)) == date(2026, 12, 7)  # Fri -> Mon
    assert check_in_day(date(2027, 1, 31)) == date(2027, 2, 1)  # Sun 31 Jan -> Mon 1 Feb
    tue_thu = frozenset({1, 3})
    assert check_in_day(date(2026, 12, 4), tue_thu) == date(2026, 12, 8)
    assert working_day_from(date(2026, 12, 5)) == date(2026, 12, 7)  # Sat -> Mon
    assert working_day_from(date(2026, 12, 2)) == date(2026, 12, 2)


@pytest.mark.parametrize(
    ("day", "today", "shown"),
    [
        (date(2026, 12, 8), TODAY, "Tue 8 Dec"),  # near, this year
        (date(2026, 11, 18), TODAY, "Wed 18 Nov"),  # a recent past day
        (date(2027, 1, 5), TODAY, "Tue 5 Jan 2027"),  # another calendar year, however near
        (date(2027, 6, 1), date(2027, 1, 4), "Tue 1 Jun"),  # 148 days: still near
        (date(2027, 6, 4), date(2027, 1, 4), "Fri 4 Jun 2027"),  # 151 days: far
    ],
)
def test_a_date_shows_its_year_only_where_it_could_be_misread(
    day: date, today: date, shown: str
) -> None:
    assert short_date(day, today) == shown
    assert long_date(day, today).endswith(str(day.year)) == shown.endswith(str(day.year))


def test_without_today_a_date_is_shown_as_before() -> None:
    assert short_date(date(2027, 6, 4)) == "Fri 4 Jun"
    assert long_date(date(2027, 6, 4)) == "Friday 4 June"


@pytest.mark.parametrize(
    ("text", "words", "left"),
    [
        ("catch her by Friday", "Friday", "catch her"),
        ("I'll speak to Sam by Friday", "Friday", "I'll speak to Sam"),
        ("by Friday", "Friday", ""),
        ("Sam, on Friday, over coffee", "Friday", "Sam, over coffee"),
        ("ring Sam next week", "next week", "ring Sam"),
        ("catch her by Friday", "", "catch her by Friday"),
        ("Fridays are hard; ring Sam on Friday", "Friday", "Fridays are hard; ring Sam"),
    ],
)
def test_a_day_phrase_can_be_taken_out_of_a_step(text: str, words: str, left: str) -> None:
    """A prep's day after tomorrow's meeting does not stand, so the stored step loses it
    (review 12g: "by Friday — Sam, the council's lead, catch her by Friday")."""
    assert without(text, words) == left


@pytest.mark.parametrize("text", ["on the 18th", "by the 3rd", "today", "this afternoon"])
def test_the_words_read_are_the_whole_phrase(text: str) -> None:
    """ "on the 18th" was read as "on the 18" (the edges of a pattern held only its first
    and last alternatives), so taking the day out left "th"."""
    reading = read_date(text, TODAY)
    assert reading is not None
    assert without(text, reading.words) == ""


@pytest.mark.parametrize(
    ("text", "meeting"),
    [
        ("book a proper 20 minutes with him before the next board", "board"),
        ("raise it after the next board", "board"),
        ("ask the team at the next huddle", "huddle"),
        ("brief Priya before the next ICB meeting", "ICB meeting"),
        ("put it to our next system board", "system board"),
        ("after Tuesday's board", None),  # its day is named
        ("at the next huddle on Friday", None),
        ("ring Sam next week", None),
        ("the next step is to ask Sam", None),
        ("the next step is meeting Sam", None),
        ("ask at our next ops call", "ops call"),
        ("at the next System Flow meeting", "System Flow meeting"),
    ],
)
def test_a_meeting_named_without_its_day(text: str, meeting: str | None) -> None:
    """Review 12g: "before the next board" is an NHS deadline whose day the leader knows."""
    assert next_meeting(text, TODAY) == meeting
