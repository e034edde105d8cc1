"""The interfaces services depend on; storage and channels implement them."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from bot.domain import Reply, UserKey
from dialogs.model import UserState

# What a transaction decided: store this state (its version is set by the store), leave the
# stored state as it is, or delete everything of the leader.
Change = UserState | Literal["keep", "delete"]


class UserStore(Protocol):
    """One leader's whole state: profile, conversation, reflections, commitments, history."""

    async def transact[T](
        self, key: UserKey, decide: Callable[[UserState | None], tuple[Change, T]]
    ) -> tuple[UserState | None, T]:
        """Read, decide and write in one go (one file open, one thread hop); `decide` must be
        pure. Returns the state as stored afterwards and what `decide` returned."""
        ...

    async def load(self, key: UserKey) -> UserState | None:
        """The stored state, or None for a leader never seen (or forgotten)."""
        ...

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        """Store `state` if nobody saved since `expected_version`; returns it with version+1."""
        ...

    async def delete(self, key: UserKey) -> bool:
        """Remove everything stored for the leader; False if there was nothing."""
        ...

    async def load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        """Channel data kept beside the state (e.g. a Teams conversation reference)."""
        ...

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        """Keep channel data beside the state; removed with it by delete(). Saving the value
        already stored writes nothing."""
        ...

    async def stored_hashes(self) -> frozenset[str]:
        """`UserKey.hashed` of every leader stored now: lets a channel tell a returning leader
        from a first contact without a read per message (e.g. after a restart)."""
        ...


@dataclass(frozen=True)
class StoredLeader:
    """Everything one store holds for one leader, as `db import` and `db export` copy it:
    the state (None when only channel data is kept) with its version, and the extras."""

    key: UserKey
    state: UserState | None
    extras: Mapping[str, dict[str, Any]]


class LeaderArchive(Protocol):
    """A UserStore's leaders taken out and put back whole, for copying between stores."""

    def dump_all(self) -> AsyncIterator[StoredLeader]:
        """Every stored leader, one at a time (order unspecified)."""
        ...

    async def restore(self, leader: StoredLeader) -> None:
        """Store exactly this (state version included, extras replaced), whatever was there:
        running it twice leaves what running it once does."""
        ...


class SeenEventStore(Protocol):
    """Ids of inbound platform events already taken, so a retry is handled once; shared by
    every instance when the store is."""

    async def first_sight(self, event_id: str, leader: str | None) -> bool:
        """True the first time `event_id` comes (and records it), False ever after. `leader`
        is the hashed key of whoever sent it, kept beside the id."""
        ...


@dataclass(frozen=True)
class EventClaim:
    """An inbound event that must run its turn once (Slack's `event_id`), however often the
    platform sends it and whichever instance it reaches; `seen` is the store of ids taken.
    The id is taken for the leader whose turn it is."""

    event_id: str
    seen: SeenEventStore


@runtime_checkable
class ClaimsInTurn(Protocol):
    """A UserStore that takes an event's id in the turn's own write (one statement, one
    commit), so the id is taken exactly when the turn is saved: a retry can never run the
    turn twice, and a turn that was not saved leaves its id free for the retry."""

    def folds(self, seen: SeenEventStore) -> bool:
        """Whether ids of `seen` live where this store writes (the same database)."""
        ...

    async def transact[T](
        self,
        key: UserKey,
        decide: Callable[[UserState | None], tuple[Change, T]],
        *,
        claim: EventClaim | None = None,
    ) -> tuple[UserState | None, T]:
        """UserStore.transact; with `claim`, AlreadyHandledError (nothing written) if its id
        was taken before."""
        ...


class DeliveryError(Exception):
    """A send that did not happen. `permanent`: retrying cannot help; `leader_gone`: because
    the leader cannot be reached at all (user gone, app removed), so their schedules pause.
    Otherwise it may be retried, after `retry_after` seconds if the platform said."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        leader_gone: bool | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.leader_gone = permanent if leader_gone is None else leader_gone


# A delivery id with this prefix is not a ledger key (a notice, a late reply): nothing asks
# after it once sent, so channels need not tag the message with it.
NOTICE_PREFIX = "notice:"


class Notifier(Protocol):
    """Sends what the coach says unprompted (nudges, follow-ups) on one channel."""

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        """Send `reply` to the leader; raise DeliveryError if it did not go."""
        ...

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:
        """After a crash: did `delivery` reach the leader? None when the channel cannot tell."""
        ...


@dataclass(frozen=True)
class Unconfirmed:
    """A delivery a crash left pending: its key (opaque here) and when it was recorded as
    pending, just before its send."""

    delivery: str
    since: datetime


@runtime_checkable
class DeliveryHistory(Protocol):
    """A notifier that can answer for several of one leader's deliveries with one look at
    their conversation (Slack: one conversations.history call, a strictly limited method)."""

    async def which_delivered(
        self, key: UserKey, pending: Sequence[Unconfirmed], until: datetime
    ) -> Mapping[str, bool | None]:
        """For each delivery: True arrived, False did not, None cannot tell. Anything sent
        went out between its `since` and `until`. Paced to the platform's limit."""
        ...

    def history_wait(self) -> float:
        """Seconds until the next look could start, as things stand (0: now)."""
        ...


@runtime_checkable
class GroupConversations(Protocol):
    """A notifier that can open a conversation with several leaders of one workspace (the
    bot in it too) and post there: Slack's group DM for a peer circle's group."""

    async def post_to_group(self, members: Sequence[UserKey], reply: Reply, delivery: str) -> None:
        """Open (or find) the members' group conversation and post `reply`; DeliveryError
        if it did not go."""
        ...


@runtime_checkable
class SignInNames(Protocol):
    """A notifier that can tell a leader's sign-in name (Teams: the UPN, from the roster),
    for a link that starts a chat with their peers."""

    async def sign_in_name(self, key: UserKey) -> str | None: ...
