"""Signing coaches in: single-use links from the chat, sessions in a signed cookie, CSRF
tokens for every form. Tokens and session ids are stored only as their sha256; the cookie
and the CSRF tokens are signed with the dashboard's secret, so a changed secret ends every
session."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.dashboard.backend import DashboardStore
from bot.dashboard.model import Session, SignInToken

TOKEN_LIFE = timedelta(minutes=10)
SESSION_LIFE = timedelta(hours=8)
SIGN_IN_PATH = "/dashboard/sign-in/"
PURGE_AFTER = timedelta(days=1)  # expired tokens and sessions kept a day, then dropped


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class Opened:
    """A session as a request presents it: the stored row and the id its cookie carried."""

    session: Session
    session_id: str


class SignIns:
    def __init__(
        self,
        store: DashboardStore,
        clock: Clock,
        secret: bytes,
        public_url: str | None,
        *,
        port: int = 3978,
    ) -> None:
        self.store = store
        self.clock = clock
        self._secret = secret
        self.public_url = public_url.rstrip("/") if public_url else None
        self.local_url = f"http://127.0.0.1:{port}"  # the setting to suggest for a local trial

    @property
    def secure_cookie(self) -> bool:
        """Secure cookies, except in a local trial on http://127.0.0.1 (no TLS there)."""
        return not (self.public_url or "").startswith("http://127.0.0.1")

    # ------------------------------------------------------------ links (the chat's side)

    async def link_for(self, coach: str, at: datetime) -> str | None:
        """A fresh single-use link for the coach; None without PEERCOACH_PUBLIC_URL."""
        if self.public_url is None:
            return None
        return self.public_url + await self.new_token(coach, at)

    async def new_token(self, coach: str, at: datetime) -> str:
        """The path of a fresh sign-in link (the token is in it, and kept only as a hash)."""
        raw = secrets.token_hex(32)  # hex: no "_" for Slack's or Teams' markdown to read
        await self.store.put_token(SignInToken(digest(raw), coach, at, at + TOKEN_LIFE))
        return SIGN_IN_PATH + raw

    async def last_opened(self, coaches: list[str]) -> dict[str, datetime]:
        return await self.store.last_opened(coaches)

    async def forget(self, coach: str) -> None:
        await self.store.forget(coach)

    # ------------------------------------------------------------ tokens (the browser's side)

    async def usable(self, raw: str, at: datetime) -> SignInToken | None:
        """The token if it could sign in now; never spends it (link scanners GET links)."""
        found = await self.store.token(digest(raw))
        if found is None or found.used_at is not None or found.expires_at <= at:
            return None
        return found

    async def spend(self, raw: str, at: datetime) -> SignInToken | None:
        return await self.store.spend_token(digest(raw), at)

    def sign_in_csrf(self, raw: str) -> str:
        return self._sign("sign-in", digest(raw))

    def sign_in_csrf_ok(self, raw: str, given: str) -> bool:
        return hmac.compare_digest(self.sign_in_csrf(raw), given)

    # ------------------------------------------------------------ sessions

    async def start_session(self, coach: str, at: datetime) -> str:
        """A new session; returns the cookie's value (the id and its signature)."""
        session_id = secrets.token_urlsafe(32)
        await self.store.put_session(Session(digest(session_id), coach, at, at + SESSION_LIFE))
        await self.store.opened(coach, at)
        await self.store.purge(at - PURGE_AFTER)  # at sign-in pace: rare, and small tables
        return f"{session_id}.{self._sign('session', session_id)}"

    async def session_of(self, cookie: str | None, at: datetime) -> Opened | None:
        """The live session a cookie names: signed with the current secret, stored, not
        ended, not expired."""
        if not cookie or "." not in cookie:
            return None
        session_id, _, signature = cookie.partition(".")
        if not hmac.compare_digest(self._sign("session", session_id), signature):
            return None
        found = await self.store.session(digest(session_id))
        if found is None or found.ended_at is not None or found.expires_at <= at:
            return None
        return Opened(found, session_id)

    async def end(self, opened: Opened, at: datetime) -> None:
        await self.store.end_session(opened.session.digest, at)

    def csrf(self, opened: Opened) -> str:
        return self._sign("csrf", opened.session_id)

    def csrf_ok(self, opened: Opened, given: str) -> bool:
        return hmac.compare_digest(self.csrf(opened), given)

    def _sign(self, purpose: str, value: str) -> str:
        mac = hmac.new(self._secret, f"{purpose}\x00{value}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


def derive_secret(material: bytes) -> bytes:
    """The dashboard's signing secret from a data key (or its own setting): a key of its own,
    so nothing signed for the dashboard can be mistaken for sealed data."""
    return hmac.new(material, b"peercoach dashboard sessions", hashlib.sha256).digest()
