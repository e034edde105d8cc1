"""A serve application (TinyDB in a temporary folder, no channels) behind aiohttp's test
client on 127.0.0.1, with a recording notifier for what leaders are told in chat."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.server import Channels, build_web_app
from bot.wiring import App, build_app
from tests.conftest import CONTENT_DIR, FakeClock
from tests.dashboard.seed import seed_cohort, sign_in_link
from tests.schedules.world import RecordingNotifier

COACH = "slack:T1:UCOACH"
PUBLIC_URL = "http://127.0.0.1:3978"


@dataclass
class Site:
    app: App
    client: TestClient  # type: ignore[type-arg]
    clock: FakeClock
    notifier: RecordingNotifier

    async def seed(self, leaders: int, weeks: int = 12, **kwargs: object) -> list[str]:
        return await seed_cohort(self.app, COACH, leaders, weeks, **kwargs)  # type: ignore[arg-type]

    async def sign_in(self, coach: str = COACH) -> None:
        """Open a fresh link and press Continue: the client then holds a session."""
        path = await sign_in_link(self.app, coach)
        page = await self.client.get(path)
        assert page.status == 200
        response = await self.client.post(
            path, data={"csrf": csrf_of(await page.text())}, allow_redirects=False
        )
        assert response.status == 303

    async def csrf(self, path: str = "/dashboard") -> str:
        return csrf_of(await (await self.client.get(path)).text())


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@pytest.fixture
async def site(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Site]:
    async with open_site(tmp_path, clock) as opened:
        yield opened


@asynccontextmanager
async def open_site(tmp_path: Path, clock: FakeClock, **settings: Any) -> AsyncIterator[Site]:
    """The site, with any further settings (`trusted_proxies=…`) given."""
    app = build_app(
        Settings(data_dir=tmp_path, content_dir=CONTENT_DIR, public_url=PUBLIC_URL, **settings),
        clock,
    )
    notifier = RecordingNotifier(clock)
    app.notifiers["slack"] = notifier
    web_app = build_web_app(app, Channels(), timers=False)
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        app.notifiers["slack"] = notifier  # lifecycle ran: keep the recording one
        yield Site(app, client, clock, notifier)
