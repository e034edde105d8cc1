"""Delivery keys: the one identity of each unprompted send, built and read back only here.

A key names the leader it is for, because the ledger is shared by every leader and the refs
inside a key need not be: commitment `c8` and nudge records are numbered per leader, so two
leaders who finish the same dialogue on the same day would otherwise share
`follow_up:c8@<due>` and the second would be taken as already sent (issue 11).

    nudge:<leader>:<schedule>@<due>        a scheduled nudge
    snooze:<leader>:<delivery>@<due>       a snoozed nudge coming back (ref: its nudge's key)
    follow_up:<leader>:<commitment>@<due>  "how did it go?" on a commitment's due day
    intro:<leader>:<circle>:<round>@<due>  a peer circle's introduction to one member
    check_in:<leader>:<circle>:<round>@<due>  "did your group meet?" near a round's end
    stay:<leader>:<circle>:<round>@<due>   "stay in the circle?" after three rounds unmet
    group:<leader>:<circle>:<round>:<group>@<due>  the group conversation (Slack), keyed by
                                           its first member

A quiet-hours hold keeps the key of the delivery it holds. `<leader>` is `UserKey.hashed`:
stable, 64 bits (two of a million leaders share one with a chance of about 3 in 100
million), and safe in a log line, where the raw platform id must never go. The ledger line
beside the key keeps the raw user key, so the file names the leader unambiguously.

Keys written before this (`<schedule>@<due>`, `snooze:<delivery>@<due>`,
`follow_up:<commitment>@<due>`) named no leader; read together with the leader their ledger
line or reminder was stored with, they parse to the same value as a key written today.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

from bot.domain import UserKey
from bot.schedules.model import NudgeSchedule, Reminder

Kind = Literal["nudge", "snooze", "follow_up", "intro", "check_in", "stay", "group"]
CIRCLE_KINDS: tuple[Kind, ...] = ("intro", "check_in", "stay", "group")
_DUE = "%Y-%m-%dT%H:%MZ"
_DUE_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$")
_CURRENT = re.compile(
    r"^(?P<kind>nudge|snooze|follow_up|intro|check_in|stay|group):(?P<leader>[0-9a-f]{16}):(?P<ref>.+)$"
)
_LEGACY_REMINDER = re.compile(r"^(?P<kind>snooze|follow_up):(?P<ref>.+)$")


class NotADeliveryKey(ValueError):
    """Text that is not a delivery key of this leader (a bug or a tampered file, not a user's
    doing: keys are never typed)."""


@dataclass(frozen=True)
class DeliveryKey:
    """Who a delivery is for, what kind it is, what it refers to, and when it is due."""

    leader: UserKey
    kind: Kind
    # schedule id (nudge), the snoozed nudge's key (snooze), commitment id (follow_up),
    # "<circle>:<round>" (intro, check_in, stay), "<circle>:<round>:<group>" (group)
    ref: str
    due_at: datetime

    def __str__(self) -> str:
        due = self.due_at.astimezone(UTC)
        return f"{self.kind}:{self.leader.hashed}:{self.ref}@{due:{_DUE}}"

    @property
    def is_reminder(self) -> bool:
        """A one-shot (snooze, follow-up): always worth sending late, unlike a nudge."""
        return self.kind != "nudge"

    @classmethod
    def for_nudge(cls, schedule: NudgeSchedule, due_at: datetime) -> "DeliveryKey":
        return cls(UserKey.parse(schedule.user), "nudge", schedule.id, due_at)

    @classmethod
    def for_circle(
        cls, leader: UserKey, kind: Kind, circle: str, number: int, due_at: datetime
    ) -> "DeliveryKey":
        """A peer circle's delivery to one member for one round."""
        return cls(leader, kind, f"{circle}:{number}", due_at)

    @property
    def circle_round(self) -> tuple[str, int] | None:
        """(circle id, round number) of a circle's delivery; None for any other kind."""
        if self.kind not in CIRCLE_KINDS:
            return None
        circle, _, rest = self.ref.partition(":")
        number = rest.partition(":")[0]
        return (circle, int(number)) if circle and number.isdigit() else None

    @classmethod
    def for_reminder(cls, reminder: Reminder) -> "DeliveryKey":
        """A snooze's or follow-up's own key; a quiet-hours hold's is the key it holds."""
        leader = UserKey.parse(reminder.user)
        if reminder.kind == "deferred":
            return cls.parse(reminder.ref, leader)
        return cls(leader, reminder.kind, reminder.ref, reminder.due_at)

    @classmethod
    def parse(cls, text: str, leader: UserKey) -> "DeliveryKey":
        """Read a key back (after a crash, when quiet hours end), in today's form or the old
        one; NotADeliveryKey if it is neither, or names another leader."""
        head, _, due_text = text.rpartition("@")
        if not (head and _DUE_TEXT.match(due_text)):
            raise NotADeliveryKey(f"{text!r} is not a delivery key: it has no due time")
        try:
            due_at = datetime.fromisoformat(due_text)  # strptime made a parse 4 times slower
        except ValueError:
            raise NotADeliveryKey(f"{text!r} is not a delivery key: bad due time") from None
        if current := _CURRENT.match(head):
            if current["leader"] != leader.hashed:
                raise NotADeliveryKey(f"{text!r} is a delivery key of another leader")
            return cls(leader, cast(Kind, current["kind"]), current["ref"], due_at)
        if legacy := _LEGACY_REMINDER.match(head):
            return cls(leader, cast(Kind, legacy["kind"]), legacy["ref"], due_at)
        if ":" in head:
            raise NotADeliveryKey(f"{text!r} is not a delivery key: unknown kind")
        return cls(leader, "nudge", head, due_at)  # the old form of a nudge: `<schedule>@<due>`


def is_current(text: str) -> bool:
    """Written in today's form (names its leader), not the form of releases before it."""
    return _CURRENT.match(text.rpartition("@")[0]) is not None


def current_form(text: str, leader: UserKey) -> str:
    """The key as it is written today; text that is no delivery key is left as it is."""
    try:
        return str(DeliveryKey.parse(text, leader))
    except NotADeliveryKey:
        return text


# One-shot reminders are stored in the shared schedules file, so their ids name the leader
# too: the full user key goes into the hash (a commitment id `c<n>` or a delivery key ends
# the text, so no two leaders' texts can be the same). The formulas are those of earlier
# releases, so a follow-up planned again replaces the reminder an older release stored.


def follow_up_reminder(leader: UserKey, commitment: str, due_at: datetime) -> Reminder:
    return Reminder(
        f"f-{_short(str(leader) + commitment)}", str(leader), "follow_up", due_at, commitment
    )


def snooze_reminder(leader: UserKey, delivery: str, until: datetime) -> Reminder:
    return Reminder(f"z-{_short(str(leader) + delivery)}", str(leader), "snooze", until, delivery)


def held_reminder(leader: UserKey, key: str, until: datetime, schedule: str | None) -> Reminder:
    """Quiet hours hold a delivery until they end, under the same key (which names the
    leader)."""
    return Reminder(f"q-{_short(key)}", str(leader), "deferred", until, key, schedule=schedule)


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
