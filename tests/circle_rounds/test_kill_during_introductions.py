"""SIGKILL a real process in the middle of a round's introductions, restart it, and check
that every member's introduction reached the notifier exactly once (the harness of
tests/schedules/test_kill_during_fanout.py, with a circle's round instead of nudges)."""

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.schedules.test_kill_serve_during_slack_fanout import pending_after_kill

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 400


def start(log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "tests.circle_rounds.intro_process", *args],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_kill_during_introductions_neither_repeats_nor_drops_one(tmp_path: Path) -> None:
    data, out, log = tmp_path / "data", tmp_path / "delivered.txt", tmp_path / "process.log"
    setup = start(log, "setup", str(data), str(MEMBERS))
    assert setup.wait(timeout=180) == 0, log.read_text()

    first = start(log, "run", str(data), str(out))
    deadline = time.monotonic() + 120
    while len(lines(out)) < MEMBERS // 5 and time.monotonic() < deadline:
        assert first.poll() is None, "the introductions finished before they could be stopped"
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    before_restart = len(lines(out))
    assert 0 < before_restart < MEMBERS, before_restart
    pending = asyncio.run(pending_after_kill(data))

    second = start(log, "run", str(data), str(out))
    assert second.wait(timeout=180) == 0, log.read_text()

    counts = collections.Counter(lines(out))
    assert all(key.startswith("intro:") and ":c1:1@" in key for key in counts)
    assert len(counts) == MEMBERS  # nothing dropped
    assert max(counts.values()) == 1  # nothing repeated
    # Those the kill left pending were settled by asking the notifier (none were if the
    # kill fell between one batch's "sent" lines and the next batch's claims).
    sys.stderr.write(f"\nkill: {before_restart} sent before, {pending} left pending\n")
