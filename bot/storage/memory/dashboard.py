"""DashboardStore in memory, for tests and one-process trials."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.dashboard.model import Session, SignInToken


class InMemoryDashboardStore:
    def __init__(self) -> None:
        self._tokens: dict[str, SignInToken] = {}
        self._sessions: dict[str, Session] = {}
        self._visits: dict[str, datetime] = {}

    async def put_token(self, token: SignInToken) -> None:
        self._tokens[token.digest] = token

    async def token(self, digest: str) -> SignInToken | None:
        return self._tokens.get(digest)

    async def spend_token(self, digest: str, at: datetime) -> SignInToken | None:
        found = self._tokens.get(digest)
        if found is None or found.used_at is not None or found.expires_at <= at:
            return None
        spent = replace(found, used_at=at)
        self._tokens[digest] = spent
        return spent

    async def put_session(self, session: Session) -> None:
        self._sessions[session.digest] = session

    async def session(self, digest: str) -> Session | None:
        return self._sessions.get(digest)

    async def end_session(self, digest: str, at: datetime) -> None:
        if (found := self._sessions.get(digest)) is not None:
            self._sessions[digest] = replace(found, ended_at=found.ended_at or at)

    async def opened(self, coach: str, at: datetime) -> None:
        self._visits[coach] = max(at, self._visits.get(coach, at))

    async def last_opened(self, coaches: Iterable[str]) -> dict[str, datetime]:
        return {c: self._visits[c] for c in coaches if c in self._visits}

    async def forget(self, coach: str) -> None:
        self._tokens = {d: t for d, t in self._tokens.items() if t.coach != coach}
        self._sessions = {d: s for d, s in self._sessions.items() if s.coach != coach}
        self._visits.pop(coach, None)

    async def purge(self, before: datetime) -> None:
        self._tokens = {d: t for d, t in self._tokens.items() if t.expires_at >= before}
        self._sessions = {d: s for d, s in self._sessions.items() if s.expires_at >= before}
