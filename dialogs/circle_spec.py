"""`circle new <name> pairs|trios|sets every <N> weeks [on <day>] [from <YYYY-MM-DD>]` and
the same fields from a form: pure parsing and checking. A problem names the field it is
about and a copy key (content/circles.yaml) with the values its text needs."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from dialogs.recurrence import RuleError, parse_days

FORMATS = ("pairs", "trios", "sets")
EVERY_MAX = 12  # weeks between rounds, at most (a quarter)
NAME_MAX = 60
FROM_MAX = timedelta(days=366)  # the first round within a year


@dataclass(frozen=True)
class CircleSpec:
    name: str
    format: str  # one of FORMATS
    every_weeks: int
    day: int | None  # 0 = Monday
    starts: date


@dataclass(frozen=True)
class SpecProblem:
    part: str  # the field it is about: name, format, every, day, from
    key: str  # the copy key of its sentence
    values: dict[str, str] = field(default_factory=dict)


def parse_new(words: list[str], today: date) -> CircleSpec | SpecProblem:
    """The words after `circle new`."""
    lowered = [w.lower() for w in words]
    at = next((i for i, w in enumerate(lowered) if w in FORMATS), None)
    if at is None:
        return SpecProblem("format", "new_no_format")
    name, rest = " ".join(words[:at]), lowered[at + 1 :]
    fmt = lowered[at]
    every = day = starts = ""
    while rest:
        match rest:
            case ["every", n, ("week" | "weeks"), *tail] | ["every", n, *tail] if n.isdigit():
                every, rest = n, tail
            case ["every", ("week" | "weeks"), *tail]:
                every, rest = "1", tail
            case ["weekly", *tail]:
                every, rest = "1", tail
            case ["fortnightly", *tail]:
                every, rest = "2", tail
            case ["on", d, *tail]:
                day, rest = d, tail
            case ["from", d, *tail]:
                starts, rest = d, tail
            case [word, *_]:
                return SpecProblem("every", "new_unknown_word", {"word": word[:40]})
    if not every:
        return SpecProblem("every", "new_no_every")
    found = check_all(
        {"name": name, "format": fmt, "every": every, "day": day, "from": starts}, today
    )
    return found if isinstance(found, CircleSpec) else found[0]


def check_all(fields: Mapping[str, str], today: date) -> CircleSpec | list[SpecProblem]:
    """The fields (name, format, every, day, from) as typed or chosen on a form: every
    problem (a form shows each under its field), or the circle they describe."""
    problems: list[SpecProblem] = []
    name = " ".join(fields.get("name", "").split())
    fmt, every = fields.get("format", "").strip().lower(), fields.get("every", "")
    day, starts = fields.get("day", "").strip(), fields.get("from", "").strip()
    if not name:
        problems.append(SpecProblem("name", "new_no_name"))
    elif len(name) > NAME_MAX:
        problems.append(SpecProblem("name", "new_name_long", {"limit": str(NAME_MAX)}))
    if fmt not in FORMATS:
        problems.append(SpecProblem("format", "new_no_format"))
    weeks = int(every) if every.strip().isdigit() else 0
    if not 1 <= weeks <= EVERY_MAX:
        problems.append(SpecProblem("every", "new_bad_every", {"limit": str(EVERY_MAX)}))
    weekday = _weekday(day) if day else None
    if day and weekday is None:
        problems.append(SpecProblem("day", "new_bad_day", {"day": day[:20]}))
    first = today
    if starts:
        try:
            first = date.fromisoformat(starts)
        except ValueError:
            problems.append(SpecProblem("from", "new_bad_from", {"date": starts[:20]}))
        else:
            if first < today or first > today + FROM_MAX:
                problems.append(SpecProblem("from", "new_from_range", {"date": starts}))
    if problems:
        return problems
    return CircleSpec(name, fmt, weeks, weekday, first)


def _weekday(word: str) -> int | None:
    try:
        days = parse_days(word.lower())
    except RuleError:
        return None
    return next(iter(days)) if len(days) == 1 else None


FULL_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_name(day: int) -> str:
    return FULL_DAY_NAMES[day]
