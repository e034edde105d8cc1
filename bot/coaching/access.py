"""Who may do what: one place for every coach and admin permission."""

from dataclasses import dataclass
from enum import Enum

from bot.coaching.store import CoachingStore


class Action(Enum):
    GRANT_COACH = "make someone a coach"
    REVOKE_COACH = "remove someone's coach role"
    LIST_COACHES = "list coaches"
    ASK_TO_COACH = "ask to coach someone"
    LIST_LEADERS = "list your leaders"
    PLAN = "set leaders' schedules"
    SCHEDULE = "set a leader's schedules"
    SEE_SCHEDULES = "see a leader's schedules"
    SEE_REPORT = "see engagement"


ADMIN_ONLY = {Action.GRANT_COACH, Action.REVOKE_COACH, Action.LIST_COACHES}
COACH_ONLY = {Action.ASK_TO_COACH, Action.LIST_LEADERS, Action.SEE_REPORT, Action.PLAN}
# Every other action (SCHEDULE, SEE_SCHEDULES) is about one leader: it needs their accepted link.


@dataclass(frozen=True)
class Denied:
    """One clear sentence for whoever was refused."""

    reason: str


def check(
    store: CoachingStore,
    admins: frozenset[str],
    actor: str,
    action: Action,
    leader: str | None = None,
) -> Denied | None:
    """None when allowed. Admins administer roles but are not coaches by being admins, and
    nobody but the leader ever reads a reflection they did not share."""
    if action in ADMIN_ONLY:
        return None if actor in admins else Denied(f"Only an administrator can {action.value}.")
    if not store.is_coach(actor):
        return Denied(f"Only coaches can {action.value}; an administrator can make you one.")
    if action in COACH_ONLY:
        return None
    if leader is None or leader == actor:
        return Denied("Name one of your leaders.")
    link = store.link(actor, leader)
    name = store.name_of(leader)
    if link is None or link.status not in ("pending", "accepted"):
        return Denied(f"{name} is not one of your leaders.")
    if link.status == "pending":
        return Denied(f"{name} has not accepted you as their coach yet.")
    return None
