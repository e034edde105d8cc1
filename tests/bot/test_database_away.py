"""A leader's turn while the database is away: "I can't save right now", nothing of the turn
saved, and the conversation carries on from where it was once the database is back.

The store here is a stand-in for a PostgreSQL store whose server is down (it raises what
that store raises, DatabaseUnavailableError); the end-to-end test with a real server
stopped under a real PostgreSQL UserStore comes with that store."""

from collections.abc import Callable
from typing import Any

from bot.domain import UserKey
from bot.ports import Change
from bot.services.conversations import CANT_SAVE_NOW, SORRY, ConversationService
from bot.storage.memory.users import InMemoryUserStore
from bot.storage.postgres.pool import DatabaseUnavailableError
from bot.storage.postgres.url import DatabaseUrl
from dialogs.content_model import Content
from dialogs.model import Say, UserState, UserText
from tests.conftest import FakeClock

ALICE = UserKey.console("alice")
URL = DatabaseUrl.parse("postgresql://peercoach:hidden-pw@db.example:5432/peercoach")


class DatabaseAway(InMemoryUserStore):
    """Every call fails as a PostgreSQL store's does while `away` (the server is down)."""

    away = False

    def _check(self) -> None:
        if self.away:
            raise DatabaseUnavailableError(URL, ConnectionRefusedError())

    async def transact[T](
        self, key: UserKey, decide: Callable[[UserState | None], tuple[Change, T]]
    ) -> tuple[UserState | None, T]:
        self._check()
        return await super().transact(key, decide)

    async def load(self, key: UserKey) -> UserState | None:
        self._check()
        return await super().load(key)

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        self._check()
        return await super().save(key, state, expected_version=expected_version)

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        self._check()
        await super().save_extra(key, name, value)


async def test_a_turn_while_the_database_is_away_saves_nothing_and_says_so(
    content: Content, clock: FakeClock
) -> None:
    store = DatabaseAway()
    service = ConversationService(store, content, clock)
    await service.handle(ALICE, UserText("start energy", clock.now()))
    before = await store.load(ALICE)
    assert before is not None

    store.away = True
    for text in (
        "the rota meetings",
        "schedule weekdays 08:30",
        "journal",
    ):  # a step, a command, a read
        reply = await service.handle(ALICE, UserText(text, clock.now()))
        assert reply.messages == (Say(CANT_SAVE_NOW),)
        assert reply.failed
    assert "I can't save right now, please try again in a minute" in CANT_SAVE_NOW
    assert CANT_SAVE_NOW != SORRY  # a full disk keeps its own words

    store.away = False
    assert await store.load(ALICE) == before  # nothing half-saved
    again = await service.handle(ALICE, UserText("the rota meetings", clock.now()))
    assert not again.failed
    after = await store.load(ALICE)
    assert after is not None
    assert after.version == before.version + 1
