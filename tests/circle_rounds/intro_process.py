"""A real peercoach process for the kill -9 test of a round's introductions:

    python -m tests.circle_rounds.intro_process setup DATA_DIR N
    python -m tests.circle_rounds.intro_process run DATA_DIR OUT_FILE

`setup` stores N leaders of three organisations, a coach and a circle they all joined, and
starts a round with `circle round ... now` (its introductions due at once); `run` starts
the app (which settles what a kill left pending) and runs the round job once, fanning the
introductions out to a file notifier that fsyncs a line per delivery."""

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import UserKey
from bot.wiring import build_app
from tests.circle_rounds.helpers import Leader, new_circle, store_leader
from tests.conftest import CONTENT_DIR
from tests.schedules.fanout_process import FileNotifier

COACH = "console:coach"
ORGANISATIONS = ("Leeds Teaching Hospitals", "Bradford Care Trust", "West Yorkshire ICB")


async def setup(data_dir: Path, count: int) -> None:
    now = datetime.now(UTC)
    app = build_app(Settings(data_dir=data_dir, content_dir=CONTENT_DIR), SystemClock())
    await app.open()
    store = app.circles  # TinyDB: circles.json in the data folder
    users = [f"console:leader{i:04d}" for i in range(count)]
    for i, user in enumerate(users):
        organisation = ORGANISATIONS[i % len(ORGANISATIONS)]
        await store_leader(app, Leader(user, f"Leader {i}", organisation, f"About {i}"), now)
    await store_leader(app, Leader(COACH, "Chris Coach", None), now)
    circle = await new_circle(store, COACH, users, now)
    assert app.rounds is not None
    await app.rounds.round_now(UserKey.parse(COACH), circle, now)
    await app.close()


async def run(data_dir: Path, out: Path) -> None:
    app = build_app(Settings(data_dir=data_dir, content_dir=CONTENT_DIR), SystemClock())
    app.notifiers["console"] = FileNotifier(out)
    await app.open()
    await app.start_scheduler(timers=False)  # settles what a kill left pending
    assert app.rounds is not None
    await app.rounds.tick()  # the fan-out of the round's introductions
    await app.close()
    sys.stdout.write("done\n")


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "setup":
        asyncio.run(setup(folder, int(sys.argv[3])))
    else:
        asyncio.run(run(folder, Path(sys.argv[3])))
