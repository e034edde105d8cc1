"""Who meets whom in a round of a peer circle: a pure, deterministic function (seeded by the
circle and the round) so a round can be explained and run again with the same answer.

Hard rules: only eligible candidates; never two people on each other's avoid lists (either
direction); never two from one organisation in a group where the membership allows it (where
it does not, the result says who could not be separated, and why). Soft rules, in order: no
repeat of a pairing within the last `recent_rounds` rounds (a penalty that fades: last round
counts most, then less, then nothing; never a ban, so small circles still meet), groups of
similar size, shared themes.

Sizes (see peer_search.group_sizes): pairs, with one trio when the count is odd; trios, with
fours when the count is not a multiple of three; sets of 4 to 6, balanced. Nobody is left out
silently: a member is `unplaced` only when they are alone in the round or every group holds
someone they must not meet, and `why_unplaced` says which.

How: pairs by networkx's maximum-weight matching (exact and well kept; a hand-written blossom
algorithm would be long and easy to get wrong); trios and sets by dealing organisations round
the groups (which keeps colleagues apart whenever the numbers allow), then seeded swaps that
lower the cost (peer_costs). The same candidates, history, format, seed and round give the
same groups whatever order the candidates and history come in.
"""

import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from dialogs.peer_costs import Costs, Member
from dialogs.peer_search import deal, group_sizes, improve, keep_avoids_apart, pairs

MatchFormat = Literal["pairs", "trios", "sets"]
FORMATS = ("pairs", "trios", "sets")
GROUP_WORDS = {"pairs": "pairs", "trios": "trios", "sets": "sets"}


@dataclass(frozen=True)
class Candidate:
    """One member who joined and is not sitting this round out."""

    user: str  # user key
    organisation: str | None  # normalised (see organisations), None: not given
    themes: frozenset[str] = frozenset()  # focus themes
    avoids: frozenset[str] = frozenset()  # user keys this member must never meet
    organisation_name: str | None = None  # as a coach reads it, for the reasons; else the key


@dataclass(frozen=True)
class PastGroup:
    """A group from an earlier round of the same circle."""

    round_number: int
    members: frozenset[str]
    facilitator: str | None = None  # sets: who ran it (so the role rotates fairly)


@dataclass(frozen=True)
class Unseparated:
    """Two members who share a group and an organisation, because nothing else worked."""

    users: tuple[str, str]
    reason: str  # one plain sentence for the coach
    # the figures behind the reason, for callers that word it themselves from content
    organisation: str = ""  # the normalised key
    organisation_members: int = 0  # how many of this round's members it has
    groups: int = 0  # how many groups this round has; more members than groups: forced


@dataclass(frozen=True)
class MatchResult:
    groups: tuple[tuple[str, ...], ...]  # every candidate exactly once, in a stable order
    unseparated: tuple[Unseparated, ...] = ()
    # candidates who could not be placed at all (only when avoid lists leave no group)
    unplaced: tuple[str, ...] = ()
    # sets: who facilitates each group this round (same order as groups); otherwise None
    facilitators: tuple[str | None, ...] = ()
    why_unplaced: tuple[str, ...] = ()  # one plain sentence per unplaced member, same order


def match(
    candidates: Sequence[Candidate],
    history: Sequence[PastGroup],
    fmt: MatchFormat,
    *,
    seed: str,
    round_number: int,
    recent_rounds: int = 3,
) -> MatchResult:
    """Groups for one round: hard rules always, soft rules as far as they go (see above)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown circle format {fmt!r}: use pairs, trios or sets.")
    members = _members(candidates)
    costs = Costs(
        members, ((g.round_number, tuple(g.members)) for g in history), round_number, recent_rounds
    )
    rng = random.Random(f"{seed}|{round_number}|{fmt}")
    sizes = group_sizes(len(members), fmt)
    unplaced: list[int] = []
    if not sizes:
        groups: list[list[int]] = []
        unplaced = list(range(len(members)))
    elif fmt == "pairs":
        groups, unplaced = pairs(costs, rng)
    else:
        groups = deal(costs, sizes, rng)
    improve(costs, groups, rng, explore=fmt != "pairs")
    unplaced = keep_avoids_apart(costs, groups, unplaced)
    named = sorted(tuple(sorted(costs.users[i] for i in group)) for group in groups)
    alone = len(members) == 1
    return MatchResult(
        groups=tuple(named),
        unseparated=_unseparated(members, named, fmt, _organisation_names(candidates)),
        unplaced=tuple(costs.users[i] for i in unplaced),
        facilitators=tuple(
            _facilitator(group, history, seed, round_number) if fmt == "sets" else None
            for group in named
        ),
        why_unplaced=tuple(
            "They are the only member in this round, so there is nobody to meet."
            if alone
            else "No group in this round could take them under the circle's rules."
            for _ in unplaced
        ),
    )


def _members(candidates: Sequence[Candidate]) -> list[Member]:
    """One Member per user key, in key order; a key given twice has both entries' avoids
    and themes, and the first organisation in sorted order (so input order never matters)."""
    by_user: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_user.setdefault(candidate.user, []).append(candidate)
    members = []
    for user in sorted(by_user):
        entries = by_user[user]
        organisations = sorted(c.organisation for c in entries if c.organisation)
        members.append(
            Member(
                user=user,
                organisation=organisations[0] if organisations else None,
                themes=frozenset().union(*(c.themes for c in entries)),
                avoids=frozenset().union(*(c.avoids for c in entries)) - {user},
            )
        )
    return members


def _organisation_names(candidates: Sequence[Candidate]) -> dict[str, str]:
    names: dict[str, str] = {}
    for c in sorted(candidates, key=lambda c: (c.user, c.organisation_name or "")):
        if c.organisation and c.organisation_name:
            names.setdefault(c.organisation, c.organisation_name)
    return names


def _unseparated(
    members: list[Member], groups: list[tuple[str, ...]], fmt: str, names: dict[str, str]
) -> tuple[Unseparated, ...]:
    organisation = {m.user: m.organisation for m in members}
    counts = Counter(o for o in organisation.values() if o is not None)
    found = []
    for group in groups:
        for a, b in combinations(group, 2):
            shared = organisation[a]
            if shared is None or shared != organisation[b]:
                continue
            count = counts[shared]
            found.append(
                Unseparated(
                    users=(a, b),
                    reason=_reason(
                        names.get(shared, shared), count, len(members), len(groups), fmt
                    ),
                    organisation=shared,
                    organisation_members=count,
                    groups=len(groups),
                )
            )
    return tuple(found)


def _reason(organisation: str, count: int, everyone: int, groups: int, fmt: str) -> str:
    if count > groups:
        word = GROUP_WORDS[fmt] if groups > 1 else "group"
        return (
            f"{organisation} has {count} of the {everyone} members and there "
            f"{'is' if groups == 1 else 'are'} only {groups} {word}, so some share one."
        )
    return "No other arrangement kept to the circle's rules, so these two share a group."


def _facilitator(
    group: tuple[str, ...], history: Sequence[PastGroup], seed: str, round_number: int
) -> str:
    """Whoever in the set has gone longest without facilitating (never counts as longest);
    ties go to a seeded draw, fresh each round, so the role rotates."""
    last: dict[str, int] = {}
    for past in history:
        who = past.facilitator
        if who is not None and who in group and past.round_number < round_number:
            last[who] = max(last.get(who, 0), past.round_number)

    def draw(user: str) -> tuple[int, str]:
        digest = hashlib.sha256(f"{seed}|{round_number}|{user}".encode()).hexdigest()
        return last.get(user, -1), digest

    return min(group, key=draw)
