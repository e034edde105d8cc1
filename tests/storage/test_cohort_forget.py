"""A coach forgotten (`forget me` as a coach, or an admin's removal) leaves no cohort totals
behind: their counts, their cohort row and every leader's note that it counts for them go,
another coach's totals stay, and later writes count for nobody gone. Finding those leaders
reads the index on leaders.cohorts, not every leader's row."""

from datetime import timedelta

import asyncpg

from bot.crypto.sealing import local_sealer
from bot.dashboard.figures import week_starts
from bot.domain import UserKey
from bot.storage.postgres.dashboard import PostgresDashboardStore
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from dialogs.model import NudgeRecord, UserState
from tests.conftest import AT
from tests.postgres_server import PostgresServer

GONE, STAYS = "slack:T1:UGONE", "slack:T1:USTAYS"
ZONE = "Europe/London"


def nudged(state: UserState | None) -> tuple[UserState, None]:
    state = state or UserState()
    at = AT - timedelta(hours=len(state.nudges) + 1)
    return UserState(nudges=(*state.nudges, NudgeRecord(f"n{at:%H}", at, nudge="x.y"))), None


async def test_forgetting_a_coach_drops_their_totals_and_nothing_else(
    postgres: PostgresServer,
) -> None:
    url = DatabaseUrl.parse(await postgres.fresh_database())
    pool = await open_pool(url, max_size=2)
    try:
        users = PostgresUserStore(pool, local_sealer(), url)
        leaders = [UserKey("slack", "T1", f"UL{n}") for n in range(3)]
        for key in leaders:
            await users.transact(key, nudged)
        starts = week_starts(AT, ZONE)
        for coach in (GONE, STAYS):
            assert await users.cohort_counts(coach, leaders, ZONE, starts) is not None

        await PostgresDashboardStore(pool, url).forget(GONE)

        async with pool.acquire() as connection:
            for table in ("cohorts", "cohort_counts"):
                left = await connection.fetchval(
                    f"SELECT count(*) FROM {table} WHERE coach = $1",
                    GONE,
                )
                assert left == 0, table
            assert (
                await connection.fetchval("SELECT count(*) FROM leaders WHERE cohorts ? $1", GONE)
                == 0
            )
            assert (
                await connection.fetchval("SELECT count(*) FROM leaders WHERE cohorts ? $1", STAYS)
                == 3
            )
        await users.transact(leaders[0], nudged)  # a later write: counted for STAYS alone
        async with pool.acquire() as connection:
            assert (
                await connection.fetchval("SELECT count(*) FROM cohorts WHERE coach = $1", GONE)
                == 0
            )
        stays = await users.cohort_counts(STAYS, leaders, ZONE, starts)
        assert stays is not None
        assert sum(week[0] for week in stays.weeks.values()) == 4  # nudges delivered: 3 + 1
    finally:
        await pool.close()


async def test_the_members_of_a_cohort_are_found_through_the_index(
    postgres: PostgresServer,
) -> None:
    connection = await asyncpg.connect(await postgres.fresh_database())
    try:
        await connection.execute("SET enable_seqscan = off")  # a small table: force the choice
        rows = await connection.fetch(
            "EXPLAIN SELECT leader FROM leaders WHERE cohorts ? $1", GONE
        )
        plan = "\n".join(r[0] for r in rows)
        assert "leaders_cohorts" in plan, plan
    finally:
        await connection.close()
