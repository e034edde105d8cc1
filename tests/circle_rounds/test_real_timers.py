"""On APScheduler's own timers: the round job runs on the active scheduler, and `circle
round ... now` introduces the members at once, not at the next look in 30 seconds."""

import asyncio
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import UserKey
from bot.storage.memory.circles import InMemoryCircleBackend
from bot.wiring import build_app
from tests.circle_rounds.helpers import Leader, new_circle, store_leader, use_circles
from tests.conftest import CONTENT_DIR
from tests.schedules.world import RecordingNotifier

MEMBERS = [Leader(f"console:m{i}", f"Member {i}", f"Trust {i}") for i in range(3)]


async def test_round_now_introduces_everyone_within_seconds(tmp_path: Path) -> None:
    clock = SystemClock()
    app = build_app(Settings(data_dir=tmp_path, content_dir=CONTENT_DIR), clock)
    notifier = RecordingNotifier(clock)  # type: ignore[arg-type]
    app.notifiers["console"] = notifier
    await app.open()
    store = await use_circles(app, InMemoryCircleBackend())
    scheduler = await app.start_scheduler(timers=True)
    try:
        assert scheduler.aps.get_job("circle-rounds") is not None
        now = clock.now()
        for leader in MEMBERS:
            await store_leader(app, leader, now)
        circle = await new_circle(store, "console:coach", [m.user for m in MEMBERS], now)
        circle = type(circle)(**{**circle.__dict__, "starts": now.date().replace(year=2099)})
        await store.put_circle(circle)  # not on the cadence yet: only `now` starts it
        assert app.rounds is not None
        await app.rounds.round_now(UserKey.parse("console:coach"), circle, clock.now())
        for _ in range(100):  # bounded: at most 10 s
            if len(notifier.sent) == len(MEMBERS):
                break
            await asyncio.sleep(0.1)
        assert sorted(s.user for s in notifier.sent) == [m.user for m in MEMBERS]
        assert all(s.delivery.startswith("intro:") for s in notifier.sent)
    finally:
        await app.close()
    assert scheduler.aps.get_job("circle-rounds") is None or not scheduler.aps.running
