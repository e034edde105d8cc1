"""When a schedule fires: days, local times and daylight saving, computed without I/O.

Rules (APScheduler's CronTrigger gets the first two wrong, so they are ours):
- a local time that does not exist on a spring-forward day fires at the first valid
  minute after it (01:30 Europe/London on the spring change fires at 02:00 BST);
- a local time that happens twice on a fall-back day fires once, at its first occurrence;
- at most one delivery per schedule per local date.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_NAMES = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
NAMED_SETS = {
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
HORIZON = timedelta(days=366)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_GAP_SEARCH = 181  # minutes: the longest DST jump in use is one hour; Lord Howe's is 30


class RuleError(ValueError):
    """A schedule a leader typed that cannot work; the message says why and how."""

    def __init__(self, reason: str, example: str) -> None:
        super().__init__(f"{reason} For example: `{example}`")
        self.reason = reason
        self.example = example


def parse_days(text: str) -> frozenset[int]:
    """'daily', 'weekdays', 'weekends', 'mon,wed,fri', 'mon-thu' -> weekday numbers (Mon=0)."""
    spec = text.strip().lower()
    if spec in NAMED_SETS:
        return NAMED_SETS[spec]
    days: set[int] = set()
    for part in filter(None, spec.split(",")):
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day(first), _day(last)
            span = (end - start) % 7
            days.update((start + i) % 7 for i in range(span + 1))
        else:
            days.add(_day(part))
    if not days:
        raise _days_error(text)
    return frozenset(days)


def _day(word: str) -> int:
    word = word.strip()
    if word in DAY_NAMES:
        return DAY_NAMES.index(word)
    if word in _LONG_NAMES:
        return _LONG_NAMES[word]
    raise _days_error(word)


def _days_error(text: str) -> RuleError:
    return RuleError(
        f"I couldn't read {text!r} as days: use daily, weekdays, weekends, a list like "
        "mon,wed,fri or a range like mon-thu.",
        "schedule weekdays 08:30 resilience",
    )


def format_days(days: frozenset[int]) -> str:
    for name in ("daily", "weekdays", "weekends"):
        if days == NAMED_SETS[name]:
            return name
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def parse_hhmm(text: str) -> time:
    match = _HHMM.match(text.strip())
    if not match:
        raise RuleError(
            f"{text!r} is not a time of day; write it as 24-hour HH:MM.",
            "schedule weekdays 08:30 resilience",
        )
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class Rule:
    """The parts of a schedule that decide when it fires."""

    days: frozenset[int]
    at: time
    timezone: str
    start_on: date | None = None
    end_on: date | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def resolve_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time, by our DST rules (see module docstring)."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0)
    if _exists(first):
        return first.astimezone(UTC)
    for minutes in range(1, _GAP_SEARCH):  # inside a spring-forward gap: next real minute
        later = (wall + timedelta(minutes=minutes)).replace(tzinfo=zone, fold=0)
        if _exists(later):
            return later.astimezone(UTC)
    return first.astimezone(UTC)  # pragma: no cover - no zone has a gap this long


def _exists(local: datetime) -> bool:
    """False for a wall time skipped by a spring-forward change."""
    assert local.tzinfo is not None
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def occurrences(rule: Rule, after: datetime, until: datetime) -> Iterator[datetime]:
    """Fire times (UTC) with after < t <= until, in order, one per local date at most."""
    zone = rule.zone
    day = after.astimezone(zone).date() - timedelta(days=1)
    last_day = until.astimezone(zone).date() + timedelta(days=1)
    while day <= last_day:
        if _active(rule, day):
            fire = resolve_local(day, rule.at, zone)
            if after < fire <= until:
                yield fire
        day += timedelta(days=1)


def next_occurrence(rule: Rule, after: datetime) -> datetime | None:
    """The first fire time after `after`, or None if there is none within a year."""
    return next(occurrences(rule, after, after + HORIZON), None)


def previous_occurrence(rule: Rule, at_or_before: datetime, window: timedelta) -> datetime | None:
    """The latest fire time in (at_or_before - window, at_or_before]."""
    found = list(occurrences(rule, at_or_before - window, at_or_before))
    return found[-1] if found else None


def _active(rule: Rule, day: date) -> bool:
    if day.weekday() not in rule.days:
        return False
    if rule.start_on and day < rule.start_on:
        return False
    return not (rule.end_on and day > rule.end_on)


def local_date_of(fire: datetime, timezone: str) -> date:
    return fire.astimezone(ZoneInfo(timezone)).date()


def quiet_until(at: datetime, quiet: tuple[str, str], timezone: str) -> datetime | None:
    """If `at` falls inside the leader's quiet hours, the instant they end; else None.

    Quiet hours may wrap past midnight ("22:00"-"07:00"); the end is a local time resolved
    by the same DST rules as a schedule."""
    zone = ZoneInfo(timezone)
    start, end = parse_hhmm(quiet[0]), parse_hhmm(quiet[1])
    local = at.astimezone(zone)
    now = local.time().replace(second=0, microsecond=0)
    if start == end:
        return None
    if start < end:
        inside, end_day = start <= now < end, local.date()
    else:
        inside = now >= start or now < end
        end_day = local.date() + timedelta(days=1) if now >= start else local.date()
    return resolve_local(end_day, end, zone) if inside else None
