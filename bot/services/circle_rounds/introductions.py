"""What an introduction says: the others in the group (name, organisation, `about` line),
the round's dates, how to reach them on the member's channel, and the format's guide.
Pure text from the round and what is known of the members; the copy is content's."""

from collections.abc import Mapping, Sequence
from urllib.parse import quote

from bot.circles.model import Circle, Group, Round
from bot.domain import UserKey
from bot.services.circle_rounds.people import Person
from dialogs.content_circle_rounds import RoundCopy
from dialogs.timetext import short_date

TEAMS_CHAT = "https://teams.microsoft.com/l/chat/0/0?users="


def introduction(
    copy: RoundCopy,
    circle: Circle,
    round_: Round,
    group: Group,
    *,
    leader: str,
    people: Mapping[str, Person],
    reach: str,
) -> str:
    """One member's introduction; `reach` is the line on how to meet (channel's own)."""
    fmt = copy.text(f"format_{circle.format}")
    lines = [
        copy.text("intro_heading", circle=circle.name, format=fmt),
        _dates(copy, round_),
        "",
        *_members(copy, [m for m in group.members if m != leader], people),
    ]
    if group.facilitator:
        lines.append(_facilitator(copy, group.facilitator, leader, people))
    lines += ["", reach, "", *_guide(copy, circle)]
    return "\n".join(lines)


def group_message(
    copy: RoundCopy, circle: Circle, round_: Round, group: Group, people: Mapping[str, Person]
) -> str:
    """What the group conversation (Slack) opens with: everyone, the dates, the guide."""
    fmt = copy.text(f"format_{circle.format}")
    starts, ends = short_date(round_.starts), short_date(round_.ends)
    lines = [
        copy.text("group_heading", circle=circle.name, format=fmt, starts=starts, ends=ends),
        "",
        *_members(copy, list(group.members), people),
    ]
    if group.facilitator:
        lines.append(_facilitator(copy, group.facilitator, "", people))
    return "\n".join([*lines, "", *_guide(copy, circle)])


def teams_link(others: Sequence[str], sign_ins: Mapping[str, str]) -> str | None:
    """A Teams "start a chat" deep link with the others, when every one of them has a
    sign-in name we know (from the roster); otherwise None, and the names must do."""
    names = [sign_ins.get(other) for other in others]
    if not names or any(n is None for n in names):
        return None
    return TEAMS_CHAT + ",".join(quote(str(n), safe="@.") for n in names)


def same_slack_workspace(members: Sequence[str]) -> bool:
    """A Slack group conversation needs every member in one workspace."""
    keys = [UserKey.parse(m) for m in members]
    return all(k.channel == "slack" for k in keys) and len({k.tenant for k in keys}) == 1


def _dates(copy: RoundCopy, round_: Round) -> str:
    return copy.text("intro_dates", starts=short_date(round_.starts), ends=short_date(round_.ends))


def _members(copy: RoundCopy, members: Sequence[str], people: Mapping[str, Person]) -> list[str]:
    lines: list[str] = []
    for member in members:
        person = people.get(member)
        name = person.name if person else member.rsplit(":", 1)[-1]
        if person is not None and person.organisation:
            lines.append(copy.text("intro_member", name=name, organisation=person.organisation))
        else:
            lines.append(copy.text("intro_member_no_organisation", name=name))
        if person is not None and person.about:
            lines.append(copy.text("intro_member_about", about=person.about))
    return lines


def _facilitator(
    copy: RoundCopy, facilitator: str, leader: str, people: Mapping[str, Person]
) -> str:
    if facilitator == leader:
        return copy.text("intro_facilitator_you")
    person = people.get(facilitator)
    return copy.text("intro_facilitator", name=person.name if person else facilitator)


def _guide(copy: RoundCopy, circle: Circle) -> list[str]:
    return [copy.text("intro_guide_heading"), *(f"• {line}" for line in copy.guide(circle.format))]
