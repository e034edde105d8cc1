"""A whole peercoach (real storage, ledger, services, scheduler) on a temp folder, a fake
clock and a notifier that records what it was asked to send."""

import asyncio
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path

from bot.config import Settings
from bot.domain import Reply, UserKey
from bot.schedules.model import NudgeSchedule
from bot.schedules.scheduler import NudgeScheduler
from bot.wiring import App, build_app
from dialogs.model import UserText
from dialogs.recurrence import parse_days
from tests.conftest import CONTENT_DIR, FakeClock


@dataclass
class Sent:
    user: str
    delivery: str
    at: datetime
    text: str


@dataclass
class RecordingNotifier:
    """Records deliveries; can fail per user, and answers was_delivered from its record."""

    clock: FakeClock
    sent: list[Sent] = field(default_factory=list)
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    knows: bool = True  # False: behaves like a channel that cannot tell what it delivered
    pause: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.pause:
                await asyncio.sleep(self.pause)
            queue = self.failures.get(str(key))
            if queue:
                raise queue.pop(0)
            text = "\n".join(m.text for m in reply.messages)
            self.sent.append(Sent(str(key), delivery, self.clock.now(), text))
        finally:
            self.in_flight -= 1

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:
        if not self.knows:
            return None
        return any(s.delivery == delivery and s.user == str(key) for s in self.sent)

    def to(self, user: str) -> list[Sent]:
        return [s for s in self.sent if s.user == user]

    def asks(self) -> int:
        return len(self.sent)


@dataclass
class World:
    app: App
    clock: FakeClock
    notifier: RecordingNotifier
    scheduler: NudgeScheduler

    async def say(self, user: str, text: str) -> str:
        reply = await self.app.conversations.handle(
            UserKey.parse(user), UserText(text, self.clock.now())
        )
        return "\n".join(getattr(m, "text", "") for m in reply.messages)

    async def add(
        self, user: str, days: str, at: str, timezone: str, *themes: str, **changes: object
    ) -> NudgeSchedule:
        hour, minute = (int(x) for x in at.split(":"))
        schedule = NudgeSchedule(
            id=self.app.schedules.unused_id(),
            user=user,
            themes=themes,
            days=parse_days(days),
            at=time(hour, minute),
            timezone=timezone,
            created_by=user,
            created_at=self.clock.now(),
        )
        schedule = replace(schedule, **changes)  # type: ignore[arg-type]
        await self.app.schedules.put_schedules(schedule)
        return schedule

    async def run_until(self, until: datetime) -> None:
        """Step the clock from due time to due time, as the real scheduler would wake."""
        while (due := self.scheduler.next_due()) is not None and due <= until:
            self.clock.at = due
            await self.scheduler.run_until(due)
        self.clock.at = until
        await self.scheduler.run_until(until)

    async def close(self) -> None:
        await self.app.close()


async def open_world(
    data_dir: Path,
    clock: FakeClock,
    notifier: RecordingNotifier | None = None,
    *,
    grace_minutes: int = 60,
) -> World:
    settings = Settings(data_dir=data_dir, content_dir=CONTENT_DIR, grace_minutes=grace_minutes)
    app = build_app(settings, clock)
    notifier = notifier or RecordingNotifier(clock)
    app.notifiers["console"] = notifier
    app.notifiers["slack"] = notifier
    await app.open()
    scheduler = await app.start_scheduler(timers=False)
    return World(app, clock, notifier, scheduler)
