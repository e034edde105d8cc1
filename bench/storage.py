"""Cost of one leader's state write with 10 and with 10,000 leaders stored (same run).

Target (issue 2): the 10,000-leader median is at most 1.5 times the 10-leader median,
i.e. the cost of a write does not grow with the number of leaders.
"""

import asyncio
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import BenchResult, median
from bot.domain import UserKey
from bot.storage.atomic import encode_json
from bot.storage.codec import to_sections
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import Commitment, Profile, Reflection, UserState

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
WRITES = 200
RUNS = 3
TARGET_RATIO = 1.5


def typical_state() -> UserState:
    """A leader a few months in: 40 reflections, 10 commitments."""
    reflections = tuple(
        Reflection(f"r{i}", AT - timedelta(days=i), f"reflection number {i} " * 6, "influence")
        for i in range(40)
    )
    commitments = tuple(
        Commitment(f"c{i}", AT, f"commitment {i} " * 4, AT.date()) for i in range(10)
    )
    return UserState(
        profile=Profile(display_name="Leader", themes=("influence",)),
        reflections=reflections,
        commitments=commitments,
    )


def populate(folder: Path, count: int, state: UserState) -> list[UserKey]:
    """COUNT leaders' files, written before the measured store opens the folder (the process
    that writes a folder lists its files when it opens it)."""
    setup = TinyDBUserStore(folder)
    keys = [UserKey("slack", "T1", f"U{i:06d}") for i in range(count)]
    write_states(setup, keys, state)
    setup.close()
    return keys


def write_states(store: TinyDBUserStore, keys: list[UserKey], state: UserState) -> None:
    """Write files directly (no fsync) so that setting up 10,000 leaders stays quick."""
    for key in keys:
        sections = to_sections(str(key), replace(state, version=1))
        document = {
            name: (
                {"1": value}
                if name in ("meta", "state")
                else {str(i + 1): v for i, v in enumerate(value)}
            )
            for name, value in sections.items()
        }
        store.path_for(key).write_bytes(encode_json(document))


async def median_write(store: TinyDBUserStore, keys: list[UserKey]) -> float:
    import time  # noqa: PLC0415

    durations: list[float] = []
    versions = {key: 1 for key in keys[:20]}
    for i in range(WRITES):
        key = keys[i % len(versions)]
        state = await store.load(key)
        assert state is not None
        started = time.perf_counter()
        await store.save(key, replace(state, seq=i), expected_version=versions[key])
        durations.append(time.perf_counter() - started)
        versions[key] += 1
    return median(durations)


async def one_run() -> tuple[float, float]:
    state = typical_state()
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as big_dir:
        small_keys = populate(Path(small_dir), 10, state)
        big_keys = populate(Path(big_dir), 10_000, state)
        small, big = TinyDBUserStore(Path(small_dir)), TinyDBUserStore(Path(big_dir))
        try:
            return await median_write(small, small_keys), await median_write(big, big_keys)
        finally:
            small.close()
            big.close()


def run() -> BenchResult:
    smalls, bigs = [], []
    for _ in range(RUNS):
        small, big = asyncio.run(one_run())
        smalls.append(small * 1000)
        bigs.append(big * 1000)
    result = BenchResult(
        "Storage: one state write vs number of leaders",
        f"Median time of one leader's save (durable: staged temp file, syncfs, rename, folder "
        "fsync; one at a time, so no batching helps it) "
        f"over {WRITES} saves, median of {RUNS} runs, with 10 and with 10,000 leaders on disk. "
        "Baseline: the 10-leader store in the same run.",
        target=f"10,000-leader median at most {TARGET_RATIO}x the 10-leader median",
    )
    result.add_runs("median write, 10 leaders", smalls, "ms")
    result.add_runs("median write, 10,000 leaders", bigs, "ms")
    ratio = result.add_ratio("ratio 10,000 / 10", bigs, smalls)
    result.met = ratio <= TARGET_RATIO
    return result


if __name__ == "__main__":
    print(run().markdown())
