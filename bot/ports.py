"""The interfaces services depend on; storage and channels implement them."""

from typing import Any, Protocol

from bot.domain import UserKey
from dialogs.model import UserState


class UserStore(Protocol):
    """One leader's whole state: profile, conversation, reflections, commitments, history."""

    async def load(self, key: UserKey) -> UserState | None:
        """The stored state, or None for a leader never seen (or forgotten)."""
        ...

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        """Store `state` if nobody saved since `expected_version`; returns it with version+1."""
        ...

    async def delete(self, key: UserKey) -> bool:
        """Remove everything stored for the leader; False if there was nothing."""
        ...

    async def load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        """Channel data kept beside the state (e.g. a Teams conversation reference)."""
        ...

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        """Keep channel data beside the state; removed with it by delete()."""
        ...
