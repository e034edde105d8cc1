"""Which instance runs the scheduler: exactly one at a time, the others stand by.

One interface for both backends, so serve wires them alike: `start(on_gain, on_lose)` begins
the contest, `on_gain` runs when this instance becomes the leader (open the ledger, settle
what a dead leader left pending, start the scheduler), `on_lose` when it stops being one
(stop the scheduler). With TinyDB one process owns the data folder, so it always leads
(`SoleLeadership`); with PostgreSQL an advisory lock decides
(bot/storage/postgres/leadership.py).
"""

from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

type Role = Literal["active", "standby"]
type Callback = Callable[[], Awaitable[None]]


class SchedulerRole(Protocol):
    """What /healthz and /metrics read: is this instance's scheduler the one that runs?"""

    @property
    def role(self) -> Role: ...


class Leadership(SchedulerRole, Protocol):
    async def start(self, on_gain: Callback, on_lose: Callback) -> None:
        """Begin contending; returns at once (with SoleLeadership, after `on_gain`)."""
        ...

    async def stop(self) -> None:
        """Step down (`on_lose` first, if leading) and let another instance lead."""
        ...


class SoleLeadership:
    """The only instance there is (TinyDB: one process per data folder) always leads."""

    def __init__(self) -> None:
        self._role: Role = "standby"
        self._on_lose: Callback | None = None

    @property
    def role(self) -> Role:
        return self._role

    async def start(self, on_gain: Callback, on_lose: Callback) -> None:
        self._on_lose = on_lose
        await on_gain()
        self._role = "active"

    async def stop(self) -> None:
        if self._role == "active" and self._on_lose is not None:
            self._role = "standby"
            await self._on_lose()
