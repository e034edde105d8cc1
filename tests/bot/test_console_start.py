"""The console's start: a check-in that fell due while the console was closed is shown
once, after the banner (review 12f: printed before the banner and again after it)."""

import io
from pathlib import Path

from bot.cli import _run_console
from bot.config import Settings
from bot.domain import UserKey
from bot.wiring import build_app
from dialogs.model import UserText
from tests.conftest import CONTENT_DIR, FakeClock

KEY = UserKey.console("alice")


async def _commit(settings: Settings, clock: FakeClock) -> None:
    app = build_app(settings, clock)
    await app.open()
    try:
        for line in (
            "start Where is your energy going?",
            "back-to-back meetings",
            "1",
            "a walk at lunch",
            "block Thursday lunch",
            "A peer in the system",
            "ask Sam to chair the huddle by Friday",
        ):
            clock.advance(seconds=20)
            await app.conversations.handle(KEY, UserText(line, clock.now()))
    finally:
        await app.close()


async def test_a_check_in_due_while_away_is_shown_once_after_the_banner(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, content_dir=CONTENT_DIR)
    clock = FakeClock()
    await _commit(settings, clock)
    clock.advance(days=10)  # the check-in fell due while the console was closed
    out = io.StringIO()
    await _run_console(build_app(settings, clock), KEY, stdin=io.StringIO(""), stdout=out)
    text = out.getvalue()
    assert text.count("How did it go?") == 1, text
    assert text.index("peercoach console") < text.index("How did it go?")
