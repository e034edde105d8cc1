"""No message text in the logs: a marker typed by the leader must never be logged, with
logging at its most verbose, exactly as `peercoach serve` configures it."""

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.slack.client import make_client
from bot.logs import setup_logging
from bot.schedules.model import NudgeSchedule
from dialogs.recurrence import parse_days, parse_hhmm
from tests.channels.slack.world import slack_world
from tests.conftest import FakeClock
from tests.fakes.slack_signing import event_body, message_im, signed_headers

MARKER = "zebra-marker-7731"
ANN = "U0ANN"


@pytest.fixture
def verbose_logs() -> Iterator[io.StringIO]:
    """Everything logged, at DEBUG, formatted as `serve` formats it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    setup_logging("DEBUG", stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_a_leaders_words_never_reach_the_logs(
    tmp_path: Path, verbose_logs: io.StringIO
) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    async with slack_world(tmp_path, clock) as world:
        await world.dm(ANN, f"hello {MARKER}")
        await world.click(ANN, "Skip for now")
        await world.dm(ANN, "start energy")
        await world.dm(ANN, f"the board {MARKER}")
        await world.dm(ANN, f"schedule daily 09:30 influence {MARKER}")  # a bad command too
        body = event_body(message_im(ANN, MARKER))
        bad = signed_headers("wrong-secret", body)
        await world.http.post("/slack/events", data=body.encode(), headers=bad)
        schedule = NudgeSchedule(
            id="s1",
            user=f"slack:T0FAKE:{ANN}",
            themes=("influence",),
            days=parse_days("daily"),
            at=parse_hhmm("09:30"),
            timezone="Europe/London",
            created_by="x",
            created_at=clock.at,
        )
        await world.app.schedules.put_schedules(schedule)
        await world.app.deliveries.nudge(schedule, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
        await world.dm(ANN, f"reflecting on it: {MARKER}")
        stored = await world.app.users.load(world.key(ANN))
        assert stored is not None
        assert any(MARKER in r.text for r in stored.reflections)  # it was really processed
    logs = verbose_logs.getvalue()
    assert "event=turn" in logs  # logging really was on
    assert "slack.refused" in logs
    assert "delivery.sent" in logs
    assert logging.getLogger("peercoach").level == logging.NOTSET  # no library sets ours
    assert MARKER not in logs
    assert ANN not in logs  # user ids are hashed
    assert "xoxb-" not in logs
    assert "test-signing-secret" not in logs


def test_the_web_api_client_does_not_even_format_its_debug_lines() -> None:
    """slack_sdk formats each request and response body for a DEBUG line whenever its logger's
    own level is unset (it reads `logger.level`, not the effective level): costly for every
    call, and one step from a leader's words in a log. Ours has a level of its own."""
    client = make_client("xoxb-fake", "http://127.0.0.1:9/api/", None)
    assert client.logger.level >= logging.WARNING
    assert not client.logger.name.startswith("peercoach")
