"""`coach dashboard`: a single-use link to the web dashboard, and when each coach last
opened it (a leader's `coaches` shows it: coaching is built on trust)."""

from datetime import datetime
from typing import Protocol

from bot.domain import ServiceReply, UserKey
from dialogs.model import Say
from dialogs.timetext import local_date, short_date


class DashboardLinks(Protocol):
    local_url: str  # what PEERCOACH_PUBLIC_URL would be on this machine

    async def link_for(self, coach: str, at: datetime) -> str | None:
        """A fresh single-use sign-in link; None without PEERCOACH_PUBLIC_URL."""
        ...

    async def last_opened(self, coaches: list[str]) -> dict[str, datetime]: ...

    async def forget(self, coach: str) -> None:
        """`forget me`: the coach's links, sessions and visits go."""
        ...


async def dashboard_reply(
    links: DashboardLinks | None, key: UserKey, at: datetime
) -> ServiceReply:
    if key.channel == "console" or links is None:
        return _say(
            "The dashboard comes with `peercoach serve`: type `coach dashboard` in Slack or "
            "Teams for a link. Here, `coach report` shows the same counts."
        )
    link = await links.link_for(str(key), at)
    if link is None:
        return _say(
            "The dashboard needs the setting PEERCOACH_PUBLIC_URL, the address this server is "
            "reached at; ask whoever runs peercoach to add it (trying it on one machine: "
            f"PEERCOACH_PUBLIC_URL={links.local_url})."
        )
    return _say(
        f"Your dashboard: {link}\nThe link works once, for 10 minutes, and only for you. "
        "Counts only: what leaders write stays theirs."
    )


def opened_text(at: datetime | None, timezone: str) -> str:
    if at is None:
        return "has not opened the dashboard"
    return f"last opened the dashboard {short_date(local_date(at, timezone))}"


def _say(text: str) -> ServiceReply:
    return ServiceReply((Say(text),))
