"""Who meets whom in a round of a peer circle: a pure, deterministic function (seeded by the
circle and the round) so a round can be explained and run again with the same answer.

Hard rules: only eligible candidates; never two people on each other's avoid lists; never two
from one organisation in a group where the membership allows it (where it does not, the
result says who could not be separated). Soft rules, in order: no repeat of a recent
pairing (a penalty that fades over rounds), groups of similar size, shared themes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MatchFormat = Literal["pairs", "trios", "sets"]


@dataclass(frozen=True)
class Candidate:
    """One member who joined and is not sitting this round out."""

    user: str  # user key
    organisation: str | None  # normalised (see organisations), None: not given
    themes: frozenset[str] = frozenset()  # focus themes
    avoids: frozenset[str] = frozenset()  # user keys this member must never meet


@dataclass(frozen=True)
class PastGroup:
    """A group from an earlier round of the same circle."""

    round_number: int
    members: frozenset[str]


@dataclass(frozen=True)
class Unseparated:
    """Two members who share a group and an organisation, because nothing else worked."""

    users: tuple[str, str]
    reason: str  # one plain sentence for the coach


@dataclass(frozen=True)
class MatchResult:
    groups: tuple[tuple[str, ...], ...]  # every candidate exactly once, in a stable order
    unseparated: tuple[Unseparated, ...] = ()
    # candidates who could not be placed at all (only when avoid lists leave no group)
    unplaced: tuple[str, ...] = ()


def match(
    candidates: Sequence[Candidate],
    history: Sequence[PastGroup],
    fmt: MatchFormat,
    *,
    seed: str,
    round_number: int,
) -> MatchResult:
    """Placeholder until the real optimiser lands: consecutive groups by user key."""
    del history, seed, round_number
    users = sorted(c.user for c in candidates)
    size = {"pairs": 2, "trios": 3, "sets": 5}[fmt]
    groups = [tuple(users[i : i + size]) for i in range(0, len(users), size)]
    if len(groups) > 1 and len(groups[-1]) < size and fmt == "pairs":
        last = groups.pop()  # (popped first: `groups[-2] = ... groups.pop()` hit the wrong one)
        groups[-1] = groups[-1] + last
    return MatchResult(tuple(groups))
