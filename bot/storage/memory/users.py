"""In-memory UserStore for tests and trials; same contract as the TinyDB store."""

import copy
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from bot.domain import UserKey
from bot.errors import StaleStateError
from bot.ports import Change, StoredLeader
from bot.storage.codec import to_sections
from bot.storage.cohort import CohortCounts
from dialogs.model import UserState


class InMemoryUserStore:
    def __init__(self) -> None:
        self._states: dict[UserKey, UserState] = {}
        self._extras: dict[UserKey, dict[str, dict[str, Any]]] = {}

    async def load(self, key: UserKey) -> UserState | None:
        return self._states.get(key)  # frozen, so sharing it is safe

    async def load_sections(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        found = ((key, self._states.get(key)) for key in keys)
        return {k.hashed: to_sections(str(k), s) for k, s in found if s is not None}

    async def glances(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """None kept: the dashboard opens the states."""
        del keys
        return {}

    async def cohort_counts(
        self, coach: str, keys: Sequence[UserKey], zone: str, starts: tuple[date, ...]
    ) -> CohortCounts | None:
        """Not kept: the dashboard counts from the states."""
        del coach, keys, zone, starts
        return None

    async def versions(self, keys: Sequence[UserKey]) -> dict[str, int] | None:
        found = ((key, self._states.get(key)) for key in keys)
        return {key.hashed: state.version for key, state in found if state is not None}

    async def transact[T](
        self, key: UserKey, decide: Callable[[UserState | None], tuple[Change, T]]
    ) -> tuple[UserState | None, T]:
        stored = self._states.get(key)
        change, result = decide(stored)
        if change == "keep":
            return stored, result
        if change == "delete":
            await self.delete(key)
            return None, result
        saved = replace(change, version=stored.version + 1 if stored else 1)
        self._states[key] = saved
        return saved, result

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        current = self._states.get(key)
        version = current.version if current else 0
        if version != expected_version:
            raise StaleStateError(f"state is at version {version}, not {expected_version}")
        saved = replace(state, version=expected_version + 1)
        self._states[key] = saved
        return saved

    async def delete(self, key: UserKey) -> bool:
        had_extras = self._extras.pop(key, None) is not None
        return self._states.pop(key, None) is not None or had_extras

    async def load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        value = self._extras.get(key, {}).get(name)
        return copy.deepcopy(value) if value is not None else None

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        self._extras.setdefault(key, {})[name] = copy.deepcopy(value)

    async def stored_hashes(self) -> frozenset[str]:
        return frozenset(key.hashed for key in self._states.keys() | self._extras.keys())

    async def dump_all(self) -> AsyncIterator[StoredLeader]:
        for key in sorted(self._states.keys() | self._extras.keys()):
            extras = copy.deepcopy(self._extras.get(key, {}))
            yield StoredLeader(key, self._states.get(key), extras)

    async def restore(self, leader: StoredLeader) -> None:
        if leader.state is None:
            self._states.pop(leader.key, None)
        else:
            self._states[leader.key] = leader.state
        self._extras[leader.key] = copy.deepcopy(dict(leader.extras))
