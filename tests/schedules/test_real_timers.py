"""APScheduler's own timers, on the real clock: a job due in a second really fires."""

import asyncio
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import UserKey
from bot.schedules.keys import DeliveryKey
from bot.schedules.model import Reminder
from bot.wiring import build_app
from dialogs.model import NudgeDue
from tests.conftest import CONTENT_DIR
from tests.schedules.world import RecordingNotifier


async def test_a_reminder_due_in_a_second_is_delivered_by_apscheduler(tmp_path: Path) -> None:
    clock = SystemClock()
    app = build_app(Settings(data_dir=tmp_path, content_dir=CONTENT_DIR), clock)
    notifier = RecordingNotifier(clock)  # type: ignore[arg-type]
    app.notifiers["console"] = notifier
    await app.open()
    scheduler = await app.start_scheduler(timers=True)
    try:
        state_ready = await app.conversations.handle(
            UserKey.console("alice"),
            NudgeDue("n1", ("influence",), clock.now()),
        )
        assert state_ready.messages
        await app.schedules.put_reminder(
            Reminder(
                id="r1",
                user="console:alice",
                kind="snooze",
                due_at=clock.now() + timedelta(seconds=1),
                ref="n1",
            )
        )
        assert scheduler.aps.get_job("reminder:r1") is not None
        for _ in range(100):  # bounded: at most 10 s
            if notifier.sent and app.schedules.reminder("r1") is None:
                break
            await asyncio.sleep(0.1)
        key = DeliveryKey(UserKey.console("alice"), "snooze", "n1", clock.now())
        assert [s.delivery.split("@")[0] for s in notifier.sent] == [str(key).split("@")[0]]
        assert app.schedules.reminder("r1") is None  # a one-shot is gone once delivered
    finally:
        await app.close()


async def test_jobs_get_their_next_fire_time_from_our_rules(tmp_path: Path) -> None:
    clock = SystemClock()
    app = build_app(Settings(data_dir=tmp_path, content_dir=CONTENT_DIR), clock)
    await app.open()
    scheduler = await app.start_scheduler(timers=True)
    try:
        schedule = app.schedule_service.build(
            UserKey.console("alice"),
            ["daily", "08:30"],
            timezone="Australia/Lord_Howe",
            created_by="console:alice",
            origin="leader",
            at=clock.now(),
        )
        await app.schedules.put_schedules(schedule)
        job = scheduler.aps.get_job(f"nudge:{schedule.id}")
        assert job is not None
        local = job.next_run_time.astimezone(ZoneInfo("Australia/Lord_Howe"))
        assert (local.hour, local.minute) == (8, 30)
    finally:
        await app.close()
