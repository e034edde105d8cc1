"""Peer matching by example: the cases a coach would ask about, one by one."""

import subprocess
import sys
from itertools import combinations
from pathlib import Path
from typing import Literal

import pytest

from dialogs.peer_matching import Candidate, MatchResult, PastGroup, match
from dialogs.peer_search import group_sizes

ROOT = Path(__file__).resolve().parents[2]


def people(count: int, organisation: str | None = None) -> list[Candidate]:
    return [Candidate(f"L{n:02d}", organisation) for n in range(count)]


def sizes(result: MatchResult) -> list[int]:
    return sorted((len(g) for g in result.groups), reverse=True)


def pairs_in(result: MatchResult) -> set[frozenset[str]]:
    return {frozenset(p) for group in result.groups for p in combinations(group, 2)}


@pytest.mark.parametrize(
    ("fmt", "count", "expected"),
    [
        ("pairs", 2, [2]),
        ("pairs", 7, [3, 2, 2]),  # one trio, nobody left out
        ("trios", 4, [4]),
        ("trios", 5, [3, 2]),
        ("trios", 7, [4, 3]),
        ("trios", 8, [4, 4]),  # two fours rather than a pair without an observer
        ("sets", 3, [3]),  # fewer than 4: one group of all
        ("sets", 7, [4, 3]),  # 7 will not split within 4-6; too big as one
        ("sets", 13, [5, 4, 4]),
        ("sets", 25, [5, 5, 5, 5, 5]),
    ],
)
def test_sizes(fmt: str, count: int, expected: list[int]) -> None:
    assert group_sizes(count, fmt) == expected
    result = match(people(count), [], fmt, seed="c1", round_number=1)  # type: ignore[arg-type]
    assert sizes(result) == expected
    assert result.unplaced == ()


def test_one_member_alone_is_unplaced_with_a_reason() -> None:
    result = match(people(1), [], "pairs", seed="c1", round_number=1)
    assert result.groups == ()
    assert result.unplaced == ("L00",)
    assert result.why_unplaced == (
        "They are the only member in this round, so there is nobody to meet.",
    )


def test_colleagues_are_kept_apart_when_the_numbers_allow() -> None:
    candidates = [
        Candidate(f"L{n}", organisation)
        for n, organisation in enumerate(["leeds"] * 3 + ["york"] * 3 + ["hull"] * 2 + [None])
    ]
    formats: tuple[Literal["pairs", "trios"], ...] = ("pairs", "trios")
    for fmt in formats:  # 4 pairs and a trio; 3 trios: room for 3 from each
        result = match(candidates, [], fmt, seed="c1", round_number=1)
        assert result.unseparated == ()


def test_when_one_organisation_has_most_members_the_coach_is_told_who_and_why() -> None:
    leeds = [
        Candidate(
            f"L{n}", "leeds teaching hospitals", organisation_name="Leeds Teaching Hospitals"
        )
        for n in range(5)
    ]
    others = [Candidate("Y1", "york"), Candidate("H1", "hull"), Candidate("B1", "bradford")]
    result = match(leeds + others, [], "pairs", seed="c1", round_number=1)
    assert sizes(result) == [2, 2, 2, 2]
    (unseparated,) = result.unseparated  # 5 of 8 in 4 pairs: one pair must share
    assert set(unseparated.users) <= {c.user for c in leeds}
    assert unseparated.reason == (
        "Leeds Teaching Hospitals has 5 of the 8 members and there are only 4 pairs, "
        "so some share one."
    )
    assert (unseparated.organisation_members, unseparated.groups) == (5, 4)


@pytest.mark.parametrize("fmt", ["pairs", "trios", "sets"])
def test_avoid_lists_hold_in_either_direction(fmt: str) -> None:
    candidates = [*people(9)]
    candidates[0] = Candidate("L00", None, avoids=frozenset({"L01", "L02"}))
    candidates[3] = Candidate("L03", None, avoids=frozenset({"L00"}))
    for number in range(1, 30):
        result = match(candidates, [], fmt, seed="c1", round_number=number)  # type: ignore[arg-type]
        met = pairs_in(result)
        assert not met & {frozenset(p) for p in (("L00", "L01"), ("L00", "L02"), ("L00", "L03"))}
        assert result.unplaced == ()


