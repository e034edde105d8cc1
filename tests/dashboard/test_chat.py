"""`coach dashboard` in chat: a link for coaches (not for leaders), the console and a missing
PEERCOACH_PUBLIC_URL say what to do; a leader's `coaches` says when each coach last opened
the dashboard."""

from pathlib import Path

from bot.config import Settings
from bot.domain import UserKey
from bot.wiring import build_app
from dialogs.model import UserText
from tests.conftest import CONTENT_DIR, FakeClock
from tests.dashboard.conftest import COACH, PUBLIC_URL, Site
from tests.dashboard.seed import seed_cohort


async def say(site_app: object, user: str, text: str, clock: FakeClock) -> str:
    reply = await site_app.conversations.handle(  # type: ignore[attr-defined]
        UserKey.parse(user), UserText(text, clock.now())
    )
    return "\n".join(getattr(m, "text", "") for m in reply.messages)


async def test_a_coach_gets_a_link_that_signs_in(site: Site) -> None:
    await site.seed(1)
    said = await say(site.app, COACH, "coach dashboard", site.clock)
    link = next(w for w in said.split() if w.startswith(PUBLIC_URL))
    assert "works once, for 10 minutes" in said
    page = await site.client.get(link.removeprefix(PUBLIC_URL))
    assert "Continue as Casey Coach" in await page.text()


async def test_a_leader_gets_no_link(site: Site) -> None:
    [leader] = await site.seed(1)
    said = await say(site.app, leader, "coach dashboard", site.clock)
    assert PUBLIC_URL not in said


async def test_without_a_public_url_the_coach_is_told_which_setting(
    tmp_path: Path, clock: FakeClock
) -> None:
    app = build_app(Settings(data_dir=tmp_path, content_dir=CONTENT_DIR, port=4100), clock)
    await app.open()
    try:
        await seed_cohort(app, COACH, 1, 1)
        said = await say(app, COACH, "coach dashboard", clock)
        assert "PEERCOACH_PUBLIC_URL" in said
        assert "PEERCOACH_PUBLIC_URL=http://127.0.0.1:4100" in said
        console = "console:coach"
        await seed_cohort(app, console, 1, 1)
        said = await say(app, console, "coach dashboard", clock)
        assert "comes with `peercoach serve`" in said
    finally:
        await app.close()


async def test_coaches_shows_when_the_coach_last_opened_the_dashboard(site: Site) -> None:
    [leader] = await site.seed(1)
    before = await say(site.app, leader, "coaches", site.clock)
    assert "Casey Coach" in before
    assert "has not opened the dashboard" in before
    await site.sign_in()
    after = await say(site.app, leader, "coaches", site.clock)
    assert "last opened the dashboard Fri 27 Nov" in after
