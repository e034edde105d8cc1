"""What is stored per leader: profile, reflections, commitments, records, the dialogue in
progress and the aside on top of it. Plain frozen data that stays serialisable; split
from model.py by job (model.py still exports every name here)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal


@dataclass(frozen=True)
class Profile:
    """Who the leader is and how they want to be coached."""

    display_name: str = ""
    timezone: str = "Europe/London"
    # "machine": the console's computer zone, a guess like "default" (review 12h: UTC)
    timezone_source: Literal["default", "machine", "platform", "leader"] = "default"
    locale: str | None = None
    themes: tuple[str, ...] = ()
    nudge_time: str | None = None  # "HH:MM" local, None = no nudges wanted
    welcomed_at: datetime | None = None  # the privacy notice was shown then
    onboarded: bool = False
    paused: bool = False
    paused_until: date | None = None
    quiet_hours: tuple[str, str] | None = None  # ("22:00", "07:00") local
    signposted_on: date | None = None  # local date of the last safety signpost or check-in
    organisation: str | None = None  # as shown: the listed name, or the leader's own words
    organisation_key: str | None = None  # normalised, for comparing organisations
    about: str | None = None  # one line for peers: what the leader is working on
    avoid: tuple[str, ...] = ()  # user keys of leaders never to be matched with (private)


@dataclass(frozen=True)
class Reflection:
    id: str
    at: datetime
    text: str
    theme: str | None = None
    dialogue: str | None = None
    step: str | None = None
    nudge: str | None = None
    shared: bool = False


CommitmentStatus = Literal["open", "kept", "partly", "not_yet", "dropped"]


@dataclass(frozen=True)
class Commitment:
    id: str
    at: datetime
    text: str
    due_on: date
    dialogue: str | None = None
    theme: str | None = None
    status: CommitmentStatus = "open"
    followed_up_at: datetime | None = None


NudgeResponse = Literal["reflected", "dialogue", "snoozed", "not_for_me", "paused"]


@dataclass(frozen=True)
class NudgeRecord:
    """One nudge sent: which, when, and what the leader did with it."""

    delivery: str
    at: datetime
    nudge: str | None = None  # None when a reflection was resurfaced instead
    theme: str | None = None
    resurfaced: str | None = None  # reflection id
    response: NudgeResponse | None = None


@dataclass(frozen=True)
class DialogueRecord:
    dialogue: str
    started_at: datetime
    ended_at: datetime
    outcome: Literal["completed", "stopped", "expired"]


@dataclass(frozen=True)
class DialogueProgress:
    """Where the leader is in a dialogue; `saved` holds answers quoted back later."""

    dialogue: str
    step: str
    started_at: datetime
    last_at: datetime
    saved: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Choice:
    """A button: `id` comes back in ChoiceMade, `label` is what the leader sees."""

    id: str
    label: str


# An "aside" is the question on top of the conversation: onboarding, a menu, a nudge, a
# confirmation. A dialogue in progress waits underneath and resumes when the aside ends.


@dataclass(frozen=True)
class OnboardingAside:
    stage: Literal["setup", "themes", "more_themes", "time", "organisation"]
    themes: tuple[str, ...] = ()
    kind: Literal["onboarding"] = "onboarding"
    repeated: int = 0  # times the set-up offer was asked again after a command
    more: bool = False  # the theme picker shows every theme ("More themes" pressed)


@dataclass(frozen=True)
class MenuAside:
    kind: Literal["menu"] = "menu"
    theme: str | None = None  # only this theme's conversations ("start resilience")
    missed: int = 0  # typed answers that named no conversation: later ones get a short line


@dataclass(frozen=True)
class SuggestAside:
    """A conversation offered for what the leader said; at `how_long`, a tired leader is
    first asked whether it is today or has built up (review 12g), and offered it after."""

    dialogue: str
    kind: Literal["suggest"] = "suggest"
    stage: Literal["offer", "how_long"] = "offer"


@dataclass(frozen=True)
class NudgeAside:
    delivery: str
    stage: Literal["offer", "snooze"] = "offer"
    kind: Literal["nudge"] = "nudge"


@dataclass(frozen=True)
class ReflectAside:
    """Waiting for a one-line reflection on a nudge."""

    delivery: str
    kind: Literal["reflect"] = "reflect"


@dataclass(frozen=True)
class FollowUpAside:
    commitment: str
    # blocked: what got in the way?; next: the next step, with a day; keep: what happened
    # (after "I did it"); worked: what made it work, and where to use it next
    stage: Literal["how", "learned", "blocked", "next", "keep", "worked"] = "how"
    kind: Literal["follow_up"] = "follow_up"
    step: str = ""  # after "Partly": a next step given with no day, while its day is asked
    outcome: str = ""  # after "I did it": what happened, echoed back with the next question


@dataclass(frozen=True)
class ForgetAside:
    kind: Literal["forget"] = "forget"


@dataclass(frozen=True)
class SafetyAside:
    """After a crisis signpost (the offer of a pause) or a concern check-in (carry on, pause
    nudges for a week, or stop)."""

    level: Literal["crisis", "concern"] = "crisis"
    kind: Literal["safety"] = "safety"
    # Outside a conversation, the one a concern message would have been offered (its id,
    # never the words): offered after "Carry on" (review 8: "board tomorrow and I'm dreading
    # it", then "ok", got nothing more).
    suggest: str | None = None


@dataclass(frozen=True)
class PeerCommitAside:
    """After a peer-circle meeting: waiting for what the leader will try (a commitment).
    `ref` is "<circle>:<round>"; the wording came with PeerCommitAsked."""

    ref: str
    question: str
    placeholder: str
    saved: str  # the closing line, with {day}
    kind: Literal["peer_commit"] = "peer_commit"


@dataclass(frozen=True)
class ServiceAside:
    """A question another service asked (e.g. "accept this coach?"); the answer goes back to
    that service as a ServiceAnswered effect."""

    token: str
    text: str
    choices: tuple[Choice, ...]
    topic: str = ""
    kind: Literal["service"] = "service"


Aside = (
    OnboardingAside
    | MenuAside
    | SuggestAside
    | NudgeAside
    | ReflectAside
    | FollowUpAside
    | ForgetAside
    | SafetyAside
    | ServiceAside
    | PeerCommitAside
)


@dataclass(frozen=True)
class Awaiting:
    """What the last question accepts: its one-time token and, if any, its choices."""

    token: str
    choices: tuple[Choice, ...] = ()
    asked_at: datetime | None = None


@dataclass(frozen=True)
class UserState:
    """Everything the engine knows about one leader. `version` guards concurrent saves."""

    version: int = 0
    profile: Profile = field(default_factory=Profile)
    dialogue: DialogueProgress | None = None
    aside: Aside | None = None
    awaiting: Awaiting | None = None
    seq: int = 0
    last_seen_at: datetime | None = None
    reflections: tuple[Reflection, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    nudges: tuple[NudgeRecord, ...] = ()
    not_for_me: tuple[str, ...] = ()
    history: tuple[DialogueRecord, ...] = ()
