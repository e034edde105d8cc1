"""What the conversation service asks of the services around it (coaching, schedules,
exports, notices), as Protocols, so it imports none of them. Split from conversations.py
by job."""

from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain import Notice, ServiceReply, UserKey
from dialogs.model import Effect, UserState, WorkingWeek


class EffectListener(Protocol):
    """Told after a turn is saved (state None: the leader was forgotten), still inside the
    leader's lock, e.g. so the scheduler follows a new time zone."""

    async def after_turn(
        self,
        key: UserKey,
        state: UserState | None,
        effects: Sequence[Effect],
        *,
        from_leader: bool = False,
    ) -> None: ...


class CommandAnswerer(Protocol):
    """Answers a command that needs more than one leader's state (e.g. `schedule`)."""

    async def answer(
        self, key: UserKey, state: UserState, command: Any, at: datetime
    ) -> ServiceReply: ...


class EffectAnswerer(Protocol):
    """Acts on effects that need a reply in the same turn (an answer to its question)."""

    async def on_effects(
        self, key: UserKey, state: UserState | None, effects: Sequence[Effect], at: datetime
    ) -> ServiceReply: ...


class ExportSource(Protocol):
    """Another store's part of `export`: what it holds about one leader, as JSON values. A
    store that must ask its database (the delivery ledger) answers with an awaitable."""

    def export_of(self, user: str) -> dict[str, Any] | Awaitable[dict[str, Any]]: ...


class WeekSource(Protocol):
    """The leader's working days and nudge time (from their schedules), for the engine."""

    async def week_of(self, key: UserKey, at: datetime) -> WorkingWeek: ...


class NoticeSender(Protocol):
    async def notice(self, notice: Notice) -> None:
        """Run the notice's event for its user and deliver what it says to them."""
        ...
