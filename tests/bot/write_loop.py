"""A child process for the crash test: it writes without pause until it is killed.

Each round saves two leaders' states (one group-committed batch), the shared schedules file
and a delivery-ledger line, then appends the round number to ACK_FILE: everything up to the
last number there was durable before it was written. A new process carries on from what it
finds on disk.

    python -m tests.bot.write_loop DATA_DIR ACK_FILE
"""

import asyncio
import sys
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path

from bot.domain import UserKey
from bot.schedules.ledger import Entry
from bot.schedules.model import NudgeSchedule
from bot.schedules.store import ScheduleStore
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import UserState

LEADERS = (UserKey.console("alice"), UserKey.console("bob"))
SCHEDULE = "s1"
OTHERS = 500  # other leaders' schedules: the shared file is as large as in real use


def round_in(text: str) -> int:
    """The round a `padded()` text was written in (0 for no text: never)."""
    return int(text.split()[1]) if text else 0


def round_of(state: UserState | None) -> int:
    return round_in(state.profile.display_name if state else "")


def padded(round_: int) -> str:
    """`round N` and some padding, so files shrink as often as they grow: a writer that
    overwrote in place would leave the tail of a longer old file behind."""
    return f"round {round_} " + "x" * (round_ * 37 % 300)


def renamed(state: UserState, round_: int) -> UserState:
    return replace(state, profile=replace(state.profile, display_name=padded(round_)))


def schedule_for(round_: int, schedule_id: str = SCHEDULE) -> NudgeSchedule:
    return NudgeSchedule(
        id=schedule_id,
        user=str(LEADERS[0]),
        themes=(padded(round_),),
        days=frozenset({0}),
        at=time(9, 0),
        timezone="UTC",
        created_by=str(LEADERS[0]),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def ledger_key(round_: int) -> str:
    return f"round-{round_}"


async def write_forever(data_dir: Path, acks: Path) -> None:
    users = TinyDBUserStore(data_dir)
    schedules = ScheduleStore(TinyDBScheduleBackend(data_dir))
    await schedules.load()
    if not schedules.schedules():
        await schedules.put_schedules(*(schedule_for(0, f"other{i}") for i in range(OTHERS)))
    ledger = FileDeliveryLedger(data_dir / "deliveries.log")
    await ledger.open()
    states = [await users.load(key) or UserState() for key in LEADERS]
    round_ = max(round_of(state) for state in states)
    with acks.open("a", encoding="utf-8") as ack:
        while True:
            round_ += 1
            states = await asyncio.gather(
                *(
                    users.save(key, renamed(state, round_), expected_version=state.version)
                    for key, state in zip(LEADERS, states, strict=True)
                )
            )
            await schedules.put_schedules(schedule_for(round_))
            await ledger.record(Entry(ledger_key(round_), "sent", datetime.now(UTC)))
            ack.write(f"{round_}\n")
            ack.flush()  # the page cache outlives a SIGKILL of this process


if __name__ == "__main__":
    asyncio.run(write_forever(Path(sys.argv[1]), Path(sys.argv[2])))
