"""One contract, every UserStore implementation: memory, TinyDB files and PostgreSQL, with the
same assertions. The archive methods (`dump_all`, `restore`, for `db import`/`db export`) too."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import pytest

from bot.crypto.sealing import local_sealer
from bot.domain import UserKey
from bot.errors import StaleStateError
from bot.ports import Change, LeaderArchive, StoredLeader, UserStore
from bot.storage.memory.users import InMemoryUserStore
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import (
    Commitment,
    DialogueProgress,
    MenuAside,
    Profile,
    Reflection,
    UserState,
)
from tests.conftest import AT
from tests.postgres_server import PostgresServer

ALICE = UserKey.console("alice")
BOB = UserKey("slack", "T123", "U456")
MARKER = "QUOKKA-7f3e-what-alice-wrote"


class Store(UserStore, LeaderArchive, Protocol):
    """What every backend offers."""


@dataclass
class Backend:
    name: str
    store: Store
    # Every byte the backend holds for leaders (files, rows); None for memory, which holds
    # Python objects.
    raw: Callable[[], Awaitable[bytes]] | None


def every_byte(folder: Path) -> Callable[[], Awaitable[bytes]]:
    def blocking() -> bytes:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        return b"".join(p.name.encode() + p.read_bytes() for p in files)

    async def read() -> bytes:
        return await asyncio.to_thread(blocking)

    return read


BACKENDS = ("memory", "tinydb", "postgres")


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest) -> tuple[str, PostgresServer | None]:
    """The backend's name and, for PostgreSQL, the session's server: asked for here, outside
    the event loop, since starting it runs a loop of its own."""
    if request.param != "postgres":
        return request.param, None
    return request.param, request.getfixturevalue("postgres")


@pytest.fixture
async def backend(
    server: tuple[str, PostgresServer | None], tmp_path: Path
) -> AsyncIterator[Backend]:
    name, postgres = server
    if name == "memory":
        yield Backend("memory", InMemoryUserStore(), None)
    elif name == "tinydb":
        files = TinyDBUserStore(tmp_path)
        yield Backend("tinydb", files, every_byte(tmp_path))
        files.close()
    else:
        assert postgres is not None
        url = DatabaseUrl.parse(await postgres.fresh_database())
        pool = await open_pool(url)

        async def rows() -> bytes:
            found = await pool.fetch(
                "SELECT leader, sealed FROM leaders UNION ALL "
                "SELECT leader || name, sealed FROM leader_extras ORDER BY 1"
            )
            return b"".join(r["leader"].encode() + r["sealed"] for r in found)

        yield Backend("postgres", PostgresUserStore(pool, local_sealer(), url), rows)
        await pool.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


def rich_state() -> UserState:
    return UserState(
        profile=Profile(
            display_name="Alice",
            timezone="Asia/Kolkata",
            themes=("influence",),
            nudge_time="08:30",
            welcomed_at=AT,
            onboarded=True,
        ),
        dialogue=DialogueProgress(
            "influence.stakeholder-map", "person", AT, AT, (("change", "a joint discharge hub"),)
        ),
        aside=MenuAside(theme="influence"),
        reflections=(Reflection("r1", AT, f"first thought {MARKER}", "influence"),),
        commitments=(Commitment("c2", AT, "ask Priya", AT.date() + timedelta(days=5)),),
    )


def add_reflection(number: int) -> Callable[[UserState | None], tuple[Change, int]]:
    def decide(stored: UserState | None) -> tuple[Change, int]:
        state = stored or UserState()
        reflection = Reflection(f"r{number}", AT, f"thought {number}")
        return replace(state, reflections=(*state.reflections, reflection)), number

    return decide


async def test_an_unknown_leader_has_no_state(store: Store) -> None:
    assert await store.load(ALICE) is None


async def test_what_is_saved_is_loaded_unchanged(store: Store) -> None:
    saved = await store.save(ALICE, rich_state(), expected_version=0)
    assert saved.version == 1
    assert await store.load(ALICE) == saved
    assert await store.load(BOB) is None


async def test_a_stale_version_is_refused(store: Store) -> None:
    saved = await store.save(ALICE, rich_state(), expected_version=0)
    with pytest.raises(StaleStateError):
        await store.save(ALICE, UserState(), expected_version=0)
    with pytest.raises(StaleStateError):
        await store.save(BOB, UserState(), expected_version=1)
    assert await store.load(ALICE) == saved
    assert await store.load(BOB) is None
    again = await store.save(ALICE, UserState(), expected_version=1)
    assert again.version == 2


async def test_transact_stores_a_new_state_with_the_next_version(store: Store) -> None:
    saved, said = await store.transact(ALICE, lambda stored: (rich_state(), stored))
    assert said is None  # nothing was stored before
    assert saved is not None
    assert saved.version == 1
    assert await store.load(ALICE) == saved
    again, said = await store.transact(ALICE, lambda stored: (UserState(), stored))
    assert said == saved
    assert again is not None
    assert again.version == 2
    assert await store.load(ALICE) == again


async def test_transact_keep_leaves_the_state_as_stored(store: Store) -> None:
    kept, _ = await store.transact(ALICE, lambda _stored: ("keep", None))
    assert kept is None
    assert await store.stored_hashes() == frozenset()
    saved = await store.save(ALICE, rich_state(), expected_version=0)
    kept, _ = await store.transact(ALICE, lambda _stored: ("keep", None))
    assert kept == saved
    assert await store.load(ALICE) == saved


async def test_transact_delete_removes_state_and_channel_data(store: Store) -> None:
    await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    gone, _ = await store.transact(ALICE, lambda _stored: ("delete", None))
    assert gone is None
    assert await store.load(ALICE) is None
    assert await store.load_extra(ALICE, "address") is None
    assert await store.stored_hashes() == frozenset()


async def test_what_decide_raises_leaves_everything_as_it_was(store: Store) -> None:
    saved = await store.save(ALICE, rich_state(), expected_version=0)

    def fails(_stored: UserState | None) -> tuple[Change, None]:
        raise ValueError("a bug in decide")

    with pytest.raises(ValueError, match="a bug"):
        await store.transact(ALICE, fails)
    assert await store.load(ALICE) == saved


async def test_fifty_concurrent_transacts_on_one_leader_are_all_kept(store: Store) -> None:
    await asyncio.gather(*(store.transact(ALICE, add_reflection(n)) for n in range(50)))
    stored = await store.load(ALICE)
    assert stored is not None
    assert sorted(r.id for r in stored.reflections) == sorted(f"r{n}" for n in range(50))
    assert stored.version == 50


async def test_delete_removes_state_and_channel_data(store: Store) -> None:
    await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    assert await store.delete(ALICE)
    assert await store.load(ALICE) is None
    assert await store.load_extra(ALICE, "address") is None
    assert not await store.delete(ALICE)


async def test_channel_data_alone_is_deleted_too(store: Store) -> None:
    await store.save_extra(BOB, "teams", {"ref": "x"})
    assert await store.delete(BOB)
    assert await store.load_extra(BOB, "teams") is None
    assert await store.stored_hashes() == frozenset()


async def test_channel_data_survives_state_saves(store: Store) -> None:
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "reference", {"id": "x"})
    await store.save_extra(ALICE, "address", {"channel": "D2"})
    assert await store.load_extra(ALICE, "address") == {"channel": "D2"}
    assert await store.load_extra(ALICE, "reference") == {"id": "x"}
    assert await store.load_extra(BOB, "address") is None
    assert (await store.load(ALICE)) is not None


async def test_channel_data_before_any_state_leaves_the_leader_without_state(
    store: Store,
) -> None:
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    assert await store.load(ALICE) is None
    saved = await store.save(ALICE, rich_state(), expected_version=0)
    assert saved.version == 1


async def test_loaded_channel_data_is_a_copy(store: Store) -> None:
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    loaded = await store.load_extra(ALICE, "address")
    assert loaded is not None
    loaded["channel"] = "changed"
    assert await store.load_extra(ALICE, "address") == {"channel": "D1"}


STORED_AS_BYTES = pytest.mark.parametrize("server", ["tinydb", "postgres"], indirect=True)


@STORED_AS_BYTES  # memory holds no bytes to compare
async def test_saving_the_channel_data_already_stored_writes_nothing(backend: Backend) -> None:
    assert backend.raw is not None
    store = backend.store
    await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "reference", {"id": "x", "nested": {"a": [1, 2]}})
    before = await backend.raw()
    await store.save_extra(ALICE, "reference", {"id": "x", "nested": {"a": [1, 2]}})
    assert await backend.raw() == before  # sealing draws a fresh nonce: any write shows
    await store.save_extra(ALICE, "reference", {"id": "y"})
    assert await backend.raw() != before


@STORED_AS_BYTES
async def test_no_word_a_leader_wrote_is_in_the_stored_bytes(backend: Backend) -> None:
    assert backend.raw is not None
    store = backend.store
    await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "reference", {"note": MARKER})
    stored = await store.load(ALICE)
    assert stored is not None
    assert MARKER in stored.reflections[0].text  # it really is stored
    raw = await backend.raw()
    for secret in (MARKER, "first thought", "ask Priya", "joint discharge hub", str(ALICE)):
        assert secret.encode() not in raw, secret


async def test_many_leaders_at_once_keep_their_own_state(store: Store) -> None:
    keys = [UserKey.console(f"leader{i}") for i in range(30)]

    async def save(key: UserKey) -> None:
        state = UserState(profile=Profile(display_name=key.user))
        await store.save(key, state, expected_version=0)

    await asyncio.gather(*(save(k) for k in keys))
    for key in keys:
        loaded = await store.load(key)
        assert loaded is not None
        assert loaded.profile.display_name == key.user


async def test_stored_hashes_name_every_stored_leader_and_no_forgotten_one(
    store: Store,
) -> None:
    assert await store.stored_hashes() == frozenset()
    await store.save(ALICE, UserState(), expected_version=0)
    await store.save_extra(BOB, "teams", {"ref": "x"})  # channel data alone counts too
    assert await store.stored_hashes() == {ALICE.hashed, BOB.hashed}
    await store.delete(ALICE)
    assert await store.stored_hashes() == {BOB.hashed}


# ---------------------------------------------------------------- archive (db import/export)


async def dumped(store: Store) -> dict[UserKey, StoredLeader]:
    return {leader.key: leader async for leader in store.dump_all()}


async def test_dump_all_gives_every_leader_with_state_and_channel_data(store: Store) -> None:
    assert await dumped(store) == {}
    saved = await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    await store.save_extra(BOB, "teams", {"ref": "x"})
    assert await dumped(store) == {
        ALICE: StoredLeader(ALICE, saved, {"address": {"channel": "D1"}}),
        BOB: StoredLeader(BOB, None, {"teams": {"ref": "x"}}),
    }


async def test_dump_all_pages_through_many_leaders(store: Store) -> None:
    keys = [UserKey.console(f"leader{i}") for i in range(450)]  # more than one page
    await asyncio.gather(*(store.save(k, UserState(), expected_version=0) for k in keys))
    assert set(await dumped(store)) == set(keys)


async def test_restore_stores_exactly_what_it_is_given_and_can_run_again(store: Store) -> None:
    await store.save(ALICE, UserState(), expected_version=0)
    await store.save_extra(ALICE, "old", {"gone": True})
    given = StoredLeader(ALICE, replace(rich_state(), version=7), {"address": {"channel": "D9"}})
    await store.restore(given)
    await store.restore(given)
    assert await store.load(ALICE) == given.state  # the version as given, not the next one
    assert await store.load_extra(ALICE, "address") == {"channel": "D9"}
    assert await store.load_extra(ALICE, "old") is None  # extras replaced, not merged
    assert await dumped(store) == {ALICE: given}
    with pytest.raises(StaleStateError):
        await store.save(ALICE, UserState(), expected_version=1)
    assert (await store.save(ALICE, UserState(), expected_version=7)).version == 8


async def test_restore_of_channel_data_alone_leaves_no_state(store: Store) -> None:
    await store.save(BOB, rich_state(), expected_version=0)
    await store.restore(StoredLeader(BOB, None, {"teams": {"ref": "x"}}))
    assert await store.load(BOB) is None
    assert await store.load_extra(BOB, "teams") == {"ref": "x"}
    assert await store.stored_hashes() == {BOB.hashed}
