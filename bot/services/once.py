"""An inbound event's turn runs once, however often the platform sends it (Slack retries what
it thinks was lost, and a retry may reach another instance).

Where the user store can (PostgreSQL, `ClaimsInTurn`), the event's id is taken in the turn's
own write: one statement and one commit, taken exactly when the turn is saved. Otherwise (and
for commands other services answer, which write elsewhere too) the id is taken first, from
the seen-store, before anything else is done."""

import logging

from bot.domain import UserKey
from bot.errors import AlreadyHandledError, StorageError
from bot.logs import log
from bot.ports import ClaimsInTurn, EventClaim, SeenEventStore, UserStore

logger = logging.getLogger("peercoach.conversations")


async def first_time(seen: SeenEventStore, event_id: str, leader: str | None) -> bool:
    """Whether `event_id` comes for the first time (it is taken now). If the store cannot
    answer, yes: a leader answered (or told we cannot save) beats a message dropped."""
    try:
        first = await seen.first_sight(event_id, leader)
    except StorageError as error:
        log(logger, "event.dedup_unavailable", level=logging.WARNING, error=type(error).__name__)
        return True
    return first


async def take_or_fold(
    store: UserStore, claim: EventClaim | None, key: UserKey, *, fold: bool
) -> ClaimsInTurn | None:
    """The store, when it will take `claim` in the turn's own write (if `fold`, and it can);
    otherwise the id is taken now, and AlreadyHandledError raised if it was before."""
    if claim is None:
        return None
    if fold and isinstance(store, ClaimsInTurn) and store.folds(claim.seen):
        return store
    if not await first_time(claim.seen, claim.event_id, key.hashed):
        raise AlreadyHandledError(claim.event_id)
    return None
