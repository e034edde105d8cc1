"""The cohort page on PostgreSQL, from the totals the store keeps, is the page counted from
every leader's figures (charts, the table on each page, the reflections shared), on either of
two instances, after leaders join and leave and every leader's state is written; and it reads
the figures of only the leaders on the page shown (and of those who shared)."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.dashboard.pages import Dashboard, cohort_page
from bot.domain import UserKey
from bot.server import dashboard_of
from bot.storage.cohort import CohortCounts
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import App, Database, build_app
from dialogs.model import NudgeRecord, UserState
from tests.conftest import AT, CONTENT_DIR, FakeClock
from tests.dashboard.conftest import COACH, PUBLIC_URL
from tests.dashboard.seed import seed_cohort


@dataclass
class Counted:
    """The store's LeaderStates, noting which leaders' figures were asked for; with
    `totals=False`, keeping no totals (as TinyDB), so the page reads every leader."""

    store: Any
    totals: bool = True
    asked: set[str] = field(default_factory=set)

    async def load_sections(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        self.asked |= {k.hashed for k in keys}
        result: dict[str, dict[str, Any]] = await self.store.load_sections(keys)
        return result

    async def versions(self, keys: Sequence[UserKey]) -> dict[str, int] | None:
        self.asked |= {k.hashed for k in keys}
        result: dict[str, int] | None = await self.store.versions(keys)
        return result

    async def glances(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        self.asked |= {k.hashed for k in keys}
        result: dict[str, dict[str, Any]] = await self.store.glances(keys)
        return result

    async def cohort_counts(
        self, coach: str, keys: Sequence[UserKey], zone: str, starts: tuple[date, ...]
    ) -> CohortCounts | None:
        if not self.totals:
            return None
        result: CohortCounts | None = await self.store.cohort_counts(coach, keys, zone, starts)
        return result


@pytest.fixture
async def apps(database_url: str, tmp_path: Path) -> AsyncIterator[list[App]]:
    url = DatabaseUrl.parse(database_url)
    pools = [await open_pool(url), await open_pool(url)]
    apps = [
        build_app(
            Settings(data_dir=tmp_path / str(n), content_dir=CONTENT_DIR, public_url=PUBLIC_URL),
            FakeClock(AT),
            Database(url, pool),
        )
        for n, pool in enumerate(pools)
    ]
    yield apps
    for pool in pools:
        await pool.close()


def dashboard(app: App, states: Counted) -> Dashboard:
    d = dashboard_of(app)
    return replace(d, states=states)


async def both_ways(app: App, number: int = 1) -> tuple[object, object, set[str]]:
    kept, every = Counted(app.users), Counted(app.users, totals=False)
    from_totals = await cohort_page(dashboard(app, kept), COACH, "x", number, AT)
    from_all = await cohort_page(dashboard(app, every), COACH, "x", number, AT)
    return from_totals, from_all, kept.asked


async def test_the_page_from_totals_is_the_page_from_every_leader(apps: list[App]) -> None:
    one, other = apps
    leaders = await seed_cohort(one, COACH, 120, 20)
    await other.coaching_store.reconcile()
    for app in (one, other, one):
        kept, every, asked = await both_ways(app)
        assert kept == every
        assert len(asked) <= 51  # the 50 leaders shown, and the one who shared
        second, every_second, _ = await both_ways(app, 3)
        assert second == every_second
    # leaders leave and join; every leader's state is written (a fan-out) by the other
    for link in one.coaching_store.links_of_coach(COACH, "accepted")[:7]:
        await one.coaching_store.set_status(link, "declined", AT)
    await seed_cohort(one, COACH, 3, 4, names=["New A", "New B", "New C"])
    await other.coaching_store.reconcile()
    for user in leaders:
        await other.users.transact(UserKey.parse(user), nudged)
    for app in (other, one):
        kept, every, _ = await both_ways(app)
        assert kept == every


def nudged(state: UserState | None) -> tuple[UserState, None]:
    assert state is not None
    nudge = NudgeRecord(f"nudge:more:{len(state.nudges)}", AT, nudge="resilience.pause")
    return replace(state, nudges=(*state.nudges, nudge)), None
