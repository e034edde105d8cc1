"""Reading a day from a leader's own words ("by Friday", "on the 18th", "end of January").

Pure: no clock. `today` is the leader's local date, passed in. The day read is the day the
leader named (a deadline or an event); the check-in is the first working day after it.

Rules (each kind's first match counts; of those, the earliest day wins):
- "today", "tonight", "this afternoon" -> today; "tomorrow" -> today + 1; "yesterday" -> past;
- "in two weeks", "in 3 days", "in a fortnight", "in a month" -> today + that;
- "end of the week" / "this week" -> this Friday; "next week" / "end of next week" -> next
  week's Friday; "end of the month" / "this month" -> its last day; "next month" -> its last day;
- "end of January", "by the end of Jan" -> the last day of that month;
- "18/12", "18/12/2026", "18 Dec", "18th December", "December 18" -> that date;
- "on the 18th" -> the next 18th (today counts);
- "before the next board", "at the next huddle": no day (next_meeting names the meeting);
- "a week tomorrow", "a week today" -> that day + 7; "Thursday week", "a week on Thursday"
  -> the Thursday after the next one (British usage; on a Thursday, a week today);
- "last Friday" -> past; "next Tuesday" -> the Tuesday of next week; "Friday", "by Fri",
  "after Tuesday's board" -> the next Friday or Tuesday after today.
A date written without a year is the next one to come, unless one in the last 60 days is
nearer: "18 Nov" typed on 2 Dec is in the past (and questioned), "end of June" is next June.
"""

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dialogs.matching import CARDINALS
from dialogs.model import MON_TO_FRI

WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
NUMBERS = {"a": 1, "an": 1, "a couple of": 2, **CARDINALS}
FAR = timedelta(days=90)
RECENT_PAST = timedelta(days=60)  # "18 Nov" on 2 Dec is a slip; "end of June" is next June
_FRIDAY = 4
_DAYS_IN_WEEK = 7

_DAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_COUNT = r"\d{1,2}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_DayOfYear = Callable[[int], date | None]
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14, "fortnights": 14}


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w/])(?:{pattern})(?![\w/])", re.IGNORECASE)


