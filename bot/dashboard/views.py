"""The pages' view models: plain data the templates only render. Counts come from
figures.py; the only words shown are reflections a leader shared with their coaches."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.coaching.model import Link
from bot.dashboard.charts import Chart, chart
from bot.dashboard.figures import KINDS, LeaderWeeks, Week
from bot.schedules.model import NudgeSchedule
from bot.services.circle_rounds.report import AT_LEAST
from bot.services.coach_reports import COHORT_MINIMUM
from dialogs.timetext import local_date, short_date

PAGE_SIZE = 50  # leaders per page of the table; the cohort charts count them all


@dataclass(frozen=True)
class LeaderRow:
    id: str  # the link's id: opaque, and only this coach's link opens the page
    name: str
    delivered: int
    answered: int
    completed: int
    made: int
    kept: int
    last_active: str  # "week of Mon 3 Nov", or "never"


@dataclass(frozen=True)
class CircleRow:
    name: str
    members: int
    rounds: int
    met: str  # "3 of 4 groups (75%)", or why it is hidden


@dataclass(frozen=True)
class Shared:
    leader: str
    on: str  # the reflection's date
    text: str


@dataclass(frozen=True)
class Pages:
    number: int
    count: int
    first: int  # 1-based positions of the rows shown
    last: int
    total: int


@dataclass(frozen=True)
class CohortPage:
    coach: str
    csrf: str
    rows: tuple[LeaderRow, ...]
    pages: Pages
    charts: tuple[Chart, ...]
    hidden_because: str | None
    circles: tuple[CircleRow, ...]
    shared: tuple[Shared, ...]
    weeks: int


@dataclass(frozen=True)
class ScheduleRow:
    id: str
    describe: str
    set_by_coach: bool
    paused: bool


@dataclass(frozen=True)
class LeaderPage:
    coach: str
    csrf: str
    id: str
    name: str
    weeks: tuple[Week, ...]
    charts: tuple[Chart, ...]
    schedules: tuple[ScheduleRow, ...]
    shared: tuple[Shared, ...]
    message: str | None
    problems: dict[str, str]
    themes: tuple[tuple[str, str], ...]
    form: dict[str, str]


def last_active(week: date | None) -> str:
    return f"week of {short_date(week)}" if week else "never"


def leader_row(link: Link, name: str, figures: LeaderWeeks) -> LeaderRow:
    total = figures.total
    return LeaderRow(
        link.id,
        name,
        total("delivered"),
        total("answered"),
        total("completed"),
        total("made"),
        total("kept"),
        last_active(figures.last_active_week),
    )


def pages(total: int, number: int) -> Pages:
    count = max(1, -(-total // PAGE_SIZE))
    number = min(max(number, 1), count)
    first = (number - 1) * PAGE_SIZE
    return Pages(number, count, min(first + 1, total), min(first + PAGE_SIZE, total), total)


def cohort_charts(weeks: Sequence[Week], leaders: int) -> tuple[tuple[Chart, ...], str | None]:
    if leaders < COHORT_MINIMUM:
        return (), (
            f"The cohort charts appear once {COHORT_MINIMUM} or more leaders have accepted you "
            f"(you have {leaders}), so that no one's figures can be picked out."
        )
    return tuple(chart(kind, weeks) for kind in KINDS), None


def shared_of(name: str, figures: LeaderWeeks, timezone: str) -> list[Shared]:
    return [
        Shared(name, short_date(local_date(at, timezone)), text) for at, text in figures.shared
    ]


def schedule_rows(
    schedules: Sequence[NudgeSchedule], titles: Mapping[str, str]
) -> tuple[ScheduleRow, ...]:
    """Each schedule as the coach reads it: themes by their titles, not ids."""
    return tuple(
        ScheduleRow(s.id, s.describe(titles), s.origin == "coach", s.paused) for s in schedules
    )


def met_share(groups: int, met: int, members: int, *, unanswered: bool = False) -> str:
    """`groups` and `met` over the rounds five members answered; `unanswered`: there are
    rounds, but none has had that many answers yet."""
    if members < COHORT_MINIMUM:
        return f"shown from {COHORT_MINIMUM} members, so that no one can be picked out"
    if groups == 0 and unanswered:
        return f"shown once a round has {AT_LEAST} answers"
    if groups == 0:
        return "no groups yet"
    return f"{met} of {groups} groups ({100 * met // groups}%)"


def when(at: datetime | None, timezone: str) -> str:
    return short_date(local_date(at, timezone)) if at else "never"
