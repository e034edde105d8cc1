"""`peercoach serve` settles the heap once started: start-up objects frozen, young
collections less often (bot/heap.py)."""

import gc
from collections.abc import Iterator

import pytest

from bot.heap import OLDER_THRESHOLDS, YOUNG_THRESHOLD, settle_after_start


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settling_freezes_what_exists_and_collects_less_often(restored_gc: None) -> None:
    long_lived = [{"content": i} for i in range(1000)]
    settle_after_start()
    assert gc.get_freeze_count() >= len(long_lived)
    assert gc.get_threshold() == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def test_cycles_made_after_settling_are_still_collected(restored_gc: None) -> None:
    settle_after_start()

    class Node:
        def __init__(self) -> None:
            self.me = self

    collected_before = sum(s["collected"] for s in gc.get_stats())
    for _ in range(100):
        Node()
    gc.collect()
    assert sum(s["collected"] for s in gc.get_stats()) - collected_before >= 100
