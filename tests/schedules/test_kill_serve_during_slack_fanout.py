"""SIGKILL a real `peercoach serve` in the middle of a fan-out of 1,000 Slack nudges, restart
it, and check that every delivery key reached the (fake) Slack Web API exactly once.

The fake lives in this test process, so its record of every chat.postMessage survives the
kill. The server is configured for Slack only, with SLACK_API_URL pointing at the fake: the
nudges go through the real SlackNotifier, which tags each message with its delivery key,
and after the restart asks conversations.history about the keys the kill left pending.
"""

import asyncio
import collections
import os
import signal
import subprocess
from pathlib import Path

from bot.storage.tinydb.ledger import FileDeliveryLedger
from tests.bot.test_serve import BASE_ENV, free_port, start_serve
from tests.fakes.slack_api import FakeSlackApi
from tests.schedules.fanout_process import setup

LEADERS = 1000
TEAM = "T0FAKE"


def delivered(fake: FakeSlackApi) -> list[str]:
    """The delivery key of every nudge the fake accepted, in order."""
    return [
        call.params["metadata"]["event_payload"]["delivery"]
        for call in fake.calls_to("chat.postMessage")
        if call.params.get("metadata")
    ]


async def wait_for(condition: object, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Poll (bounded) until `condition()` holds, while the fake keeps answering."""
    assert callable(condition)
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        assert process.poll() is None, "serve exited early"
        await asyncio.sleep(0.02)
    raise AssertionError(f"not reached within {seconds} s")


async def pending_after_kill(data: Path) -> int:
    """How many deliveries the killed server's ledger holds as pending (read as a start does)."""
    ledger = FileDeliveryLedger(data / "deliveries.log")
    await ledger.open()
    try:
        return len(ledger.pending())
    finally:
        await ledger.close()


async def test_a_kill_during_a_slack_fan_out_neither_repeats_nor_drops_a_nudge(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    await setup(data, LEADERS, user=f"slack:{TEAM}:U{{i:04d}}")
    async with FakeSlackApi(team_id=TEAM) as fake:
        env = {
            **BASE_ENV,
            "SLACK_BOT_TOKEN": fake.token,
            "SLACK_SIGNING_SECRET": "kill-test-secret",
            "SLACK_API_URL": fake.url + "api/",
            "PORT": str(free_port()),
            "PEERCOACH_DATA_DIR": str(data),
            # The fake sets no limit: asked at a distributed app's 1 a minute, the dozens of
            # keys a kill leaves pending would take an hour (tests/slack_recovery covers that).
            "PEERCOACH_SLACK_HISTORY_PER_MINUTE": "60000",
        }
        first = await asyncio.to_thread(start_serve, env, tmp_path / "first.log")
        try:
            await wait_for(lambda: len(delivered(fake)) >= LEADERS // 5, first, 60)
        finally:
            os.kill(first.pid, signal.SIGKILL)
            await asyncio.to_thread(first.wait, 30)
        before_restart = len(delivered(fake))
        assert before_restart < LEADERS, "the fan-out finished before it could be interrupted"
        left_pending = await pending_after_kill(data)

        second = await asyncio.to_thread(start_serve, env, tmp_path / "second.log")
        try:
            await wait_for(lambda: len(set(delivered(fake))) >= LEADERS, second, 60)
            await asyncio.sleep(0.5)  # anything sent twice would arrive now
        finally:
            second.terminate()
            returncode = await asyncio.to_thread(second.wait, 30)
        assert returncode == 0, (tmp_path / "second.log").read_text()

    counts = collections.Counter(delivered(fake))
    assert len(counts) == LEADERS  # nothing dropped
    assert counts.most_common(1)[0][1] == 1  # nothing repeated
    # The restart asked Slack once about each delivery the kill left pending, and only those.
    # How many there are depends on where the kill fell (usually dozens; none if it fell
    # between a batch's "sent" lines and the next batch's "pending" ones).
    asked = fake.calls_to("conversations.history")
    assert len(asked) == left_pending
