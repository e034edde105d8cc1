"""Builds the dashboard's view models from the stores: the coach's accepted leaders (never
pending or declined ones), their figures in one pass, the cohort and the circles."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.coaching.model import Link
from bot.dashboard.access import SignIns
from bot.dashboard.charts import chart
from bot.dashboard.figures import KINDS, FigureCache, LeaderStates, week_starts
from bot.dashboard.limiter import BadTokenLimiter
from bot.dashboard.views import (
    PAGE_SIZE,
    CircleRow,
    CohortPage,
    LeaderPage,
    cohort_charts,
    leader_row,
    met_share,
    pages,
    schedule_rows,
    shared_of,
)
from bot.domain import UserKey
from bot.services.coaching import CoachingService
from bot.services.conversations import ConversationService


@dataclass
class Dashboard:
    """What the dashboard's handlers need of the application."""

    coaching: CoachingService
    states: LeaderStates
    conversations: ConversationService
    sign_ins: SignIns
    limiter: BadTokenLimiter
    themes: tuple[tuple[str, str], ...] = ()
    secure_cookie: bool = True
    circles: Any = None  # a CircleStore once circles arrive (branch i14-circles)
    figures: FigureCache = field(init=False)

    def __post_init__(self) -> None:
        self.figures = FigureCache(self.states)

    def name_of(self, user: str) -> str:
        return self.coaching.store.name_of(user)

    async def timezone_of(self, user: str) -> str:
        state = await self.coaching.users.load(UserKey.parse(user))
        return state.profile.timezone if state else "Europe/London"

    def link_of(self, coach: str, link_id: str) -> Link | None:
        """The coach's own current, accepted link with this id; None for anything else."""
        link = self.coaching.store.link_by_id(link_id)
        if link is None or link.coach != coach or link.status != "accepted":
            return None
        return link if self.coaching.store.link(coach, link.leader) == link else None


async def cohort_page(
    d: Dashboard, coach: str, csrf: str, number: int, at: datetime
) -> CohortPage:
    timezone = await d.timezone_of(coach)
    starts = week_starts(at, timezone)
    links = d.coaching.store.links_of_coach(coach, "accepted")
    keys = [UserKey.parse(k.leader) for k in links]
    figures = await d.figures.figures(keys, starts, timezone)
    shown = pages(len(links), number)
    first = (shown.number - 1) * PAGE_SIZE
    window = slice(first, first + PAGE_SIZE)
    rows = tuple(
        leader_row(link, d.name_of(link.leader), figures.by_leader[key])
        for link, key in zip(links[window], keys[window], strict=True)
    )
    charts, hidden = cohort_charts(d.figures.cohort(figures, starts), len(links))
    shared = tuple(
        item
        for link, key in zip(links, keys, strict=True)
        for item in shared_of(d.name_of(link.leader), figures.by_leader[key], timezone)
    )
    return CohortPage(
        d.name_of(coach),
        csrf,
        rows,
        shown,
        charts,
        hidden,
        circle_rows(d, coach),
        shared,
        len(starts),
    )


def circle_rows(d: Dashboard, coach: str) -> tuple[CircleRow, ...]:
    """The coach's circles, if this build has them: rounds and the share of groups met."""
    if d.circles is None:
        return ()
    rows = []
    for circle in d.circles.circles_of_coach(coach):
        members = len(d.circles.members(circle.id, "joined"))
        rounds = d.circles.rounds(circle.id)
        groups = met = 0
        for round_ in rounds:
            said = {
                c.leader
                for c in d.circles.check_ins(circle.id, round_.number)
                if c.answer == "met"
            }
            groups += len(round_.groups)
            met += sum(1 for g in round_.groups if said & set(g.members))
        rows.append(CircleRow(circle.name, members, len(rounds), met_share(groups, met, members)))
    return tuple(rows)


async def leader_page(
    d: Dashboard,
    coach: str,
    csrf: str,
    link: Link,
    at: datetime,
    *,
    message: str | None = None,
    problems: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> LeaderPage:
    timezone = await d.timezone_of(coach)
    starts = week_starts(at, timezone)
    key = UserKey.parse(link.leader)
    figures = (await d.figures.figures([key], starts, timezone)).by_leader[key]
    name = d.name_of(link.leader)
    return LeaderPage(
        d.name_of(coach),
        csrf,
        link.id,
        name,
        figures.weeks,
        tuple(chart(kind, figures.weeks, prefix="leader") for kind in KINDS),
        schedule_rows(d.coaching.schedules.schedules_of(link.leader)),
        tuple(shared_of(name, figures, timezone)),
        message,
        problems or {},
        d.themes,
        form or {},
    )
