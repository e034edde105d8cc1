"""How a store hears that another instance changed a row it keeps in memory.

A backend shared by several processes (PostgreSQL) calls `heard(table, key)` for each row
another instance (or this one) wrote, and `resync()` when it may have missed some (after its
listening connection came back, and every half minute, since notifications are not stored).
Single-process backends (a TinyDB file, memory) never call either.
"""

from collections.abc import Awaitable, Callable

Heard = Callable[[str, str], Awaitable[None]]
Resync = Callable[[], Awaitable[None]]


class NoChanges:
    """For backends only this process writes: there is nothing to follow."""

    async def follow(self, heard: Heard, resync: Resync) -> None:
        """Start calling `heard`/`resync` on changes made elsewhere (never, here)."""

    async def unfollow(self) -> None:
        """Stop following changes."""
