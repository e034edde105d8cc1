"""SIGKILL a process that writes without pause, at 20 random moments: after each kill every
file still parses and holds either the state before the write in flight or the one after.

`test_durable_files.py` kills once at a chosen point (between the temporary file and the
rename); here the points are random, across the leaders' files (group commit), the shared
schedules file and the delivery ledger.
"""

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.schedules.ledger import Entry
from bot.schedules.store import ScheduleStore
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from tests.bot.write_loop import LEADERS, SCHEDULE, ledger_key, round_in, round_of
from tests.stored import read_leader_file

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
LONGEST_WAIT = 0.15  # seconds between the first acknowledged round and the kill


def start_writer(data: Path, acks: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bot.write_loop", str(data), str(acks)], cwd=ROOT
    )


def last_acked(acks: Path) -> int:
    rounds = acks.read_text().split() if acks.exists() else []
    return int(rounds[-1]) if rounds else 0


def temp_files(data: Path) -> list[Path]:
    return list(data.rglob(".*.tmp"))


async def kill_at_random(data: Path, acks: Path, wait: float, after: int) -> int:
    """Start a writer, let it run for `wait` seconds past its first round, SIGKILL it;
    returns the last round it acknowledged."""
    child = await asyncio.to_thread(start_writer, data, acks)
    try:
        for _ in range(500):  # 10 s, bounded: the child's start-up and one round
            if last_acked(acks) > after:
                break
            assert child.poll() is None, "the writer exited on its own"
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the writer acknowledged nothing")
        await asyncio.sleep(wait)
    finally:
        child.kill()  # SIGKILL
        await asyncio.to_thread(child.wait, 10)
    return last_acked(acks)


async def rounds_on_disk(data: Path) -> tuple[list[int], int, FileDeliveryLedger]:
    """What a restarted process reads: each leader's round, the schedule's, the ledger.
    What the kill left half-made is cleared once it is old enough not to be another
    process's write in progress: here, made to look an hour old."""
    for path in (data / "users").glob("*.json"):
        read_leader_file(path)  # every file opens and parses as it is
    json.loads((data / "schedules.json").read_bytes())
    an_hour_ago = time.time() - 3600
    for leftover in temp_files(data):
        os.utime(leftover, (an_hour_ago, an_hour_ago))
    users = TinyDBUserStore(data)
    try:
        leaders = [round_of(await users.load(key)) for key in LEADERS]
    finally:
        users.close()
    schedules = ScheduleStore(TinyDBScheduleBackend(data))
    await schedules.load()
    stored = schedules.schedule(SCHEDULE)
    assert stored is not None
    ledger = FileDeliveryLedger(data / "deliveries.log")
    await ledger.open()
    await ledger.close()
    assert not temp_files(data), "a restart clears what the kill left half-made"
    return leaders, round_in(stored.themes[0]), ledger


async def test_twenty_kills_at_random_moments_leave_every_file_old_or_new(
    tmp_path: Path,
) -> None:
    data, acks = tmp_path / "data", tmp_path / "acks.txt"
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    acked = 0
    for kill in range(KILLS):
        acked = await kill_at_random(data, acks, chance.uniform(0, LONGEST_WAIT), acked)
        where = f"kill {kill + 1} of {KILLS} (seed {seed}) after round {acked}"
        leaders, schedule, ledger = await rounds_on_disk(data)
        for found in (*leaders, schedule):
            assert found in (acked, acked + 1), f"{where}: found round {found}"
        assert ledger.status(ledger_key(acked)) == "sent", where
        assert ledger.status(ledger_key(acked + 2)) is None, where


async def test_a_ledger_line_cut_short_does_not_swallow_the_next_one(tmp_path: Path) -> None:
    """A crash (or a full disk) mid-append leaves part of a line at the end of the ledger;
    what is appended after the restart must not be glued to it and lost."""
    path = tmp_path / "deliveries.log"
    at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    ledger = FileDeliveryLedger(path)
    await ledger.open()
    await ledger.record(Entry("s1@2026-11-27T09:00Z", "sent", at))
    await ledger.close()
    with path.open("ab") as handle:
        handle.write(b'{"k":"s2@2026-11-27T09:00Z","s":"pen')  # the process died here

    restarted = FileDeliveryLedger(path)
    await restarted.open()
    assert restarted.torn_lines == 1
    await restarted.record(Entry("s3@2026-11-27T09:00Z", "pending", at))
    await restarted.close()

    replayed = FileDeliveryLedger(path)
    await replayed.open()
    await replayed.close()
    assert replayed.status("s1@2026-11-27T09:00Z") == "sent"
    assert replayed.status("s2@2026-11-27T09:00Z") is None  # never acknowledged
    assert replayed.status("s3@2026-11-27T09:00Z") == "pending"
    assert replayed.torn_lines == 0
