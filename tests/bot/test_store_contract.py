"""One contract, every UserStore implementation."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import UserKey
from bot.errors import StaleStateError
from bot.ports import UserStore
from bot.storage.memory.users import InMemoryUserStore
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

ALICE = UserKey.console("alice")
BOB = UserKey("slack", "T123", "U456")

Factory = Callable[[Path], UserStore]
STORES: dict[str, Factory] = {
    "memory": lambda _: InMemoryUserStore(),
    "tinydb": TinyDBUserStore,
}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> UserStore:
    return STORES[request.param](tmp_path)


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
        reflections=(Reflection("r1", AT, "first thought", "influence"),),
        commitments=(Commitment("c2", AT, "ask Priya", AT.date() + timedelta(days=5)),),
    )


async def test_an_unknown_leader_has_no_state(store: UserStore) -> None:
    assert await store.load(ALICE) is None


async def test_what_is_saved_is_loaded_unchanged(store: UserStore) -> None:
    saved = await store.save(ALICE, rich_state(), expected_version=0)
    assert saved.version == 1
    assert await store.load(ALICE) == saved
    assert await store.load(BOB) is None


async def test_a_stale_version_is_refused(store: UserStore) -> None:
    await store.save(ALICE, rich_state(), expected_version=0)
    with pytest.raises(StaleStateError):
        await store.save(ALICE, UserState(), expected_version=0)
    assert (await store.load(ALICE)) == await store.load(ALICE)


async def test_delete_removes_state_and_channel_data(store: UserStore) -> None:
    await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    assert await store.delete(ALICE)
    assert await store.load(ALICE) is None
    assert await store.load_extra(ALICE, "address") is None
    assert not await store.delete(ALICE)


async def test_channel_data_survives_state_saves(store: UserStore) -> None:
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    await store.save(ALICE, rich_state(), expected_version=0)
    await store.save_extra(ALICE, "reference", {"id": "x"})
    await store.save_extra(ALICE, "address", {"channel": "D2"})
    assert await store.load_extra(ALICE, "address") == {"channel": "D2"}
    assert await store.load_extra(ALICE, "reference") == {"id": "x"}
    assert (await store.load(ALICE)) is not None


async def test_loaded_channel_data_is_a_copy(store: UserStore) -> None:
    await store.save_extra(ALICE, "address", {"channel": "D1"})
    loaded = await store.load_extra(ALICE, "address")
    assert loaded is not None
    loaded["channel"] = "changed"
    assert await store.load_extra(ALICE, "address") == {"channel": "D1"}


async def test_many_leaders_at_once_keep_their_own_state(store: UserStore) -> None:
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
    store: UserStore,
) -> None:
    assert await store.stored_hashes() == frozenset()
    await store.save(ALICE, UserState(), expected_version=0)
    await store.save_extra(BOB, "teams", {"ref": "x"})  # channel data alone counts too
    assert await store.stored_hashes() == {ALICE.hashed, BOB.hashed}
    await store.delete(ALICE)
    assert await store.stored_hashes() == {BOB.hashed}
