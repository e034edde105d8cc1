"""The searches behind peer matching: how many groups of which size, pairs by maximum-weight
matching (networkx), trios and sets by dealing organisations round the groups, then swaps
that lower the cost (peer_costs) while keeping sizes, and a last pass that keeps avoids apart.

Every choice that could go either way is made by `rng`, seeded by the caller from the circle
and the round, over members numbered in user-key order: the same inputs give the same groups.
"""

import random
from collections import Counter
from itertools import combinations

import networkx as nx

from dialogs.peer_costs import ORGANISATION, Costs

BLOCK = 50  # pairs: members per matching (see pairs)
SWAP_TRIES = 300  # partners tried for a member in a troubled group, at most
RANDOM_SWAPS_PER_MEMBER = 20  # untargeted swaps tried for shared themes, per member
PASSES = 4


def group_sizes(count: int, fmt: str) -> list[int]:
    """The planned sizes, largest first, all within one of each other.

    pairs: twos, and one three when the count is odd. trios: threes; one left over makes one
    four (7: 4+3), two left over make two fours (8: 4+4; a pair has no observer), except 5
    (3+2) and 2 (one pair). sets: 4 to 6, as few sets as that allows, balanced (13: 5+4+4);
    7 cannot be split within 4 to 6 and becomes 4+3 (a set of 3 still has a presenter and two
    questioners; one of 7 leaves too little time each); fewer than 4 meet as one group.
    Fewer than 2 make no group.
    """
    if count < 2:  # noqa: PLR2004 - nobody to meet
        return []
    if fmt == "pairs":
        pairs = count // 2
        return [3] + [2] * (pairs - 1) if count % 2 else [2] * pairs
    if fmt == "trios":
        if count in (2, 5):
            return [3, 2] if count == 5 else [2]  # noqa: PLR2004
        fours = count % 3  # one left over: one four; two left over: two fours
        return [4] * fours + [3] * ((count - 4 * fours) // 3)
    if count < 4:  # noqa: PLR2004
        return [count]
    if count == 7:  # noqa: PLR2004
        return [4, 3]
    sets = -(-count // 6)
    base, extra = divmod(count, sets)
    return [base + 1] * extra + [base] * (sets - extra)


def deal(costs: Costs, sizes: list[int], rng: random.Random) -> list[list[int]]:
    """Organisations dealt round the groups like cards, biggest first: nobody shares a group
    with a colleague unless an organisation has more members than there are groups, and then
    its members are spread as evenly as they can be."""
    by_organisation: dict[str, list[int]] = {}
    loners: list[int] = []
    for i in range(costs.size):
        organisation = costs.organisation[i]
        if organisation is None:
            loners.append(i)
        else:
            by_organisation.setdefault(organisation, []).append(i)
    blocks = [by_organisation[name] for name in sorted(by_organisation)]
    rank = {id(block): rng.random() for block in blocks}
    blocks.sort(key=lambda block: (-len(block), rank[id(block)]))
    order: list[int] = []
    for block in blocks:
        rng.shuffle(block)
        order.extend(block)
    rng.shuffle(loners)
    order.extend(loners)
    groups: list[list[int]] = [[] for _ in sizes]
    for position, member in enumerate(order):
        groups[position % len(sizes)].append(member)
    return groups


def pairs(costs: Costs, rng: random.Random) -> tuple[list[list[int]], list[int]]:
    """Pairs by maximum-cardinality, maximum-weight matching over partners from different
    organisations (weights: no recent repeat first, then shared themes); colleagues are paired
    only with those left over; anyone still over joins a pair. Returns groups and unplaced.

    A large circle is matched in blocks of about BLOCK members, dealt by organisation so each
    block has the circle's mix: the matching's cost grows with the cube of the members, and a
    block of fifty still offers everyone plenty of partners they have not met."""
    blocks = max(1, round(costs.size / BLOCK))
    dealt = (
        deal(costs, _even(costs.size, blocks), rng) if blocks > 1 else [list(range(costs.size))]
    )
    matched: dict[int, int] = {}
    for block in dealt:
        rng.shuffle(block)
        matched |= _matching(costs, _dense_edges(costs, block, across=True))
    everyone = [i for block in dealt for i in block]
    if blocks > 1:
        matched = _resolve_leftovers(costs, matched, everyone, rng)
    left = [i for i in everyone if i not in matched]
    colleagues = _matching(costs, _dense_edges(costs, left, across=False))
    groups = _groups_of(matched) + _groups_of(colleagues)
    unplaced: list[int] = []
    for i in sorted(i for i in left if i not in colleagues):
        if not join_best(costs, groups, i):
            unplaced.append(i)
    return groups, unplaced


def _even(count: int, parts: int) -> list[int]:
    base, extra = divmod(count, parts)
    return [base + 1] * extra + [base] * (parts - extra)


def _weight(costs: Costs, i: int, j: int) -> int:
    # few distinct integers: the blossom algorithm runs many times faster than on floats
    return 1 + 10 * (costs.recent_rounds - costs.repeat_steps(i, j)) + costs.shared_themes(i, j)


def _dense_edges(costs: Costs, nodes: list[int], *, across: bool) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, j in combinations(nodes, 2)
        if costs.allowed(i, j) and costs.same_organisation(i, j) != across
    ]


def _matching(costs: Costs, edges: list[tuple[int, int]]) -> dict[int, int]:
    graph: nx.Graph[int] = nx.Graph()
    graph.add_weighted_edges_from((i, j, _weight(costs, i, j)) for i, j in edges)
    found = nx.max_weight_matching(graph, maxcardinality=True)
    partner: dict[int, int] = {}
    for i, j in sorted(tuple(sorted(edge)) for edge in found):
        partner[i], partner[j] = j, i
    return partner


def _resolve_leftovers(
    costs: Costs, matched: dict[int, int], everyone: list[int], rng: random.Random
) -> dict[int, int]:
    """Blocks can leave members over that one matching of everyone would pair: match them
    again, with a sample of pairs from other blocks they could take apart."""
    left = [i for i in everyone if i not in matched]
    if len(left) <= costs.size % 2:
        return matched
    firsts = sorted(i for i, j in matched.items() if i < j)
    taken = rng.sample(firsts, min(len(firsts), max(BLOCK // 2 - len(left), len(left))))
    nodes = left + [k for i in taken for k in (i, matched[i])]
    again = _matching(costs, _dense_edges(costs, nodes, across=True))
    kept = {i: j for i, j in matched.items() if i not in nodes}
    return kept | again


def _groups_of(partner: dict[int, int]) -> list[list[int]]:
    return [[i, j] for i, j in sorted(partner.items()) if i < j]


def join_best(costs: Costs, groups: list[list[int]], i: int) -> bool:
    """Put i in the group that suits best (no avoid; then fewest colleagues, smallest, least
    cost); False when every group has someone i must not meet."""
    open_groups = [g for g in groups if g and all(costs.allowed(i, j) for j in g)]
    if not open_groups:
        return False
    best = min(
        open_groups, key=lambda g: (costs.member(i, g) // ORGANISATION, len(g), costs.member(i, g))
    )
    best.append(i)
    return True


def improve(
    costs: Costs, groups: list[list[int]], rng: random.Random, *, explore: bool = True
) -> None:
    """Swap members between groups while it lowers the cost: first the members of troubled
    groups (a colleague, a recent repeat, an avoid), then (`explore`) random swaps for shared
    themes, which pairs do not need: their matching weighed themes already."""
    where = {i: g for g, group in enumerate(groups) for i in group}
    everyone = sorted(where)
    rng.shuffle(everyone)
    for _ in range(PASSES):
        if not _repair(costs, groups, where, everyone, rng):
            break
    if explore and len(groups) > 1:
        for _ in range(RANDOM_SWAPS_PER_MEMBER * len(everyone)):
            i, j = rng.choice(everyone), rng.choice(everyone)
            if where[i] != where[j] and _swap_delta(costs, groups, where, i, j) < 0:
                _swap(groups, where, i, j)


def _repair(
    costs: Costs,
    groups: list[list[int]],
    where: dict[int, int],
    everyone: list[int],
    rng: random.Random,
) -> bool:
    """One pass: each troubled member takes the best of SWAP_TRIES swaps, if one helps."""
    counts = Counter(costs.organisation[i] for i in everyone)
    # more members than groups: some must share, and no swap can help that
    crowded = {o for o, count in counts.items() if o is not None and count > len(groups)}
    changed = False
    for i in everyone:
        if not _troubled(costs, i, groups[where[i]], crowded):
            continue
        tries = everyone if len(everyone) <= SWAP_TRIES else rng.sample(everyone, SWAP_TRIES)
        best, best_delta = None, 0
        for j in tries:
            if where[j] != where[i]:
                delta = _swap_delta(costs, groups, where, i, j)
                if delta < best_delta:
                    best, best_delta = j, delta
        if best is not None:
            _swap(groups, where, i, best)
            changed = True
    return changed


def _troubled(costs: Costs, i: int, group: list[int], crowded: set[str]) -> bool:
    if costs.organisation[i] in crowded:
        return any(costs.repeat_steps(i, j) or not costs.allowed(i, j) for j in group if j != i)
    return any(
        costs.repeat_steps(i, j) or costs.same_organisation(i, j) or not costs.allowed(i, j)
        for j in group
        if j != i
    )


def _swap_delta(
    costs: Costs, groups: list[list[int]], where: dict[int, int], i: int, j: int
) -> int:
    mine, theirs = groups[where[i]], groups[where[j]]
    before = costs.member(i, mine) + costs.member(j, theirs)
    after = sum(costs.pair(j, k) for k in mine if k != i) + sum(
        costs.pair(i, k) for k in theirs if k != j
    )
    return after - before


def _swap(groups: list[list[int]], where: dict[int, int], i: int, j: int) -> None:
    gi, gj = where[i], where[j]
    groups[gi][groups[gi].index(i)] = j
    groups[gj][groups[gj].index(j)] = i
    where[i], where[j] = gj, gi


def keep_avoids_apart(costs: Costs, groups: list[list[int]], out: list[int]) -> list[int]:
    """Move out anyone still in a group with someone they must not meet, and anyone left
    alone; then place everyone out (`out` too) in a group, or with each other, wherever no
    avoid stands in the way. Returns who is still out: each has an avoid in every group and
    with every other one still out."""
    out = list(out)
    while (clash := _first_clash(costs, groups)) is not None:
        group = groups[clash]
        counts = Counter({i: sum(not costs.allowed(i, j) for j in group) for i in group})
        mover = max(sorted(group), key=lambda i: counts[i])
        group.remove(mover)
        out.append(mover)
    for group in groups:
        if len(group) == 1:
            out.append(group.pop())
    groups[:] = [g for g in groups if g]
    changed = True
    while changed and out:
        changed = False
        for i in sorted(out):
            if join_best(costs, groups, i):
                out.remove(i)
                changed = True
        for i, j in combinations(sorted(out), 2):
            if i in out and j in out and costs.allowed(i, j):
                groups.append([i, j])
                out.remove(i)
                out.remove(j)
                changed = True
    return sorted(out)


def _first_clash(costs: Costs, groups: list[list[int]]) -> int | None:
    for g, group in enumerate(groups):
        if any(not costs.allowed(i, j) for i, j in combinations(group, 2)):
            return g
    return None
