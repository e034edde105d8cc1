"""A Slack event's id taken in a leader's turn's own write (bot.ports.ClaimsInTurn): the
statements are in users_sql.py; here, what runs them and what a repeat becomes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from bot.errors import AlreadyHandledError
from bot.storage.postgres.seen import PostgresSeenEvents
from bot.storage.postgres.users_sql import CLAIM, CLAIM_KEY


@dataclass(frozen=True)
class Taking:
    """An event id to take with a turn, seen at `at`; `seen` prunes old ids now and then."""

    event_id: str
    at: datetime
    seen: PostgresSeenEvents

    async def take(self, connection: asyncpg.Connection[Any], leader: str) -> None:
        """The id alone, for a turn that writes nothing (AlreadyHandledError if taken)."""
        await connection.execute(CLAIM, self.event_id, leader, self.at)
        await self.seen.prune_if_due(connection, self.at)


async def write_if(
    connection: asyncpg.Connection[Any],
    write: str,
    write_claimed: str,
    taking: Taking | None,
    *args: Any,
) -> Any:
    """The conditional write (its RETURNING value, None if nothing was written), with the id
    taken in the same statement when there is one to take."""
    if taking is None:
        return await connection.fetchval(write, *args)
    written = await connection.fetchval(write_claimed, *args, taking.event_id, taking.at)
    if written is not None:
        await taking.seen.prune_if_due(connection, taking.at)
    return written


@contextmanager
def repeat_is_handled() -> Iterator[None]:
    """The id's key refused the claim: the event ran before, and nothing was written now."""
    try:
        yield
    except asyncpg.UniqueViolationError as error:
        if error.constraint_name != CLAIM_KEY:
            raise
        raise AlreadyHandledError(str(error.detail or "")) from None
