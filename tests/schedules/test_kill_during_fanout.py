"""SIGKILL a real process in the middle of a fan-out of 500 deliveries, restart it, and
check that every delivery key reached the notifier exactly once."""

import collections
from pathlib import Path

from tests.schedules.kill_harness import kill_part_way, lines, run_again, set_up

MODULE = "tests.schedules.fanout_process"
LEADERS = 500


def test_a_kill_during_fan_out_neither_repeats_nor_drops_a_delivery(tmp_path: Path) -> None:
    data, out, log = tmp_path / "data", tmp_path / "delivered.txt", tmp_path / "process.log"
    set_up(MODULE, data, log, LEADERS, timeout=120)
    kill_part_way(MODULE, data, out, log, LEADERS)
    run_again(MODULE, data, out, log)

    counts = collections.Counter(lines(out))
    assert len(counts) == LEADERS  # nothing dropped
    assert max(counts.values()) == 1  # nothing repeated
