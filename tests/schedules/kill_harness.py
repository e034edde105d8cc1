"""A real process killed with SIGKILL part-way through sending, then run again: shared by
the fan-out and the circle-introduction kill tests. The module under test takes `setup DIR
COUNT` and `run DIR OUT`, and writes one delivery key per line to OUT as it sends."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def start(module: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def set_up(module: str, data: Path, log: Path, count: int, *, timeout: float) -> None:
    setup = start(module, log, "setup", str(data), str(count))
    assert setup.wait(timeout=timeout) == 0, log.read_text()


def kill_part_way(module: str, data: Path, out: Path, log: Path, count: int) -> int:
    """Run, SIGKILL once a fifth of `count` went out; how many had (never 0 nor all)."""
    first = start(module, log, "run", str(data), str(out))
    deadline = time.monotonic() + 120
    while len(lines(out)) < count // 5 and time.monotonic() < deadline:
        assert first.poll() is None, "the sending finished before it could be interrupted"
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    before_restart = len(lines(out))
    assert 0 < before_restart < count, before_restart
    return before_restart


def run_again(module: str, data: Path, out: Path, log: Path) -> None:
    second = start(module, log, "run", str(data), str(out))
    assert second.wait(timeout=180) == 0, log.read_text()
