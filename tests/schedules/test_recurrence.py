"""Local times across daylight-saving changes, for zones with odd rules."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.recurrence import (
    NAMED_SETS,
    Rule,
    RuleError,
    format_days,
    next_occurrence,
    occurrences,
    parse_days,
    parse_hhmm,
    resolve_local,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fires(zone: str, at: str, start: str, days: int) -> list[datetime]:
    rule = Rule(NAMED_SETS["daily"], parse_hhmm(at), zone)
    begin = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone))
    return list(occurrences(rule, begin, begin + timedelta(days=days)))


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Europe/London", "2026-03-27T12:00"),  # spring forward Sun 29 Mar
        ("Europe/London", "2026-10-23T12:00"),  # fall back Sun 25 Oct
        ("America/New_York", "2026-03-06T12:00"),
        ("America/New_York", "2026-10-30T12:00"),
        ("Australia/Lord_Howe", "2026-10-02T12:00"),  # 30-minute shift
        ("Australia/Lord_Howe", "2026-04-03T12:00"),
        ("Pacific/Chatham", "2026-09-25T12:00"),  # +12:45 / +13:45
        ("Pacific/Chatham", "2026-04-03T12:00"),
        ("Asia/Kolkata", "2026-03-27T12:00"),  # +05:30, no DST
    ],
)
def test_0830_is_0830_local_on_both_sides_of_a_change(zone: str, start: str) -> None:
    found = fires(zone, "08:30", start, 5)
    assert len(found) == 5
    for fire in found:
        local = fire.astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) == (8, 30)
    assert len({f.astimezone(ZoneInfo(zone)).date() for f in found}) == 5


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_utc", "expected_local"),
    [
        ("Europe/London", "2026-03-29", "01:30", "2026-03-29T01:00", "02:00"),
        ("America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00", "03:00"),
        ("Australia/Lord_Howe", "2026-10-04", "02:15", "2026-10-03T15:30", "02:30"),
        ("Pacific/Chatham", "2026-09-27", "03:00", "2026-09-26T14:00", "03:45"),
    ],
)
def test_a_time_skipped_in_spring_fires_at_the_first_valid_minute(
    zone: str, day: str, at: str, expected_utc: str, expected_local: str
) -> None:
    fire = resolve_local(date.fromisoformat(day), parse_hhmm(at), ZoneInfo(zone))
    assert fire == utc(expected_utc)
    assert f"{fire.astimezone(ZoneInfo(zone)):%H:%M}" == expected_local


@pytest.mark.parametrize(
    ("zone", "start", "at", "expected_utc"),
    [
        ("Europe/London", "2026-10-24T12:00", "01:30", "2026-10-25T00:30"),
        ("America/New_York", "2026-10-31T12:00", "01:30", "2026-11-01T05:30"),
        ("Australia/Lord_Howe", "2026-04-04T12:00", "01:45", "2026-04-04T14:45"),
        ("Pacific/Chatham", "2026-04-04T12:00", "03:00", "2026-04-04T13:15"),
    ],
)
def test_a_time_that_happens_twice_in_autumn_fires_once(
    zone: str, start: str, at: str, expected_utc: str
) -> None:
    found = fires(zone, at, start, 1)
    assert found == [utc(expected_utc)]


def test_weekdays_and_ranges() -> None:
    assert parse_days("weekdays") == frozenset(range(5))
    assert parse_days("mon-thu") == frozenset({0, 1, 2, 3})
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("Mon,Wed,Fri") == frozenset({0, 2, 4})
    assert parse_days("weekends") == frozenset({5, 6})
    assert format_days(parse_days("mon,wed,fri")) == "mon,wed,fri"
    assert format_days(parse_days("mon-fri")) == "weekdays"


@pytest.mark.parametrize("text", ["funday", "mon-", "", "weekly"])
def test_bad_days_are_explained_with_an_example(text: str) -> None:
    with pytest.raises(RuleError, match="For example: `schedule weekdays 08:30"):
        parse_days(text)


@pytest.mark.parametrize("text", ["8.30", "24:00", "08:60", "noon"])
def test_bad_times_are_explained(text: str) -> None:
    with pytest.raises(RuleError, match="24-hour HH:MM"):
        parse_hhmm(text)


def test_start_and_end_dates_bound_the_schedule() -> None:
    rule = Rule(
        parse_days("daily"), time(9), "Europe/London", date(2026, 12, 1), date(2026, 12, 3)
    )
    found = list(occurrences(rule, utc("2026-11-01T00:00"), utc("2027-01-01T00:00")))
    assert [f.date() for f in found] == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    assert next_occurrence(rule, utc("2026-12-04T00:00")) is None


def test_weekday_schedules_skip_weekends() -> None:
    rule = Rule(parse_days("weekdays"), time(8, 30), "Europe/London")
    found = list(occurrences(rule, utc("2026-11-27T09:00"), utc("2026-12-04T09:00")))
    assert [f.strftime("%a") for f in found] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
