"""Building a round: the candidates from the members' profiles, the history of earlier
rounds, the call to the pure matcher, and the stored Round. No I/O here."""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.circles.model import Circle, Group, Membership, Round
from bot.services.circle_rounds.people import Person
from dialogs.peer_matching import Candidate, MatchResult, PastGroup, Unseparated, match

# dialogs.peer_matching.match, or a stand-in with its signature
Matcher = Callable[..., MatchResult]
SMALLEST = {"pairs": 2, "trios": 2, "sets": 3}  # fewer ready members: no round


@dataclass(frozen=True)
class Planned:
    """A round ready to store, and what the coach must hear before the introductions."""

    round: Round
    unseparated: tuple[Unseparated, ...]
    unplaced: tuple[str, ...]


def ready(members: Sequence[Membership]) -> list[Membership]:
    """Joined and not sitting this round out."""
    return [m for m in members if m.status == "joined" and not m.skip_next]


def candidates(members: Sequence[Membership], people: Mapping[str, Person]) -> list[Candidate]:
    found = []
    for member in members:
        person = people.get(member.leader)
        if person is None:  # forgotten since they joined: nobody to introduce
            continue
        found.append(
            Candidate(member.leader, person.organisation_key, person.themes, person.avoids)
        )
    return found


def history(rounds: Sequence[Round]) -> list[PastGroup]:
    return [PastGroup(r.number, frozenset(g.members)) for r in rounds for g in r.groups]


def plan(
    circle: Circle,
    number: int,
    found: Sequence[Candidate],
    earlier: Sequence[Round],
    *,
    today: date,
    at: datetime,
    now: bool,
    matcher: Matcher = match,
) -> Planned:
    """Match (seeded by circle and round: the same inputs give the same groups) and lay the
    round out from `today` for `every_weeks` weeks."""
    result = matcher(found, history(earlier), circle.format, seed=circle.id, round_number=number)
    groups, alone = _groups(result, circle, number, earlier, [c.user for c in found])
    ends = today + timedelta(weeks=circle.every_weeks, days=-1)
    unseparated = tuple(sorted({u for pair in result.unseparated for u in pair.users}))
    round_ = Round(
        circle_id=circle.id,
        number=number,
        starts=today,
        ends=ends,
        status="running",
        groups=groups,
        started_at=at,
        now=now,
        unseparated=unseparated,
    )
    return Planned(round_, result.unseparated, (*result.unplaced, *alone))


def _groups(
    result: MatchResult,
    circle: Circle,
    number: int,
    earlier: Sequence[Round],
    wanted: Sequence[str],
) -> tuple[tuple[Group, ...], tuple[str, ...]]:
    """The matcher's groups as stored; a group of one is nobody's group, and a member the
    matcher left out (or placed twice) is put right here, never dropped silently: the coach
    is told of anyone not in a group."""
    facilitated: Counter[str] = Counter(
        g.facilitator for r in earlier for g in r.groups if g.facilitator
    )
    groups: list[Group] = []
    alone: list[str] = []
    seen: set[str] = set()
    for matched in result.groups:
        members = tuple(m for m in matched if m not in seen)
        seen.update(members)
        if len(members) < 2:  # noqa: PLR2004 - one person is not a group
            alone.extend(members)
            continue
        facilitator = (
            _facilitator(members, facilitated, number) if circle.format == "sets" else None
        )
        groups.append(Group(members, facilitator))
    unplaced = set(result.unplaced)
    alone += [c for c in wanted if c not in seen and c not in unplaced]
    return tuple(groups), tuple(alone)


def _facilitator(members: Sequence[str], facilitated: Counter[str], number: int) -> str:
    """Sets: the member who has facilitated least so far; ties rotate with the round."""
    turn = number % len(members)
    order = [*members[turn:], *members[:turn]]
    return min(order, key=lambda m: facilitated[m])


def closed(round_: Round) -> Round:
    return replace(round_, status="closed")


def members_of(round_: Round) -> list[str]:
    return [m for g in round_.groups for m in g.members]


def group_of(round_: Round, leader: str) -> tuple[int, Group] | None:
    for index, group in enumerate(round_.groups):
        if leader in group.members:
            return index, group
    return None
