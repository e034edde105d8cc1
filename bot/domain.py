"""Identities shared by every layer: who a leader is on which channel."""

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, cast

from dialogs.model import Effect, Event, Message, Profile, ServiceQuestion

Channel = Literal["slack", "teams", "console"]
CHANNELS: tuple[Channel, ...] = ("slack", "teams", "console")


@dataclass(frozen=True, order=True)
class UserKey:
    """`slack:T123:U456`, `teams:<tenant>:<user id>` or `console:<name>`."""

    channel: Channel
    tenant: str
    user: str

    def __str__(self) -> str:
        if self.channel == "console":
            return f"console:{self.user}"
        return f"{self.channel}:{self.tenant}:{self.user}"

    @cached_property
    def hashed(self) -> str:
        """A stable pseudonym for logs and file names: never the raw platform id."""
        return hashlib.sha256(str(self).encode()).hexdigest()[:16]

    @classmethod
    def parse(cls, text: str) -> "UserKey":
        channel, _, rest = text.strip().partition(":")
        if channel not in CHANNELS or not rest:
            raise ValueError(
                f"{text!r} is not a user key; write it as slack:T123:U456, "
                "teams:<tenant>:<user id> or console:<name>"
            )
        if channel == "console":
            return cls("console", "", rest)
        tenant, _, user = rest.partition(":")
        if not tenant or not user:
            raise ValueError(
                f"{text!r} needs both a workspace/tenant and a user id, e.g. {channel}:T123:U456"
            )
        return cls(cast(Channel, channel), tenant, user)

    @classmethod
    def console(cls, name: str) -> "UserKey":
        return cls("console", "", name)


@dataclass(frozen=True)
class PlatformInfo:
    """What the channel knows about the leader (Slack users.info, Teams clientInfo, the OS)."""

    display_name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    timezone_guessed: bool = False  # the console's computer zone, not the leader's own


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes  # JSON, the only kind we send (an export)


@dataclass(frozen=True)
class Reply:
    """What a channel should deliver for one turn."""

    messages: tuple[Message, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    failed: bool = False
    effects: tuple[Effect, ...] = ()  # e.g. DeliveryHeld: the delivery service acts on these
    repeat: bool = False  # the event ran before (a platform's retry): nothing to deliver


@dataclass(frozen=True)
class Notice:
    """Something a service sends another user as a result of this turn (a coach's request
    reaching a leader); sent after this user's turn, never while holding their lock."""

    to: UserKey
    event: Event


@dataclass(frozen=True)
class Retraction:
    """An engine message a service takes back because it could not do what the message
    promises (a snooze past the limit), and what the leader reads in its place."""

    starts: str  # the engine message whose text starts so
    instead: Message


@dataclass(frozen=True)
class ServiceReply:
    """A service's answer in a turn: messages for this user, perhaps a question for them, and
    notices for others; `profile`: this user's profile as the service changed it (saved with
    the turn, e.g. their `avoid` list)."""

    messages: tuple[Message, ...] = ()
    question: ServiceQuestion | None = None
    notices: tuple[Notice, ...] = ()
    retractions: tuple[Retraction, ...] = ()
    profile: Profile | None = None
