"""Conversation state, events in and messages out: plain frozen data, no behaviour.

Everything here is stored per leader (state) or crosses the channel boundary (events,
messages), so it stays serialisable: strings, numbers, tz-aware datetimes, dates, tuples.
"""

from dataclasses import dataclass
from datetime import date, datetime

# Stored state lives in dialogs/state.py; its names stay importable from here, where
# most callers import them.
from dialogs.state import (
    Aside,
    Awaiting,
    Choice,
    Commitment,
    CommitmentStatus,
    DialogueProgress,
    DialogueRecord,
    FollowUpAside,
    ForgetAside,
    MenuAside,
    NudgeAside,
    NudgeRecord,
    NudgeResponse,
    OnboardingAside,
    PeerCommitAside,
    Profile,
    ReflectAside,
    Reflection,
    SafetyAside,
    ServiceAside,
    SuggestAside,
    UserState,
)

__all__ = [
    "DEFAULT_WEEK",
    "MON_TO_FRI",
    "AppInstalled",
    "Aside",
    "Ask",
    "Awaiting",
    "Choice",
    "ChoiceMade",
    "CommandGiven",
    "Commitment",
    "CommitmentStatus",
    "DeliveryHeld",
    "DeliveryWithheld",
    "DialogueProgress",
    "DialogueRecord",
    "Effect",
    "Event",
    "ExportRequested",
    "FollowUpAside",
    "FollowUpDue",
    "FollowUpPlanned",
    "ForgetAside",
    "ForgetConfirmed",
    "MenuAside",
    "Message",
    "NudgeAside",
    "NudgeDue",
    "NudgeRecord",
    "NudgeResponse",
    "NudgeTimeChosen",
    "OnboardingAside",
    "PeerCommitAside",
    "PeerCommitAsked",
    "PreferencesChanged",
    "Profile",
    "Prompt",
    "ReflectAside",
    "Reflection",
    "ReflectionShared",
    "SafetyAside",
    "Say",
    "ServiceAnswered",
    "ServiceAside",
    "ServiceNotice",
    "ServiceQuestion",
    "SessionOpened",
    "SnoozeEnded",
    "SnoozeRequested",
    "SuggestAside",
    "Turn",
    "UserState",
    "UserText",
    "WorkingWeek",
]


# ---------------------------------------------------------------- what services know

MON_TO_FRI = frozenset(range(5))


@dataclass(frozen=True)
class WorkingWeek:
    """The days and time a leader is nudged, from their schedules, which the services keep
    and the stored state does not: check-ins land on those days at that time. With no
    schedule, Monday to Friday and no time (the leader's nudge time, else the morning)."""

    days: frozenset[int] = MON_TO_FRI  # 0 = Monday
    nudge_time: str | None = None  # "HH:MM" local: the earliest of their schedules


DEFAULT_WEEK = WorkingWeek()

# ---------------------------------------------------------------- events in


@dataclass(frozen=True)
class UserText:
    text: str
    at: datetime


@dataclass(frozen=True)
class ChoiceMade:
    """A button was pressed; `token` names the question it belonged to."""

    token: str
    choice: str
    at: datetime


@dataclass(frozen=True)
class CommandGiven:
    """A command from a slash command, a menu or an App Home button, already parsed."""

    text: str
    at: datetime


@dataclass(frozen=True)
class SessionOpened:
    """The leader opened the console (or the app) again: offer to pick up where they were."""

    at: datetime


@dataclass(frozen=True)
class AppInstalled:
    """The leader added the app (Teams install): welcome them, once, as a first message would."""

    at: datetime


@dataclass(frozen=True)
class NudgeDue:
    delivery: str
    themes: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class SnoozeEnded:
    """A snoozed nudge is due again: offer the same nudge once more."""

    delivery: str
    at: datetime


@dataclass(frozen=True)
class FollowUpDue:
    commitment: str
    at: datetime


@dataclass(frozen=True)
class ServiceQuestion:
    """Another service asks the leader something (a coach's request, a preview to confirm)."""

    text: str
    choices: tuple[Choice, ...]
    token: str  # starts with "svc:"; the service recognises its answer by it
    at: datetime
    topic: str = ""


@dataclass(frozen=True)
class ServiceNotice:
    """Another service tells the leader something (their coach changed a schedule)."""

    text: str
    at: datetime


@dataclass(frozen=True)
class PeerCommitAsked:
    """A leader's peer-circle group met: ask what they will try, as a commitment."""

    ref: str  # "<circle>:<round>"
    question: str
    placeholder: str
    saved: str  # the closing line, with {day}
    at: datetime


Event = (
    UserText
    | ChoiceMade
    | CommandGiven
    | SessionOpened
    | AppInstalled
    | NudgeDue
    | SnoozeEnded
    | FollowUpDue
    | ServiceQuestion
    | ServiceNotice
    | PeerCommitAsked
)

# ---------------------------------------------------------------- messages out
# Text uses a small markup every channel renders: **bold**, "• " bullets, blank lines.


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Ask:
    """A question with buttons; `token` makes each set of buttons usable once."""

    text: str
    choices: tuple[Choice, ...]
    token: str
    topic: str = ""  # what is being asked: "<dialogue id>#<step>", "onboarding#themes", ...


@dataclass(frozen=True)
class Prompt:
    """A question answered in the leader's own words."""

    text: str
    placeholder: str | None = None


Message = Say | Ask | Prompt

# ---------------------------------------------------------------- effects for services


@dataclass(frozen=True)
class ExportRequested:
    pass


@dataclass(frozen=True)
class ForgetConfirmed:
    pass


@dataclass(frozen=True)
class SnoozeRequested:
    delivery: str
    until: datetime


@dataclass(frozen=True)
class PreferencesChanged:
    """Timezone, nudge time, themes, pause or quiet hours changed: schedules must follow."""


@dataclass(frozen=True)
class FollowUpPlanned:
    """A commitment's "how did it go?" is due on this local date, at `nudge_time` ("HH:MM"
    local; None: the leader's own nudge time, else the morning)."""

    commitment: str
    due_on: date
    nudge_time: str | None = None


@dataclass(frozen=True)
class NudgeTimeChosen:
    """Set-up chose a nudge time and themes: the leader's first schedule."""

    at: str  # "HH:MM" local
    themes: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryWithheld:
    """A due nudge is not sent, and why (the leader paused nudges)."""

    reason: str


@dataclass(frozen=True)
class DeliveryHeld:
    """A due message waits until the leader's quiet hours end."""

    until: datetime


@dataclass(frozen=True)
class ServiceAnswered:
    """The leader answered a ServiceQuestion: the asking service acts on it."""

    token: str
    choice: str


@dataclass(frozen=True)
class ReflectionShared:
    """The leader shared (or stopped sharing) one reflection with their coaches."""

    reflection: str
    shared: bool


Effect = (
    ExportRequested
    | ForgetConfirmed
    | SnoozeRequested
    | PreferencesChanged
    | FollowUpPlanned
    | NudgeTimeChosen
    | DeliveryWithheld
    | DeliveryHeld
    | ServiceAnswered
    | ReflectionShared
)


@dataclass(frozen=True)
class Turn:
    state: UserState
    messages: tuple[Message, ...] = ()
    effects: tuple[Effect, ...] = ()