def test_someone_who_avoids_everyone_is_unplaced_and_the_rest_still_meet() -> None:
    loner = Candidate("L00", None, avoids=frozenset(f"L{n:02d}" for n in range(1, 5)))
    result = match([loner, *people(5)[1:]], [], "pairs", seed="c1", round_number=1)
    assert result.unplaced == ("L00",)
    assert result.why_unplaced == (
        "No group in this round could take them under the circle's rules.",
    )
    assert sizes(result) == [2, 2]


def test_no_repeat_within_three_rounds_when_the_circle_allows_it() -> None:
    candidates, history = people(8), list[PastGroup]()
    for number in range(1, 9):
        result = match(candidates, history, "pairs", seed="c1", round_number=number)
        recent = {p.members for p in history if p.round_number >= number - 3}
        assert not {frozenset(g) for g in result.groups} & recent
        history += [PastGroup(number, frozenset(g)) for g in result.groups]


def test_a_repeat_is_a_fading_penalty_not_a_ban() -> None:
    two = people(2)
    last_round = [PastGroup(1, frozenset({"L00", "L01"}))]
    assert match(two, last_round, "pairs", seed="c1", round_number=2).groups == (("L00", "L01"),)
    # four members who have met every way: the pairing met longest ago comes back first
    history = [
        PastGroup(1, frozenset({"L00", "L01"})),
        PastGroup(1, frozenset({"L02", "L03"})),
        PastGroup(2, frozenset({"L00", "L02"})),
        PastGroup(2, frozenset({"L01", "L03"})),
        PastGroup(3, frozenset({"L00", "L03"})),
        PastGroup(3, frozenset({"L01", "L02"})),
    ]
    result = match(people(4), history, "pairs", seed="c1", round_number=4)
    assert result.groups == (("L00", "L01"), ("L02", "L03"))


def test_shared_themes_break_the_tie() -> None:
    candidates = [
        Candidate("A", None, frozenset({"finance"})),
        Candidate("B", None, frozenset({"conflict"})),
        Candidate("C", None, frozenset({"finance"})),
        Candidate("D", None, frozenset({"conflict"})),
    ]
    for number in range(1, 6):
        result = match(candidates, [], "pairs", seed="c1", round_number=number)
        assert result.groups == (("A", "C"), ("B", "D"))


def test_the_facilitator_of_a_set_rotates_by_round() -> None:
    candidates, history, facilitators = people(4), list[PastGroup](), list[str | None]()
    for number in range(1, 5):
        result = match(candidates, history, "sets", seed="c1", round_number=number)
        (group,) = result.groups
        (facilitator,) = result.facilitators
        facilitators.append(facilitator)
        history.append(PastGroup(number, frozenset(group), facilitator))
    assert sorted(f or "" for f in facilitators) == ["L00", "L01", "L02", "L03"]  # each once
    pairs_result = match(candidates, [], "pairs", seed="c1", round_number=1)
    assert pairs_result.facilitators == (None, None)


def test_same_seed_same_groups_other_round_other_groups() -> None:
    candidates = people(20)
    first = match(candidates, [], "pairs", seed="c1", round_number=1)
    assert match(list(reversed(candidates)), [], "pairs", seed="c1", round_number=1) == first
    assert match(candidates, [], "pairs", seed="c1", round_number=2) != first


def test_unknown_format_is_refused_plainly() -> None:
    with pytest.raises(ValueError, match="use pairs, trios or sets"):
        match(people(4), [], "quads", seed="c1", round_number=1)  # type: ignore[arg-type]


SCRIPT = """
from dialogs.peer_matching import Candidate, match
people = [Candidate(f"L{n}", f"org{n % 4}", frozenset({f"t{n % 3}"})) for n in range(40)]
for fmt in ("pairs", "trios", "sets"):
    print(match(people, [], fmt, seed="c1", round_number=3))
"""


def test_the_result_does_not_depend_on_the_interpreter_hash_seed() -> None:
    outputs = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize("fmt", ["trios", "sets"])
def test_shared_themes_bring_groups_together_in_trios_and_sets(fmt: str) -> None:
    size = 3 if fmt == "trios" else 4
    candidates = [
        Candidate(f"L{n:02d}", None, frozenset({"finance" if n % 2 else "conflict"}))
        for n in range(2 * size)
    ]
    result = match(candidates, [], fmt, seed="c1", round_number=1)  # type: ignore[arg-type]
    themes = {c.user: c.themes for c in candidates}
    assert all(len({themes[u] for u in group}) == 1 for group in result.groups)
