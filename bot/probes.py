"""What `serve` knows beyond the App, for /healthz, /metrics and its own start and stop: who
runs the scheduler, whether the database answers, how busy its pool is. The defaults are
those of one process on TinyDB: it always leads and uses no database."""

from dataclasses import dataclass, field
from typing import Protocol

from bot.schedules.leadership import Leadership, SoleLeadership


class DatabaseCheck(Protocol):
    @property
    def name(self) -> str:
        """The database as an operator may see it: the URL without its password."""
        ...

    async def check(self) -> str | None:
        """None when a cheap query is answered in time, else a short password-free reason."""
        ...


class PoolFigures(Protocol):
    """asyncpg.Pool has exactly these."""

    def get_size(self) -> int: ...
    def get_idle_size(self) -> int: ...
    def get_max_size(self) -> int: ...


@dataclass(frozen=True)
class Probes:
    leadership: Leadership = field(default_factory=SoleLeadership)
    database: DatabaseCheck | None = None  # None: TinyDB, no database in use
    pool: PoolFigures | None = None
