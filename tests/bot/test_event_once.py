"""An inbound event with an id runs its turn once through the conversation service, on a store
that cannot take the id in its own write (memory, TinyDB): the id is taken first, from the
seen-store. (PostgreSQL's own write: tests/storage/test_claimed_turns.py.)"""

from bot.domain import UserKey
from bot.errors import StorageError
from bot.ports import EventClaim
from bot.services.conversations import ConversationService
from bot.storage.memory.seen import InMemorySeenEvents
from bot.storage.memory.users import InMemoryUserStore
from dialogs.content_model import Content
from dialogs.model import CommandGiven, UserText
from tests.conftest import FakeClock

ANN = UserKey("slack", "T1", "U1")


class SeenStoreAway:
    async def first_sight(self, event_id: str, leader: str | None) -> bool:
        raise StorageError("the database is away")


async def test_a_repeated_event_runs_nothing_and_says_nothing(
    content: Content, clock: FakeClock
) -> None:
    store, seen = InMemoryUserStore(), InMemorySeenEvents()
    service = ConversationService(store, content, clock)
    first = await service.handle(
        ANN, UserText("hello", clock.now()), claim=EventClaim("Ev1", seen)
    )
    stored = await store.load(ANN)
    again = await service.handle(
        ANN, UserText("hello", clock.now()), claim=EventClaim("Ev1", seen)
    )
    assert first.messages
    assert not first.repeat
    assert again.repeat
    assert not again.messages
    assert await store.load(ANN) == stored
    other = await service.handle(ANN, UserText("help", clock.now()), claim=EventClaim("Ev2", seen))
    assert other.messages
    assert not other.repeat


async def test_a_command_another_service_answers_runs_once_too(
    content: Content, clock: FakeClock
) -> None:
    seen = InMemorySeenEvents()
    service = ConversationService(InMemoryUserStore(), content, clock)
    event = CommandGiven("schedule", clock.now())
    assert not (await service.handle(ANN, event, claim=EventClaim("Ev-cmd", seen))).repeat
    assert (await service.handle(ANN, event, claim=EventClaim("Ev-cmd", seen))).repeat


async def test_a_seen_store_that_cannot_answer_lets_the_turn_run(
    content: Content, clock: FakeClock
) -> None:
    service = ConversationService(InMemoryUserStore(), content, clock)
    for _ in range(2):
        reply = await service.handle(
            ANN, UserText("hello", clock.now()), claim=EventClaim("Ev1", SeenStoreAway())
        )
        assert reply.messages
        assert not reply.repeat