_WEEK_FROM = _rx(r"a week (today|tomorrow)|(today|tomorrow) week")
_TODAY = _rx(r"today|tonight|this (?:morning|afternoon|evening)|later today|by close of play")
_TOMORROW = _rx(r"tomorrow")
_YESTERDAY = _rx(r"yesterday")
_IN_COUNT = _rx(rf"in ({_COUNT}) (days?|weeks?|fortnights?)(?:'? time)?")
_IN_FORTNIGHT = _rx(r"in a fortnight(?:'s time)?")
_IN_MONTH = _rx(rf"in ({_COUNT}) months?(?:'? time)?")
_THIS_WEEK = _rx(r"(?:the )?end of (?:the|this) week|this week")
_NEXT_WEEK = _rx(r"(?:the )?end of next week|next week")
_THIS_MONTH = _rx(r"(?:the )?end of (?:the|this) month|this month")
_NEXT_MONTH = _rx(r"(?:the )?end of next month|next month")
_END_OF = _rx(rf"(?:the )?end of ({_MONTH})")
_NUMERIC = _rx(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?")
_DAY_MONTH = _rx(rf"(\d{{1,2}}){_ORD}(?: of)? ({_MONTH})(?:,? (\d{{4}}))?")
_MONTH_DAY = _rx(rf"({_MONTH}) (\d{{1,2}}){_ORD}(?:,? (\d{{4}}))?")
_THE_NTH = _rx(r"on the (\d{1,2})|the (\d{1,2})(?:st|nd|rd|th)")
_LAST_DAY = _rx(rf"last ({_DAY})")
_NEXT_DAY = _rx(rf"next ({_DAY})")
_A_DAY = _rx(rf"({_DAY})(?:'s)?")
_DAY_WEEK = _rx(rf"({_DAY}) week|a week (?:on|from|this) ({_DAY})")
_MEETINGS = (
    r"board|huddle|meeting|committee|review|panel|forum|session|handover|mdt|call|catch-up|"
    r"one-to-one|1:1|away ?day|sitrep|ops call|assembly"
)
# "before the next board", "at our next system huddle": a meeting named without its day
# between "next" and the meeting, only words that say which: "ICB", "system", "ops"
_QUALIFIER = (
    r"(?-i:[A-Z][A-Za-z&'-]*)|system|programme|team|trust|exec|executive|ops|operational|bed|"
    r"safety|quality|finance|partnership|place|senior|leadership|clinical|ward|divisional|"
    r"monthly|weekly|daily|morning|governance|flow|network"
)
_NEXT_MEETING = _rx(rf"(?:the |our |my )?next ((?:(?:{_QUALIFIER}) ){{0,2}}(?:{_MEETINGS}))")


@dataclass(frozen=True)
class DateReading:
    """The day a leader named and the words it came from."""

    day: date
    words: str

    def is_past(self, today: date) -> bool:
        return self.day < today

    def is_far(self, today: date) -> bool:
        return self.day > today + FAR


def read_date(text: str, today: date) -> DateReading | None:
    """The day named in `text` relative to `today`, or None if it names none. When several
    are named ("book coffee by Friday; review at the end of the month") the earliest wins:
    the check-in follows the first thing the leader said they would do."""
    found = [r for r in (reader(text, today) for reader in _READERS) if r is not None]
    return min(found, key=lambda r: r.day) if found else None


def next_meeting(text: str, today: date) -> str | None:
    """The meeting a leader names without its day, in their words ("board", "ICB meeting"
    from "before the next ICB meeting"); None if there is none or a day is named too. Its
    day is theirs to say (review 12g: "before the next board" was asked "When will you do
    it?")."""
    found = _NEXT_MEETING.search(text)
    if found is None or read_date(text, today) is not None:
        return None
    return found.group(1)


def meeting_words(text: str) -> str | None:
    """The words that name a meeting by "next" ("the next board"), day named or not."""
    found = _NEXT_MEETING.search(text)
    return found.group(0) if found else None


def without(text: str, words: str) -> str:
    """`text` with the day phrase `words` (and the "by", "on" or "before" leading it) taken
    out, tidied: "catch her by Friday" -> "catch her". For a step whose day no longer
    stands (a prep's day after tomorrow's meeting)."""
    if not words:
        return text.strip()
    lead = r"(?:(?:by|on|before|until|till|for|at|after|no later than|from)\s+)?"
    cut = re.compile(rf"[\s,]*{lead}{re.escape(words)}(?![\w/])", re.IGNORECASE)
    left = cut.sub("", text, count=1)
    return re.sub(r"\s{2,}", " ", left).strip(" ,;")


def check_in_day(named: date, working: frozenset[int] = MON_TO_FRI) -> date:
    """The first working day after `named` (the day after a deadline or an event)."""
    return working_day_from(named + timedelta(days=1), working)


def working_day_from(day: date, working: frozenset[int] = MON_TO_FRI) -> date:
    """`day` itself if it is a working day, else the next one (Mon-Fri when none are given)."""
    days = working or MON_TO_FRI
    while day.weekday() not in days:
        day += timedelta(days=1)
    return day


def _relative(text: str, today: date) -> DateReading | None:
    if m := _WEEK_FROM.search(text):
        start = (m.group(1) or m.group(2)).lower()
        return DateReading(today + timedelta(days=7 + (start == "tomorrow")), m.group(0))
    if m := _TODAY.search(text):
        return DateReading(today, m.group(0))
    if m := _TOMORROW.search(text):
        return DateReading(today + timedelta(days=1), m.group(0))
    if m := _YESTERDAY.search(text):
        return DateReading(today - timedelta(days=1), m.group(0))
    if m := _IN_FORTNIGHT.search(text):
        return DateReading(today + timedelta(days=14), m.group(0))
    if m := _IN_COUNT.search(text):
        days = _count(m.group(1)) * _UNITS[m.group(2).lower()]
        return DateReading(today + timedelta(days=days), m.group(0))
    if m := _IN_MONTH.search(text):
        return DateReading(_add_months(today, _count(m.group(1))), m.group(0))
    return None


def _spans(text: str, today: date) -> DateReading | None:
    friday = today + timedelta(days=(_FRIDAY - today.weekday()) % _DAYS_IN_WEEK)
    if m := _NEXT_WEEK.search(text):
        monday = today + timedelta(days=_DAYS_IN_WEEK - today.weekday())
        return DateReading(monday + timedelta(days=_FRIDAY), m.group(0))
    if m := _THIS_WEEK.search(text):
        return DateReading(max(friday, today), m.group(0))
    if m := _NEXT_MONTH.search(text):
        return DateReading(_month_end(_add_months(today.replace(day=1), 1)), m.group(0))
    if m := _THIS_MONTH.search(text):
        return DateReading(_month_end(today), m.group(0))
    if m := _END_OF.search(text):
        month = MONTHS[m.group(1).lower()]
        end = _nearest(today, lambda year: _month_end(date(year, month, 1)))
        return DateReading(end, m.group(0))
    return None


def _calendar(text: str, today: date) -> DateReading | None:
    if m := _NUMERIC.search(text):
        return _dated(today, int(m.group(1)), int(m.group(2)), m.group(3), m.group(0))
    if m := _DAY_MONTH.search(text):
        month = MONTHS[m.group(2).lower()]
        return _dated(today, int(m.group(1)), month, m.group(3), m.group(0))
    if m := _MONTH_DAY.search(text):
        month = MONTHS[m.group(1).lower()]
        return _dated(today, int(m.group(2)), month, m.group(3), m.group(0))
    if m := _THE_NTH.search(text):
        return _day_of_month(today, int(m.group(1) or m.group(2)), m.group(0))
    return None


def _weekdays(text: str, today: date) -> DateReading | None:
    if m := _LAST_DAY.search(text):
        back = (today.weekday() - WEEKDAYS[m.group(1).lower()]) % _DAYS_IN_WEEK or 7
        return DateReading(today - timedelta(days=back), m.group(0))
    if m := _NEXT_DAY.search(text):
        monday = today + timedelta(days=_DAYS_IN_WEEK - today.weekday())
        return DateReading(monday + timedelta(days=WEEKDAYS[m.group(1).lower()]), m.group(0))
    if m := _DAY_WEEK.search(text):
        named = WEEKDAYS[(m.group(1) or m.group(2)).lower()]
        ahead = (named - today.weekday()) % _DAYS_IN_WEEK  # on a Wednesday, "Wednesday week"
        return DateReading(today + timedelta(days=ahead + _DAYS_IN_WEEK), m.group(0))
    for m in _A_DAY.finditer(text):
        word = m.group(1)
        if word.lower() in ("sun", "sat", "wed") and not word[0].isupper():
            continue  # "the sun", "sat down", "wed" are words before they are days
        ahead = (WEEKDAYS[word.lower()] - today.weekday()) % _DAYS_IN_WEEK or 7
        return DateReading(today + timedelta(days=ahead), m.group(0))
    return None


_READERS = (_relative, _spans, _calendar, _weekdays)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _dated(today: date, day: int, month: int, year: str | None, words: str) -> DateReading | None:
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)  # noqa: PLR2004 - "26" is 2026
        found = _safe_date(full, month, day)
        return DateReading(found, words) if found else None
    if _safe_date(2024, month, day) is None:  # a leap year: 29 Feb is a real day
        return None
    return DateReading(_nearest(today, lambda y: _safe_date(y, month, day)), words)


def _day_of_month(today: date, day: int, words: str) -> DateReading | None:
    month_start = today.replace(day=1)
    for ahead in range(13):
        start = _add_months(month_start, ahead)
        found = _safe_date(start.year, start.month, day)
        if found is not None and found >= today:
            return DateReading(found, words)
    return None


def _nearest(today: date, on: _DayOfYear) -> date:
    """Of last, this and next year's, the closest to today; a past one only if it is recent
    (a slip worth questioning), else the next one to come."""
    found = sorted(d for d in (on(today.year - 1), on(today.year), on(today.year + 1)) if d)
    ahead = next(d for d in found if d >= today)
    behind = [d for d in found if d < today and today - d <= RECENT_PAST]
    if behind and today - behind[-1] < ahead - today:
        return behind[-1]
    return ahead


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
