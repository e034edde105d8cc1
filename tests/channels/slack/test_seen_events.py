"""The Slack channel's retry check over its store: ids once, events without an id always, and
a store that cannot answer lets the event through rather than dropping a leader's message."""

from bot.channels.slack.seen import SeenEvents, leader_of
from bot.domain import UserKey
from bot.errors import StorageError
from bot.storage.memory.seen import InMemorySeenEvents


class UnreachableStore:
    """A seen-store whose database is away."""

    async def first_sight(self, event_id: str, leader: str | None) -> bool:
        raise StorageError("the database is away")


def body(event_id: str | None, user: str | None = "U1") -> dict[str, object]:
    event = {"type": "message", "user": user} if user else {"type": "message"}
    return {"event_id": event_id, "team_id": "T1", "event": event}


async def test_an_event_id_is_taken_once() -> None:
    seen = SeenEvents(InMemorySeenEvents())
    assert not await seen.already(body("Ev1"))
    assert await seen.already(body("Ev1"))
    assert not await seen.already(body(None))
    assert not await seen.already(body(None))


async def test_a_store_that_cannot_answer_lets_the_event_through() -> None:
    seen = SeenEvents(UnreachableStore())
    assert not await seen.already(body("Ev1"))
    assert not await seen.already(body("Ev1"))


def test_the_store_is_told_the_hashed_leader_never_the_platform_id() -> None:
    assert leader_of(body("Ev1", "U1")) == UserKey("slack", "T1", "U1").hashed
    assert leader_of(body("Ev1", None)) is None
