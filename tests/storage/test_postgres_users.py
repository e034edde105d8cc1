"""What only the PostgreSQL UserStore must show: several instances on one database take turns
per leader, rows stay sealed and bound to their leader, and leaders copy between stores."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.crypto.sealing import is_sealed, local_sealer
from bot.domain import UserKey
from bot.ports import Change
from bot.storage.postgres.leader_rows import CorruptRowError
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import Profile, Reflection, UserState
from tests.conftest import AT

ALICE = UserKey("teams", "tenant-1", "aad-alice")
BOB = UserKey("slack", "T123", "U456")


@pytest.fixture
async def url(database_url: str) -> DatabaseUrl:
    return DatabaseUrl.parse(database_url)


@pytest.fixture
async def instances(url: DatabaseUrl) -> AsyncIterator[list[PostgresUserStore]]:
    """Two stores on two pools of one database: what two `serve` processes have."""
    pools = [await open_pool(url), await open_pool(url)]
    yield [PostgresUserStore(pool, local_sealer(), url) for pool in pools]
    for pool in pools:
        await pool.close()


def add_reflection(number: int) -> Callable[[UserState | None], tuple[Change, int]]:
    def decide(stored: UserState | None) -> tuple[Change, int]:
        state = stored or UserState()
        reflection = Reflection(f"r{number}", AT, f"thought {number}")
        return replace(state, reflections=(*state.reflections, reflection)), number

    return decide


async def test_two_instances_with_fifty_events_for_one_new_leader_keep_all_fifty(
    instances: list[PostgresUserStore],
) -> None:
    # A leader not stored yet: the first writers meet at the advisory lock, later ones at the
    # row's lock. Each transaction yields to the loop between its statements, so the two
    # pools' transactions really are in flight together.
    await asyncio.gather(*(instances[n % 2].transact(ALICE, add_reflection(n)) for n in range(50)))
    for store in instances:
        stored = await store.load(ALICE)
        assert stored is not None
        assert sorted(r.id for r in stored.reflections) == sorted(f"r{n}" for n in range(50))
        assert stored.version == 50


async def test_extras_and_state_from_two_instances_are_both_kept(
    instances: list[PostgresUserStore],
) -> None:
    first, second = instances
    await asyncio.gather(
        *(first.transact(BOB, add_reflection(n)) for n in range(10)),
        *(second.save_extra(BOB, f"ref{n}", {"n": n}) for n in range(10)),
    )
    stored = await first.load(BOB)
    assert stored is not None
    assert len(stored.reflections) == 10
    for n in range(10):
        assert await first.load_extra(BOB, f"ref{n}") == {"n": n}


async def test_rows_hold_only_the_hashed_key_and_sealed_bytes(
    instances: list[PostgresUserStore], url: DatabaseUrl
) -> None:
    store = instances[0]
    await store.save(ALICE, UserState(profile=Profile(display_name="Alice")), expected_version=0)
    await store.save_extra(ALICE, "reference", {"user": "aad-alice"})
    connection = await asyncpg.connect(url.secret)
    try:
        leaders = await connection.fetch("SELECT leader, sealed FROM leaders")
        extras = await connection.fetch("SELECT leader, name, sealed FROM leader_extras")
    finally:
        await connection.close()
    assert [(r["leader"], is_sealed(r["sealed"])) for r in leaders] == [(ALICE.hashed, True)]
    assert [(r["leader"], r["name"], is_sealed(r["sealed"])) for r in extras] == [
        (ALICE.hashed, "reference", True)
    ]
    for record in [*leaders, *extras]:
        assert b"aad-alice" not in record["sealed"]
        assert b"Alice" not in record["sealed"]


async def raw_rows(url: DatabaseUrl, sql: str, *args: Any) -> str:
    connection = await asyncpg.connect(url.secret)
    try:
        return str(await connection.execute(sql, *args))
    finally:
        await connection.close()


async def test_a_row_copied_onto_another_leader_does_not_open_and_is_left_alone(
    instances: list[PostgresUserStore], url: DatabaseUrl
) -> None:
    store = instances[0]
    await store.save(ALICE, UserState(profile=Profile(display_name="Alice")), expected_version=0)
    await store.save(BOB, UserState(), expected_version=0)
    await raw_rows(
        url,
        "UPDATE leaders SET sealed = (SELECT sealed FROM leaders WHERE leader = $1) "
        "WHERE leader = $2",
        ALICE.hashed,
        BOB.hashed,
    )
    with pytest.raises(CorruptRowError, match=BOB.hashed):
        await store.load(BOB)
    with pytest.raises(CorruptRowError):
        await store.transact(BOB, add_reflection(1))
    with pytest.raises(CorruptRowError):
        await store.save_extra(BOB, "reference", {"id": "x"})
    await raw_rows(url, "UPDATE leaders SET sealed = 'garbage' WHERE leader = $1", ALICE.hashed)
    with pytest.raises(CorruptRowError, match="left exactly as it is"):
        await store.load(ALICE)
    connection = await asyncpg.connect(url.secret)
    try:
        assert (
            await connection.fetchval("SELECT sealed FROM leaders WHERE leader = $1", ALICE.hashed)
            == b"garbage"
        )
        assert await connection.fetchval("SELECT count(*) FROM leader_extras") == 0
    finally:
        await connection.close()


async def test_leaders_copy_from_tinydb_to_postgresql_and_back_unchanged(
    instances: list[PostgresUserStore], tmp_path: Path
) -> None:
    files = TinyDBUserStore(tmp_path / "from")
    back = TinyDBUserStore(tmp_path / "back")
    try:
        for n in range(5):
            await files.transact(ALICE, add_reflection(n))
        await files.save_extra(ALICE, "reference", {"serviceUrl": "https://x", "n": [1]})
        await files.save_extra(BOB, "address", {"channel": "D1"})
        originals = [leader async for leader in files.dump_all()]
        for leader in originals:
            await instances[0].restore(leader)
        for leader in [leader async for leader in instances[1].dump_all()]:
            await back.restore(leader)
        assert sorted([x async for x in back.dump_all()], key=str) == sorted(originals, key=str)
        assert await back.stored_hashes() == {ALICE.hashed, BOB.hashed}
    finally:
        files.close()
        back.close()
