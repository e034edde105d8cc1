"""A coach's office for the circle tests: the app as `build_app` makes it (real TinyDB stores,
a recording notifier, the scheduler without timers) and the moves a person makes in chat."""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.domain import UserKey
from bot.wiring import App, build_app
from dialogs.model import ChoiceMade, Message, UserText
from tests.conftest import CONTENT_DIR, FakeClock
from tests.schedules.world import RecordingNotifier

ADMIN = "console:admin"


def joined(messages: tuple[Message, ...]) -> str:
    return "\n".join(getattr(m, "text", "") for m in messages)


@dataclass
class Office:
    app: App
    clock: FakeClock
    notifier: RecordingNotifier

    async def say(self, user: str, text: str) -> str:
        reply = await self.app.conversations.handle(
            UserKey.parse(user), UserText(text, self.clock.now())
        )
        return joined(reply.messages)

    async def press(self, user: str, label: str, token_starts: str = "") -> str:
        state = await self.app.users.load(UserKey.parse(user))
        assert state is not None
        assert state.awaiting is not None, f"nothing is being asked of {user}"
        assert state.awaiting.token.startswith(token_starts), state.awaiting.token
        choice = next(c for c in state.awaiting.choices if c.label == label)
        event = ChoiceMade(state.awaiting.token, choice.id, self.clock.now())
        return joined((await self.app.conversations.handle(UserKey.parse(user), event)).messages)

    async def press_again(self, user: str, circle_id: str) -> str:
        """An old invitation's Join button, pressed after it was answered."""
        event = ChoiceMade(f"svc:circle-invite:{circle_id}", "join", self.clock.now())
        return joined((await self.app.conversations.handle(UserKey.parse(user), event)).messages)

    async def asked(self, user: str) -> tuple[str, list[str]]:
        state = await self.app.users.load(UserKey.parse(user))
        assert state is not None
        assert state.awaiting is not None
        return state.awaiting.token, [c.label for c in state.awaiting.choices]

    async def tick(self, at: datetime) -> None:
        self.clock.at = at
        assert self.app.rounds is not None
        await self.app.rounds.tick()

    def sent(self, user: str, kind: str) -> list[str]:
        return [s.text for s in self.notifier.to(user) if s.delivery.startswith(kind + ":")]


@asynccontextmanager
async def office_at(
    data_dir: Path, start: datetime, users: Iterable[str], coaches: Iterable[str]
) -> AsyncIterator[Office]:
    """Everyone said hello and skipped set-up; the admin made `coaches` coaches."""
    clock = FakeClock(start)
    settings = Settings(
        data_dir=data_dir, content_dir=CONTENT_DIR, admins=frozenset({UserKey.parse(ADMIN)})
    )
    app = build_app(settings, clock)
    notifier = RecordingNotifier(clock)
    app.notifiers["console"] = notifier
    await app.open()
    await app.start_scheduler(timers=False)
    office = Office(app, clock, notifier)
    for user in (ADMIN, *users):
        await office.say(user, "hello")
        await office.press(user, "Skip for now")
    for coach in coaches:
        assert "is now a coach" in await office.say(ADMIN, f"admin coach {coach}")
    try:
        yield office
    finally:
        await app.close()
