"""What the circle commands show: a circle's cadence and format in words, `circle show`,
the coach's and the leader's `circles`, and a leader's part of `export`. Reads only."""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from bot.circles.cadence import first_start
from bot.circles.model import Circle, Membership
from bot.circles.store import CircleStore
from dialogs.circle_spec import day_name
from dialogs.content_circles import CircleCopy
from dialogs.model import UserState
from dialogs.timetext import short_date
from dialogs.timezones import zone

type NextRound = Callable[[Circle], date | None]
type NameOf = Callable[[str], str]


def local_today(state: UserState, at: datetime) -> date:
    """The reader's own date, for "next round" and the dates they may choose."""
    return at.astimezone(zone(state.profile.timezone)).date()


def cadence(copy: CircleCopy, circle: Circle) -> str:
    day = day_name(first_start(circle).weekday())
    if circle.every_weeks == 1:
        return copy.get("cadence_weekly", day=day)
    return copy.get("cadence_weeks", weeks=str(circle.every_weeks), day=day)


def format_of(copy: CircleCopy, circle: Circle) -> str:
    return copy.get(f"format_{circle.format}")


def when(copy: CircleCopy, day: date | None, today: date) -> str:
    return short_date(day, today) if day is not None else copy.get("no_next")


def show(
    copy: CircleCopy,
    store: CircleStore,
    circle: Circle,
    *,
    name_of: NameOf,
    organisations: Mapping[str, str | None],
    next_on: date | None,
    today: date,
) -> str:
    """`circle show`: members with their organisation, invitations not answered, next round."""
    lines = [
        copy.get(
            "show_title",
            name=circle.name,
            id=circle.id,
            format=format_of(copy, circle),
            cadence=cadence(copy, circle),
            status=copy.get(f"status_{circle.status}"),
        )
    ]
    members = store.members(circle.id)
    if members:
        lines.append(copy.get("show_members", count=str(len(members))))
    else:
        lines.append(copy.get("show_no_members"))
    for member in sorted(members, key=lambda m: name_of(m.leader).lower()):
        organisation = organisations.get(member.leader)
        if organisation:
            line = copy.get(
                "show_member", leader=name_of(member.leader), organisation=organisation
            )
        else:
            line = copy.get("show_member_no_org", leader=name_of(member.leader))
        lines.append(line)
    waiting = store.members(circle.id, "invited")
    if waiting:
        lines.append(copy.get("show_waiting", names=_names(waiting, name_of)))
    if next_on is not None:
        lines.append(copy.get("show_next", date=short_date(next_on, today)))
    else:
        lines.append(copy.get("show_no_next"))
    return "\n".join(lines)


def coach_list(
    copy: CircleCopy, store: CircleStore, coach: str, next_on: NextRound, today: date
) -> str | None:
    circles = store.circles_of_coach(coach)
    if not circles:
        return None
    lines = [copy.get("coach_list_title")]
    for circle in circles:
        lines.append(
            copy.get(
                "coach_list_item",
                name=circle.name,
                id=circle.id,
                format=format_of(copy, circle),
                cadence=cadence(copy, circle),
                status=copy.get(f"status_{circle.status}"),
                members=str(len(store.members(circle.id))),
                next=when(copy, next_on(circle), today),
            )
        )
    return "\n".join(lines)


def leader_list(
    copy: CircleCopy,
    store: CircleStore,
    leader: str,
    *,
    name_of: NameOf,
    next_on: NextRound,
    today: date,
) -> str | None:
    joined = _live(store, store.memberships_of(leader))
    invited = _live(store, store.memberships_of(leader, "invited"))
    if not joined and not invited:
        return None
    lines = [copy.get("leader_list_title")]
    for member in joined:
        circle = store.circle(member.circle_id)
        assert circle is not None
        line = copy.get(
            "leader_list_item",
            name=circle.name,
            id=circle.id,
            coach=name_of(circle.coach),
            next=when(copy, next_on(circle), today),
        )
        lines.append(line + (" " + copy.get("leader_list_skip") if member.skip_next else ""))
    for member in invited:
        circle = store.circle(member.circle_id)
        assert circle is not None
        lines.append(
            copy.get(
                "leader_list_invited", name=circle.name, id=circle.id, coach=name_of(circle.coach)
            )
        )
    return "\n".join(lines)


def export_of(store: CircleStore, user: str, name_of: NameOf) -> dict[str, Any]:
    """A leader's memberships (circle, coach, status) and check-ins; a coach's circles."""
    memberships = []
    check_ins = []
    for member in store.memberships_of(user, "invited", "joined", "declined", "left"):
        circle = store.circle(member.circle_id)
        memberships.append(
            {
                "circle": circle.name if circle else member.circle_id,
                "coach": name_of(circle.coach) if circle else None,
                "status": member.status,
                "invited_at": member.invited_at.isoformat(),
                "answered_at": member.answered_at.isoformat() if member.answered_at else None,
                "skip_next": member.skip_next,
            }
        )
    for check_in in store.check_ins_of(user):
        circle = store.circle(check_in.circle_id)
        check_ins.append(
            {
                "circle": circle.name if circle else check_in.circle_id,
                "round": check_in.round_number,
                "answer": check_in.answer,
                "at": check_in.at.isoformat(),
            }
        )
    runs = [
        {"circle": c.name, "id": c.id, "status": c.status, "format": c.format}
        for c in store.circles_of_coach(user)
    ]
    return {"circle_memberships": memberships, "circle_check_ins": check_ins, "circles_run": runs}


def _live(store: CircleStore, members: list[Membership]) -> list[Membership]:
    found = []
    for member in members:
        circle = store.circle(member.circle_id)
        if circle is not None and circle.status != "ended":
            found.append(member)
    return found


def _names(members: list[Membership], name_of: NameOf) -> str:
    return ", ".join(sorted((name_of(m.leader) for m in members), key=str.lower))
