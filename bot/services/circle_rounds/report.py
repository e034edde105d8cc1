"""`circle report`: members, rounds run, and per round the share of groups that met, shown
only once at least five members answered (so nobody's answer can be picked out). Never an
`about` line, a commitment, a reflection, or who avoids whom."""

from collections.abc import Callable, Sequence
from datetime import date

from bot.circles.model import CheckIn, Circle, Membership, Round
from bot.services.circle_rounds.starting import members_of
from dialogs.content_circle_rounds import RoundCopy
from dialogs.timetext import short_date

AT_LEAST = 5  # answers before a round's share is shown


def report_text(
    copy: RoundCopy,
    circle: Circle,
    *,
    members: Sequence[Membership],
    rounds: Sequence[Round],
    check_ins: Callable[[int], Sequence[CheckIn]],
    name_of: Callable[[str], str],
    next_on: date | None,
) -> str:
    fmt = copy.text(f"report_format_{circle.format}")  # the circle's, so plural
    lines = [copy.text("report_heading", circle=circle.name, format=fmt, every=circle.every_weeks)]
    if members:
        names = ", ".join(sorted(name_of(m.leader) for m in members))
        lines.append(copy.text("report_members", count=len(members), names=names))
    else:
        lines.append(copy.text("report_no_members"))
    lines.append(copy.text("report_rounds", count=len(rounds)))
    lines += [_round_line(copy, r, check_ins(r.number)) for r in rounds]
    if next_on is not None:
        lines.append(copy.text("report_next", day=short_date(next_on)))
    return "\n".join(lines)


def _round_line(copy: RoundCopy, round_: Round, answers: Sequence[CheckIn]) -> str:
    members = set(members_of(round_))
    answered = [a for a in answers if a.leader in members]
    starts, ends = short_date(round_.starts), short_date(round_.ends)
    groups = len(round_.groups)
    if len(answered) < AT_LEAST:
        return copy.text(
            "report_round_hidden",
            number=round_.number,
            starts=starts,
            ends=ends,
            answered=len(answered),
            least=AT_LEAST,
        )
    said_met = {a.leader for a in answered if a.answer == "met"}
    met = sum(1 for g in round_.groups if said_met & set(g.members))
    return copy.text(
        "report_round",
        number=round_.number,
        starts=starts,
        ends=ends,
        groups=groups,
        met=met,
        answered=len(answered),
    )
