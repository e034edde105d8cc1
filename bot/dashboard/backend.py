"""Where sign-in tokens, sessions and visits persist: memory, a TinyDB file or PostgreSQL,
so a link made by one instance signs in on another."""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from bot.dashboard.model import Session, SignInToken


class DashboardStore(Protocol):
    async def put_token(self, token: SignInToken) -> None: ...

    async def token(self, digest: str) -> SignInToken | None: ...

    async def spend_token(self, digest: str, at: datetime) -> SignInToken | None:
        """Mark the token used, atomically: the token if this call spent it, else None
        (unknown, used already or expired)."""
        ...

    async def put_session(self, session: Session) -> None: ...

    async def session(self, digest: str) -> Session | None: ...

    async def end_session(self, digest: str, at: datetime) -> None: ...

    async def opened(self, coach: str, at: datetime) -> None:
        """The coach opened the dashboard at `at` (kept: the newest only)."""
        ...

    async def last_opened(self, coaches: Iterable[str]) -> dict[str, datetime]: ...

    async def forget(self, coach: str) -> None:
        """`forget me`: the coach's tokens, sessions and visits go."""
        ...

    async def purge(self, before: datetime) -> None:
        """Drop tokens and sessions that expired before `before`."""
        ...
