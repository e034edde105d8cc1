"""Peer circles as stored: a coach's circle, who was invited and who joined, each round's
groups, and each member's word on whether their group met. Every row names its leader."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

Format = Literal["pairs", "trios", "sets"]
CircleStatus = Literal["active", "paused", "ended"]
# invited: asked, not answered; joined: said yes; declined: said no thanks; left: was a member
MemberStatus = Literal["invited", "joined", "declined", "left"]
RoundStatus = Literal["running", "closed"]
CheckInAnswer = Literal["met", "rescheduled", "not_this_round"]

SET_SIZES = (4, 6)  # an action learning set has 4 to 6 members


@dataclass(frozen=True)
class Circle:
    """A coach's circle of leaders, matched every `every_weeks` weeks."""

    id: str
    coach: str  # user key of the coach who owns it
    name: str
    format: Format
    every_weeks: int
    day: int | None  # 0 = Monday; None: the weekday of `starts`
    starts: date  # the first round's start day
    status: CircleStatus
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Membership:
    """One leader's place in one circle, from the invitation on."""

    circle_id: str
    leader: str  # user key
    status: MemberStatus
    invited_at: datetime
    answered_at: datetime | None = None
    skip_next: bool = False  # `circle skip`: sits out the next round only
    missed_rounds: int = 0  # rounds in a row without meeting; asked to stay at three
    stay_asked_at: datetime | None = None


@dataclass(frozen=True)
class Group:
    """Who meets whom in a round; `members` are user keys in a stable order."""

    members: tuple[str, ...]
    facilitator: str | None = None  # sets: the member who runs the set this round


@dataclass(frozen=True)
class Round:
    """One round of a circle: its groups, dates, and who could not be kept apart."""

    circle_id: str
    number: int  # 1, 2, ...
    starts: date
    ends: date  # the day before the next round would start
    status: RoundStatus
    groups: tuple[Group, ...]
    started_at: datetime
    now: bool = False  # `circle round ... now`: introductions at once, not at nudge time
    # told to the coach: members who had to share a group with a colleague, and why
    unseparated: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def names(self, user: str) -> bool:
        """Whether `user` is in one of this round's groups."""
        return any(user in g.members or g.facilitator == user for g in self.groups)

    def without(self, user: str) -> "Round":
        """The round as it was, with a forgotten leader's name out of its groups."""
        groups = tuple(
            Group(
                tuple(m for m in g.members if m != user),
                None if g.facilitator == user else g.facilitator,
            )
            for g in self.groups
        )
        return replace(self, groups=groups)


@dataclass(frozen=True)
class CheckIn:
    """A member's answer to "did your group meet?" for one round."""

    circle_id: str
    round_number: int
    leader: str
    answer: CheckInAnswer
    at: datetime
