"""A real peercoach process under continuous write load, for the backup tests.

    python -m tests.backup.writer_process DATA_DIR LEADERS IDLE STOP_FILE

First IDLE leaders get a state once: files a backup must copy too, so that copying takes
long enough for rounds to go on meanwhile. Then, round after round, through the real
stores: every leader's state (display name "round r"), then one ledger line per leader
("<leader>:r" sent), then the schedule "marker" (created by "round:r"). So at every
instant, for a leader at round n, the ledger's newest round for them and the marker's round
are each n - 1 or n: a snapshot of one instant satisfies that; files copied at different
moments while rounds go on do not. Stops when STOP_FILE appears (or
after MAX_SECONDS); prints "round r" after each round.
"""

import asyncio
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import UserKey
from bot.schedules.ledger import Entry
from bot.schedules.model import NudgeSchedule
from bot.wiring import App, build_app
from dialogs.model import UserState
from dialogs.recurrence import parse_days
from tests.conftest import CONTENT_DIR

MAX_SECONDS = 120


def leader(index: int) -> UserKey:
    return UserKey.console(f"leader{index:04d}")


def marker(round_number: int) -> NudgeSchedule:
    return NudgeSchedule(
        id="marker",
        user="console:marker",
        themes=("influence",),
        days=parse_days("daily"),
        at=clock_time(9, 0),
        timezone="UTC",
        created_by=f"round:{round_number}",
        created_at=datetime.now(UTC),
    )


async def write_round(app: App, keys: list[UserKey], round_number: int) -> None:
    async def one(key: UserKey) -> None:
        def decide(stored: UserState | None) -> tuple[UserState, None]:
            state = stored or UserState()
            profile = replace(state.profile, display_name=f"round {round_number}")
            return replace(state, profile=profile), None

        await app.users.transact(key, decide)
        entry = Entry(f"{key}:{round_number}", "sent", datetime.now(UTC), user=str(key))
        await app.ledger.record(entry)

    await asyncio.gather(*(one(key) for key in keys))
    await app.schedules.put_schedules(marker(round_number))


async def run(data_dir: Path, count: int, idle: int, stop: Path) -> None:
    app = build_app(Settings(data_dir=data_dir, content_dir=CONTENT_DIR), SystemClock())
    await app.open()
    idlers = [UserKey.console(f"idle{i:05d}") for i in range(idle)]
    await asyncio.gather(*(app.users.save(key, UserState(), expected_version=0) for key in idlers))
    keys = [leader(i) for i in range(count)]
    deadline = time.monotonic() + MAX_SECONDS
    round_number = 0
    while not os.path.exists(stop) and time.monotonic() < deadline:  # noqa: ASYNC240 - a stat
        round_number += 1
        await write_round(app, keys, round_number)
        sys.stdout.write(f"round {round_number}\n")
        sys.stdout.flush()
    await app.close()


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])))
