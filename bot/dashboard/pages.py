"""Builds the dashboard's view models from the stores: the coach's accepted leaders (never
pending or declined ones), their figures in one pass, the cohort and the circles."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from bot.circles.store import CircleStore
from bot.coaching.model import Link
from bot.dashboard.access import SignIns
from bot.dashboard.charts import Chart, chart
from bot.dashboard.client_address import Network
from bot.dashboard.figures import (
    KINDS,
    FigureCache,
    Figures,
    LeaderStates,
    LeaderWeeks,
    Week,
    cohort_weeks,
    totals_weeks,
    week_starts,
)
from bot.dashboard.limiter import BadTokenLimiter
from bot.dashboard.views import (
    PAGE_SIZE,
    CircleRow,
    CohortPage,
    LeaderPage,
    Shared,
    cohort_charts,
    leader_row,
    met_share,
    pages,
    schedule_rows,
    shared_of,
)
from bot.domain import UserKey
from bot.services.circle_rounds.report import AT_LEAST
from bot.services.coaching import CoachingService
from bot.services.conversations import ConversationService
from bot.storage.cohort import CohortCounts

CACHED = 64  # coaches' rosters and cohorts kept at once


@dataclass(frozen=True)
class Roster:
    """A coach's accepted leaders, by name, as of one revision of the coaching store."""

    links: tuple[Link, ...]
    keys: tuple[UserKey, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class Cohort:
    """What the cohort part of the page shows; kept while no leader's state changes."""

    charts: tuple[Chart, ...]
    hidden_because: str | None
    shared: tuple[Shared, ...]


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
    circles: CircleStore | None = None
    trusted_proxies: tuple[Network, ...] = ()  # PEERCOACH_TRUSTED_PROXIES: client_address.py
    figures: FigureCache = field(init=False)
    _rosters: dict[str, tuple[int, Roster]] = field(init=False, default_factory=dict)
    _cohorts: dict[tuple[object, ...], Cohort] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.figures = FigureCache(self.states)

    def roster(self, coach: str) -> Roster:
        store = self.coaching.store
        known = self._rosters.get(coach)
        if known is not None and known[0] == store.revision:
            return known[1]
        links = tuple(store.links_of_coach(coach, "accepted"))
        roster = Roster(
            links,
            tuple(UserKey.parse(k.leader) for k in links),
            tuple(store.name_of(k.leader) for k in links),
        )
        if len(self._rosters) > CACHED:
            self._rosters.clear()
        self._rosters[coach] = (store.revision, roster)
        return roster

    def cohort(
        self, figures: Figures, roster: Roster, starts: tuple[date, ...], timezone: str
    ) -> Cohort:
        known = self._cohorts.get(figures.signature) if figures.signature else None
        if known is not None:
            return known
        weeks = cohort_weeks(figures.by_leader, starts)
        charts, hidden = cohort_charts(weeks, len(roster.links))
        shared = tuple(
            item
            for name, leader in zip(roster.names, figures.by_leader, strict=True)
            for item in shared_of(name, leader, timezone)
        )
        cohort = Cohort(charts, hidden, shared)
        if figures.signature:
            if len(self._cohorts) > CACHED:
                self._cohorts.clear()
            self._cohorts[figures.signature] = cohort
        return cohort

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
    roster = d.roster(coach)
    shown = pages(len(roster.links), number)
    window = slice((shown.number - 1) * PAGE_SIZE, shown.number * PAGE_SIZE)
    counts = await d.states.cohort_counts(coach, roster.keys, timezone, starts)
    if counts is None:  # no totals kept: every leader's figures, kept by state version
        token = (coach, d.coaching.store.revision)
        figures = await d.figures.figures(roster.keys, starts, timezone, roster=token)
        shown_figures = figures.by_leader[window]
        cohort = d.cohort(figures, roster, starts, timezone)
    else:  # the totals, and the figures of the leaders on this page and of those who shared
        sharing = [k for k in roster.keys if k.hashed in counts.sharing]
        read = list(dict.fromkeys((*roster.keys[window], *sharing)))
        figures = await d.figures.figures(read, starts, timezone)
        found = dict(zip(read, figures.by_leader, strict=True))
        shown_figures = tuple(found[k] for k in roster.keys[window])
        cohort = kept_cohort(counts, roster, found, starts, timezone)
    rows = tuple(
        leader_row(link, name, weeks)
        for link, name, weeks in zip(
            roster.links[window], roster.names[window], shown_figures, strict=True
        )
    )
    return CohortPage(
        d.name_of(coach),
        csrf,
        rows,
        shown,
        cohort.charts,
        cohort.hidden_because,
        circle_rows(d, coach),
        cohort.shared,
        len(starts),
    )


@lru_cache(maxsize=CACHED)
def _charts(weeks: tuple[Week, ...], leaders: int) -> tuple[tuple[Chart, ...], str | None]:
    """The cohort charts, drawn once for the same numbers."""
    return cohort_charts(weeks, leaders)


def kept_cohort(
    counts: CohortCounts,
    roster: Roster,
    figures: dict[UserKey, LeaderWeeks],
    starts: tuple[date, ...],
    timezone: str,
) -> Cohort:
    """The cohort part of the page from the totals the store keeps: the charts from their
    numbers, the reflections shared from the figures of the leaders who shared any."""
    charts, hidden = _charts(totals_weeks(counts, starts), len(roster.links))
    shared = tuple(
        item
        for key, name in zip(roster.keys, roster.names, strict=True)
        if key.hashed in counts.sharing
        for item in shared_of(name, figures[key], timezone)
    )
    return Cohort(charts, hidden, shared)


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
            # as `circle report`: a round counts once five of its members have answered
            answers = [
                c for c in d.circles.check_ins(circle.id, round_.number) if round_.names(c.leader)
            ]
            if len({c.leader for c in answers}) < AT_LEAST:
                continue
            said = {c.leader for c in answers if c.answer == "met"}
            groups += len(round_.groups)
            met += sum(1 for g in round_.groups if said & set(g.members))
        share = met_share(groups, met, members, unanswered=bool(rounds))
        rows.append(CircleRow(circle.name, members, len(rounds), share))
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
    figures = (await d.figures.figures([key], starts, timezone)).by_leader[0]
    name = d.name_of(link.leader)
    return LeaderPage(
        d.name_of(coach),
        csrf,
        link.id,
        name,
        figures.weeks,
        tuple(chart(kind, figures.weeks, prefix="leader") for kind in KINDS),
        schedule_rows(
            d.coaching.schedules.schedules_of(link.leader), d.coaching.schedule_service.titles
        ),
        tuple(shared_of(name, figures, timezone)),
        message,
        problems or {},
        d.themes,
        form or {},
    )
