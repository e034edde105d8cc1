"""Coach grants, coach and leader links and a small directory of names, as stored."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# revoked: the coach lost the coach role; granting it again does not reopen the link
LinkStatus = Literal["pending", "accepted", "declined", "removed", "revoked"]


@dataclass(frozen=True)
class CoachGrant:
    """An administrator made this user a coach."""

    user: str
    granted_by: str
    at: datetime


@dataclass(frozen=True)
class Link:
    """A coach asked to coach a leader; only an accepted link lets the coach act for them."""

    id: str
    coach: str
    leader: str
    status: LinkStatus
    created_at: datetime
    updated_at: datetime
    talk_asked_at: datetime | None = None  # the leader's last `ask my coach`: once a day


@dataclass(frozen=True)
class Person:
    """A name to find a user by (`coach add Alex Smith`), and to show in reports."""

    user: str
    name: str
