"""A real peercoach process for the crash test: `setup` creates N leaders due now, `run`
starts the app, which catches up and fans the deliveries out to a file notifier.

    python -m tests.schedules.fanout_process setup DATA_DIR N
    python -m tests.schedules.fanout_process run DATA_DIR OUT_FILE

`setup` is also called in-process, with `user` naming leaders on another channel, and with
`database_url` to write them into a PostgreSQL database instead of DATA_DIR's TinyDB.
"""

import asyncio
import os
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import Reply, UserKey
from bot.schedules.model import NudgeSchedule
from bot.storage.postgres.commands import prepare_database
from bot.storage.postgres.url import DatabaseUrl
from bot.wiring import Database, build_app
from dialogs.recurrence import parse_days
from tests.conftest import CONTENT_DIR


class FileNotifier:
    """Appends one line per delivery and fsyncs it: the record of what really went out.
    Like Slack's message metadata, it can answer whether a key was delivered."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("a", encoding="utf-8")

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        await asyncio.sleep(0.002)  # a little network time, so a kill lands mid fan-out
        self.handle.write(f"{delivery}\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:
        return delivery in self.path.read_text(encoding="utf-8").split()


async def setup(
    data_dir: Path,
    count: int,
    user: str = "console:leader{i:04d}",
    *,
    database_url: str | None = None,
) -> None:
    """`count` daily schedules due a minute ago, one per leader `user.format(i=...)`, and a
    last heartbeat before that, as if the server had been down since. With `database_url`,
    in that (migrated) PostgreSQL database, as `serve` on it would have written them."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    database = None
    if database_url is not None:
        url = DatabaseUrl.parse(database_url)
        database = Database(url, await prepare_database(url))
    settings = Settings(data_dir=data_dir, content_dir=CONTENT_DIR)
    app = build_app(settings, SystemClock(), database)
    await app.open()
    schedules = [
        NudgeSchedule(
            id=f"s{i:04d}",
            user=user.format(i=i),
            themes=("influence",),
            days=parse_days("daily"),
            at=time(due.hour, due.minute),
            timezone="UTC",
            created_by="console:coach",
            created_at=now,
        )
        for i in range(count)
    ]
    await app.schedules.put_schedules(*schedules)
    await app.ledger.tick(due - timedelta(minutes=5))  # "the server was last up before this"
    await app.close()
    if database is not None:
        await database.pool.close()


async def run(data_dir: Path, out: Path) -> None:
    app = build_app(Settings(data_dir=data_dir, content_dir=CONTENT_DIR), SystemClock())
    app.notifiers["console"] = FileNotifier(out)
    await app.open()
    await app.start_scheduler(timers=False)  # start-up catch-up is the fan-out
    await app.close()
    sys.stdout.write("done\n")


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "setup":
        asyncio.run(setup(folder, int(sys.argv[3])))
    else:
        asyncio.run(run(folder, Path(sys.argv[3])))
