"""One contract, every DashboardStore (memory, TinyDB, PostgreSQL): tokens by hash, spent
once and never after expiry, sessions ended, visits kept newest, and a second store on the
same storage (another instance) sees what the first wrote."""

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.dashboard.backend import DashboardStore
from bot.dashboard.model import Session, SignInToken
from bot.storage.memory.dashboard import InMemoryDashboardStore
from bot.storage.postgres.dashboard import PostgresDashboardStore
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.tinydb.dashboard import TinyDBDashboardStore
from tests.conftest import AT
from tests.postgres_server import PostgresServer

COACH, OTHER = "slack:T1:UCOACH", "teams:t1:other"
LATER = AT + timedelta(minutes=5)


@pytest.fixture(params=["memory", "tinydb", "postgres"])
def kind(request: pytest.FixtureRequest) -> tuple[str, PostgresServer | None]:
    """The PostgreSQL server is asked for in a sync fixture: it starts outside the loop."""
    server = request.getfixturevalue("postgres") if request.param == "postgres" else None
    return request.param, server


@pytest.fixture
async def stores(
    kind: tuple[str, PostgresServer | None], tmp_path: Path
) -> AsyncIterator[Callable[[], DashboardStore]]:
    name, server = kind
    pool: asyncpg.Pool[Any] | None = None
    if name == "memory":
        one = InMemoryDashboardStore()
        yield lambda: one
    elif name == "tinydb":
        yield lambda: TinyDBDashboardStore(tmp_path)
    else:
        assert server is not None
        url = DatabaseUrl.parse(await server.fresh_database())
        pool = await open_pool(url, max_size=4)
        yield lambda: PostgresDashboardStore(pool, url)
        await pool.close()


def token(digest: str = "d1", coach: str = COACH) -> SignInToken:
    return SignInToken(digest, coach, AT, AT + timedelta(minutes=10))


async def test_a_token_is_spent_once_and_seen_by_another_instance(
    stores: Callable[[], DashboardStore],
) -> None:
    first, second = stores(), stores()
    await first.put_token(token())
    assert await second.token("d1") == token()
    assert await second.token("nope") is None
    spent = await second.spend_token("d1", LATER)
    assert spent == SignInToken("d1", COACH, AT, AT + timedelta(minutes=10), LATER)
    assert await first.spend_token("d1", LATER) is None
    assert (await first.token("d1")) == spent
    assert await first.spend_token("nope", LATER) is None


async def test_an_expired_token_is_never_spent(stores: Callable[[], DashboardStore]) -> None:
    store = stores()
    await store.put_token(token())
    assert await store.spend_token("d1", AT + timedelta(minutes=10)) is None
    assert (await store.token("d1")) == token()


async def test_sessions_end_and_expired_rows_are_purged(
    stores: Callable[[], DashboardStore],
) -> None:
    first, second = stores(), stores()
    session = Session("s1", COACH, AT, AT + timedelta(hours=8))
    await first.put_session(session)
    assert await second.session("s1") == session
    await second.end_session("s1", LATER)
    await second.end_session("s1", LATER + timedelta(hours=1))  # the first end stays
    assert (await first.session("s1")) == Session("s1", COACH, AT, session.expires_at, LATER)
    await first.put_token(token())
    await first.purge(AT + timedelta(hours=9))
    assert await second.session("s1") is None
    assert await second.token("d1") is None


async def test_visits_keep_the_newest(stores: Callable[[], DashboardStore]) -> None:
    first, second = stores(), stores()
    assert await first.last_opened([COACH]) == {}
    await first.opened(COACH, LATER)
    await second.opened(COACH, AT)  # an older visit reported late
    await second.opened(OTHER, AT)
    assert await first.last_opened([COACH, OTHER, "console:none"]) == {COACH: LATER, OTHER: AT}
    assert await second.last_opened([OTHER]) == {OTHER: AT}


async def test_forget_drops_the_coachs_rows_only(stores: Callable[[], DashboardStore]) -> None:
    store = stores()
    await store.put_token(token("mine"))
    await store.put_token(token("theirs", OTHER))
    await store.put_session(Session("s1", COACH, AT, AT + timedelta(hours=8)))
    await store.opened(COACH, AT)
    await store.opened(OTHER, AT)
    await stores().forget(COACH)
    assert await store.token("mine") is None
    assert await store.session("s1") is None
    assert await store.token("theirs") is not None
    assert await store.last_opened([COACH, OTHER]) == {OTHER: AT}
