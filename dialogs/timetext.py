"""Reading and writing times and dates the way a leader types and reads them."""

import re
from datetime import date, datetime

from dialogs.timezones import zone

_TIME = re.compile(
    r"^(?:at\s+)?(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE
)
_NOON_HOURS = 12


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


def short_date(day: date) -> str:
    """'Thu 27 Nov' — how dates appear in messages."""
    return f"{day:%a} {day.day} {day:%b}"


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"
