"""SIGKILL a real process in the middle of a round's introductions, restart it, and check
that every member's introduction reached the notifier exactly once (the harness of
tests/schedules/test_kill_during_fanout.py, with a circle's round instead of nudges)."""

import asyncio
import collections
import sys
from pathlib import Path

from tests.schedules.kill_harness import kill_part_way, lines, run_again, set_up
from tests.schedules.test_kill_serve_during_slack_fanout import pending_after_kill

MODULE = "tests.circle_rounds.intro_process"
MEMBERS = 400


def test_a_kill_during_introductions_neither_repeats_nor_drops_one(tmp_path: Path) -> None:
    data, out, log = tmp_path / "data", tmp_path / "delivered.txt", tmp_path / "process.log"
    set_up(MODULE, data, log, MEMBERS, timeout=180)
    before_restart = kill_part_way(MODULE, data, out, log, MEMBERS)
    pending = asyncio.run(pending_after_kill(data))
    run_again(MODULE, data, out, log)

    counts = collections.Counter(lines(out))
    assert all(key.startswith("intro:") and ":c1:1@" in key for key in counts)
    assert len(counts) == MEMBERS  # nothing dropped
    assert max(counts.values()) == 1  # nothing repeated
    # Those the kill left pending were settled by asking the notifier (none were if the
    # kill fell between one batch's "sent" lines and the next batch's claims).
    sys.stderr.write(f"\nkill: {before_restart} sent before, {pending} left pending\n")
