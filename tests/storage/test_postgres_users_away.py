"""The database goes away under the PostgreSQL UserStore and comes back: while it is away every
call is one DatabaseUnavailableError (a StorageError, no password in it); once it is back the
same store works again, nothing lost, nothing half-saved.

This module stops and starts a server of its own, so no other test sees a database down."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest

from bot.crypto.sealing import local_sealer
from bot.domain import UserKey
from bot.errors import StorageError
from bot.ports import Change
from bot.storage.postgres.pool import DatabaseUnavailableError, open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from dialogs.model import Reflection, UserState
from tests.conftest import AT
from tests.postgres_server import PostgresServer
from tests.storage.own_server import own_server

__all__ = ["own_server"]  # a fixture

ALICE = UserKey.console("alice")


@pytest.fixture
async def store(own_server: PostgresServer) -> AsyncIterator[PostgresUserStore]:
    url = DatabaseUrl.parse(await own_server.fresh_database())
    pool = await open_pool(url)
    try:
        yield PostgresUserStore(pool, local_sealer(), url)
    finally:
        await pool.close()


def add_reflection(number: int) -> Callable[[UserState | None], tuple[Change, int]]:
    def decide(stored: UserState | None) -> tuple[Change, int]:
        state = stored or UserState()
        reflection = Reflection(f"r{number}", AT, f"thought {number}")
        return replace(state, reflections=(*state.reflections, reflection)), number

    return decide


async def test_while_the_database_is_away_every_call_says_so_and_then_it_works_again(
    store: PostgresUserStore, own_server: PostgresServer
) -> None:
    for n in range(3):
        await store.transact(ALICE, add_reflection(n))
    await store.save_extra(ALICE, "reference", {"id": "x"})
    before = await store.load(ALICE)
    await asyncio.to_thread(own_server.stop)
    try:
        calls = [
            store.transact(ALICE, add_reflection(9)),
            store.load(ALICE),
            store.save(ALICE, UserState(), expected_version=3),
            store.save_extra(ALICE, "reference", {"id": "y"}),
            store.load_extra(ALICE, "reference"),
            store.delete(ALICE),
            store.stored_hashes(),
        ]
        for call in calls:
            with pytest.raises(DatabaseUnavailableError) as raised:
                await call
            assert isinstance(raised.value, StorageError)
            assert own_server.password not in str(raised.value)
            assert "PEERCOACH_DATABASE_URL" in str(raised.value)
    finally:
        await asyncio.to_thread(own_server.restart)  # starts it again, same port and options
    assert await store.load(ALICE) == before  # nothing lost, nothing of the failed calls
    assert await store.load_extra(ALICE, "reference") == {"id": "x"}
    saved, _ = await store.transact(ALICE, add_reflection(3))
    assert saved is not None
    assert saved.version == 4


async def test_a_restart_in_the_middle_of_many_turns_keeps_each_one_whole_or_not_at_all(
    store: PostgresUserStore, own_server: PostgresServer
) -> None:
    done: list[int] = []
    failed: list[int] = []
    some_saved = asyncio.Event()

    async def turns() -> None:
        for n in range(300):
            try:
                await store.transact(ALICE, add_reflection(n))
            except DatabaseUnavailableError:
                failed.append(n)
                await asyncio.sleep(0.02)  # as a leader would wait and try again
            else:
                done.append(n)
                if len(done) == 10:
                    some_saved.set()
            if len(done) >= 20 and len(failed) >= 5 and done[-1] > failed[-1]:
                return  # saved before, refused during, saved again after

    async def restart_soon() -> None:
        await some_saved.wait()
        await asyncio.to_thread(own_server.restart)

    await asyncio.wait_for(asyncio.gather(turns(), restart_soon()), timeout=60)
    stored = await store.load(ALICE)
    assert stored is not None
    kept = [int(r.id[1:]) for r in stored.reflections]
    assert set(done) <= set(kept)  # every turn that was told "saved" is there
    assert set(kept) <= set(done) | set(failed)
    assert len(kept) == len(set(kept)) == stored.version  # each one once, state and rows agree
    assert failed, "the restart should have refused some turns"
