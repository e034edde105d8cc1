"""What it costs to put two members of a peer circle in one group: the rules of matching as
numbers, so that every search in peer_search compares arrangements the same way.

Members are numbered by their user key in sorted order, so nothing here depends on the order
the candidates came in. The weights are far apart so that the rules keep their order: an
avoid (never allowed in a result) outweighs any number of shared organisations, one shared
organisation outweighs every repeat and theme in a swap, one recent repeat outweighs every
shared theme in a group.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

AVOID = 1_000_000
ORGANISATION = 1_000
REPEAT = 10  # per step of fading: met last round 3 steps, the round before 2, then 1
THEMES_COUNTED = 3  # shared themes beyond this many add nothing


@dataclass(frozen=True)
class Member:
    """One candidate as the search sees it (see peer_matching.Candidate)."""

    user: str
    organisation: str | None
    themes: frozenset[str]
    avoids: frozenset[str]


class Costs:
    """Pair costs for one round: avoids (both directions), organisations, fading repeats."""

    def __init__(
        self,
        members: Sequence[Member],
        past: Iterable[tuple[int, Sequence[str]]],
        round_number: int,
        recent_rounds: int,
    ) -> None:
        self.users = [m.user for m in members]
        self.size = len(members)
        self.recent_rounds = recent_rounds
        self._pairs: dict[int, int] = {}  # i * size + j -> pair cost, as asked for
        index = {user: i for i, user in enumerate(self.users)}
        self.organisation = [m.organisation for m in members]
        self.themes = [m.themes for m in members]
        self.avoid: list[set[int]] = [set() for _ in members]
        for i, member in enumerate(members):
            for other in member.avoids:
                j = index.get(other)
                if j is not None and j != i:
                    self.avoid[i].add(j)
                    self.avoid[j].add(i)
        # (i, j) with i < j -> fading steps: recent_rounds for last round, down to 1
        self.recent: dict[tuple[int, int], int] = {}
        for number, users in past:
            age = round_number - number
            if not 1 <= age <= recent_rounds:
                continue
            steps = recent_rounds + 1 - age
            present = sorted(index[u] for u in set(users) if u in index)
            for pair in combinations(present, 2):
                self.recent[pair] = max(self.recent.get(pair, 0), steps)

    def same_organisation(self, i: int, j: int) -> bool:
        own = self.organisation[i]
        return own is not None and own == self.organisation[j]

    def allowed(self, i: int, j: int) -> bool:
        """Neither avoids the other (the one rule a result never breaks)."""
        return j not in self.avoid[i]

    def repeat_steps(self, i: int, j: int) -> int:
        return self.recent.get((i, j) if i < j else (j, i), 0)

    def shared_themes(self, i: int, j: int) -> int:
        return min(len(self.themes[i] & self.themes[j]), THEMES_COUNTED)

    def pair(self, i: int, j: int) -> int:
        key = i * self.size + j
        cost = self._pairs.get(key)
        if cost is None:
            cost = self._pairs[key] = self._pair(i, j)
        return cost

    def _pair(self, i: int, j: int) -> int:
        cost = REPEAT * self.repeat_steps(i, j) - self.shared_themes(i, j)
        if j in self.avoid[i]:
            cost += AVOID
        if self.same_organisation(i, j):
            cost += ORGANISATION
        return cost

    def member(self, i: int, group: Iterable[int]) -> int:
        """What member i costs in `group` (i itself is left out if it is there)."""
        return sum(self.pair(i, j) for j in group if j != i)

    def group(self, group: Sequence[int]) -> int:
        return sum(self.pair(i, j) for i, j in combinations(group, 2))
