"""Reading and writing times and dates the way a leader types and reads them."""

import re
from datetime import date, datetime, timedelta

from dialogs.timezones import zone

_TIME = re.compile(
    r"^(?:at\s+)?(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE
)
_NOON_HOURS = 12
# Beyond about five months (or in another year) "Tue 5 Jan" could be either year.
YEAR_SHOWN_BEYOND = timedelta(days=150)


def parse_clock(text: str) -> str | None:
    """'8:30', '08.30', '8am', '5:15pm' -> 'HH:MM'; None when it is not a time of day."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower().replace(".", "")
    if meridiem and not 1 <= hour <= _NOON_HOURS:
        return None
    if meridiem == "pm" and hour != _NOON_HOURS:
        hour += _NOON_HOURS
    elif meridiem == "am" and hour == _NOON_HOURS:
        hour = 0
    if not meridiem and match.group(2) is None:
        return None  # a bare "8" is too ambiguous to store as a time
    if hour > 23 or minute > 59:  # noqa: PLR2004 - clock limits
        return None
    return f"{hour:02d}:{minute:02d}"


def local_date(at: datetime, timezone: str) -> date:
    return at.astimezone(zone(timezone)).date()


def short_date(day: date, today: date | None = None) -> str:
    """'Thu 27 Nov' — how dates appear in messages; 'Tue 5 Jan 2027' when `today` is given
    and the day is in another year or more than about five months away."""
    return f"{day:%a} {day.day} {day:%b}{_year(day, today)}"


def long_date(day: date, today: date | None = None) -> str:
    """'Thursday 27 November', with the year on the same terms as `short_date`."""
    return f"{day:%A} {day.day} {day:%B}{_year(day, today)}"


def _year(day: date, today: date | None) -> str:
    if today is None or (day.year == today.year and abs(day - today) <= YEAR_SHOWN_BEYOND):
        return ""
    return f" {day.year}"
