"""What a leader's turn costs the database on PostgreSQL: every statement is a round trip, and
a turn's throughput on a busy machine follows their number (bench/slack_turns_pg.py)."""

from dataclasses import replace
from typing import Any

from bot.crypto.sealing import local_sealer
from bot.domain import UserKey
from bot.ports import Change
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from bot.storage.postgres.users_sql import INSERT_IF, SELECT, UPDATE_IF
from dialogs.model import Reflection, UserState
from tests.conftest import AT

BOB = UserKey("slack", "T123", "U456")


def add_reflection(stored: UserState | None) -> tuple[Change, None]:
    state = stored or UserState()
    number = len(state.reflections)
    reflection = Reflection(f"r{number}", AT, f"thought {number}")
    return replace(state, reflections=(*state.reflections, reflection)), None


async def test_a_turn_is_one_read_and_one_conditional_write_and_a_release_sends_nothing(
    database_url: str,
) -> None:
    url = DatabaseUrl.parse(database_url)
    pool: Any = await open_pool(url, min_size=1, max_size=1)  # one connection, logged
    try:
        queries: list[str] = []
        async with pool.acquire() as connection:
            connection.add_query_logger(lambda record: queries.append(record.query))
        store = PostgresUserStore(pool, local_sealer(), url)
        await store.transact(BOB, add_reflection)  # a leader not stored yet
        await store.transact(BOB, add_reflection)  # and now stored
        # No BEGIN, no row lock, no COMMIT, and no reset query when the pool takes the
        # connection back between the two turns.
        assert queries == [SELECT, INSERT_IF, SELECT, UPDATE_IF]
        stored = await store.load(BOB)
        assert stored is not None
        assert (stored.version, len(stored.reflections)) == (2, 2)
    finally:
        await pool.close()
