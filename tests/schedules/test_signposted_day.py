"""After a crisis or concern message, that day's scheduled nudge is held by the real
scheduler, delivery service and ledger; the next day's goes out as usual."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FakeClock
from tests.schedules.world import open_world

ALICE = "console:alice"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "shown"),
    [("im so burnt out", "support contacts"), ("i cant do this anymore", "116 123")],
)
async def test_the_days_nudge_is_held_and_the_next_days_is_sent(
    tmp_path: Path, text: str, shown: str
) -> None:
    world = await open_world(tmp_path, FakeClock(utc("2026-03-26T12:00")))
    try:
        await world.say(ALICE, "hello")
        await world.say(ALICE, "schedule daily 17:00 influence")
        reply = await world.say(ALICE, text)
        assert shown in reply  # crisis: the contacts; concern: the button to them
        await world.run_until(utc("2026-03-27T18:00"))
        sent = [
            f"{s.at.astimezone(ZoneInfo('Europe/London')):%Y-%m-%d %H:%M}"
            for s in world.notifier.sent
        ]
        assert sent == ["2026-03-27 17:00"]
        assert world.app.deliveries.stats.skipped["held for today"] == 1
        assert all(text not in s.text for s in world.notifier.sent)
    finally:
        await world.close()
