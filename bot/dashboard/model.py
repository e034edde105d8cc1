"""What the dashboard keeps: sign-in tokens and sessions (by hash only) and when each coach
last opened it. Coaches are named by their user key; nothing here holds a leader's words."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SignInToken:
    """A single-use link's token, kept only as its sha256 (`digest`)."""

    digest: str
    coach: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class Session:
    """A signed-in browser, kept only as the sha256 of its id."""

    digest: str
    coach: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
