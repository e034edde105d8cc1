"""SIGKILL a real process in the middle of a fan-out of 500 deliveries, restart it, and
check that every delivery key reached the notifier exactly once."""

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEADERS = 500


def start(log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "tests.schedules.fanout_process", *args],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_kill_during_fan_out_neither_repeats_nor_drops_a_delivery(tmp_path: Path) -> None:
    data, out, log = tmp_path / "data", tmp_path / "delivered.txt", tmp_path / "process.log"
    setup = start(log, "setup", str(data), str(LEADERS))
    assert setup.wait(timeout=120) == 0, log.read_text()

    first = start(log, "run", str(data), str(out))
    deadline = time.monotonic() + 120
    while len(lines(out)) < LEADERS // 5 and time.monotonic() < deadline:
        assert first.poll() is None, "the fan-out finished before it could be interrupted"
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    before_restart = len(lines(out))
    assert 0 < before_restart < LEADERS, before_restart

    second = start(log, "run", str(data), str(out))
    assert second.wait(timeout=180) == 0, log.read_text()

    counts = collections.Counter(lines(out))
    assert len(counts) == LEADERS  # nothing dropped
    assert max(counts.values()) == 1  # nothing repeated
