"""`peercoach backup` while another real process writes continuously: each backup is one
instant of the whole folder, and restores into a folder that the real stores load."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from bot.cli import main
from bot.clock import SystemClock
from bot.config import Settings
from bot.wiring import build_app
from tests.backup.writer_process import leader
from tests.conftest import CONTENT_DIR

ROOT = Path(__file__).resolve().parents[2]
LEADERS = 20  # written every round
IDLE = 1500  # written once: a backup copies them too, while rounds go on
BACKUPS = 4


def rounds_done(log: Path) -> int:
    lines = log.read_text().split() if log.exists() else []
    return int(lines[-1]) if lines and lines[-1].isdigit() else 0


def wait_for_round(log: Path, wanted: int, writer: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 60
    while (done := rounds_done(log)) < wanted:
        assert writer.poll() is None, "the writer stopped early"
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.02)
    return done


async def observed_rounds(data: Path) -> dict[str, tuple[int, int | None, int]]:
    """Per leader: (state round n, newest ledger round m, marker round M), via the stores."""
    app = build_app(Settings(data_dir=data, content_dir=CONTENT_DIR), SystemClock())
    await app.open()
    try:
        marker = app.schedules.schedule("marker")
        assert marker is not None
        marker_round = int(marker.created_by.removeprefix("round:"))
        found = {}
        for index in range(LEADERS):
            key = leader(index)
            state = await app.users.load(key)
            assert state is not None
            n = int(state.profile.display_name.removeprefix("round "))
            sent = [r for r in (n - 1, n, n + 1) if app.ledger.status(f"{key}:{r}") == "sent"]
            found[str(key)] = (n, max(sent) if sent else None, marker_round)
        return found
    finally:
        await app.close()


def test_backups_under_continuous_writes_are_each_one_instant(tmp_path: Path) -> None:
    data, stop, log = tmp_path / "data", tmp_path / "stop", tmp_path / "writer.log"
    with log.open("wb") as output:
        writer = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.backup.writer_process",
                str(data),
                str(LEADERS),
                str(IDLE),
                str(stop),
            ],
            cwd=ROOT,
            stdout=output,
        )
    bounds: list[tuple[int, int]] = []
    try:
        for number in range(BACKUPS):
            before = wait_for_round(log, 2 + 2 * number, writer)
            out = tmp_path / f"backup-{number}.tar.gz"
            assert main(["backup", "--data-dir", str(data), "--out", str(out)]) == 0
            bounds.append((before, rounds_done(log) + 1))
    finally:
        stop.touch()
        assert writer.wait(timeout=60) == 0

    for number, (low, high) in enumerate(bounds):
        restored = tmp_path / f"restored-{number}"
        archive = tmp_path / f"backup-{number}.tar.gz"
        assert main(["restore", str(archive), "--data-dir", str(restored)]) == 0
        for key, (n, m, marker) in asyncio.run(observed_rounds(restored)).items():
            assert low <= n <= high, (key, n, low, high)  # a state written during the backup
            assert m in (n - 1, n), (key, n, m)  # ledger and leader file of one instant
            assert marker in (n - 1, n), (key, n, marker)  # and the shared schedules file
