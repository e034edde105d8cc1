"""The browser tests' harness: Debian's Chromium driven by Playwright's async API (pointed at
the installed browser with `executable_path`: Playwright's own browser downloads do not work
here), and `peercoach serve`'s real aiohttp application on 127.0.0.1 at a free port, with the
fake Slack Web API for the notices leaders get in chat.

Every page a test opens is watched (`Watched`): a JavaScript dialog (an XSS that ran), an
error in the browser's console (a CSP refusal included) or a request to anywhere but our
server is recorded, and the tests assert there were none."""

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import ClientSession, web
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Request,
    Response,
    ViewportSize,
)

from bot.config import Settings, SlackSettings
from bot.server import build_channels, build_web_app, listen_socket
from bot.wiring import App, build_app
from tests.conftest import CONTENT_DIR, ROOT, FakeClock
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / ".artefacts" / "screenshots"
SIGNING_SECRET = "test-signing-secret"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
ZOOM_200 = ViewportSize(width=640, height=400)  # a 1280-pixel screen at 200%: half the CSS px


def chromium_path() -> str | None:
    """PEERCOACH_CHROMIUM, else Debian's /usr/bin/chromium; None when neither is there."""
    wanted = os.environ.get("PEERCOACH_CHROMIUM") or CHROMIUM
    return shutil.which(wanted)


@dataclass
class Server:
    """`peercoach serve`'s application, listening on 127.0.0.1:<port>."""

    app: App
    web_app: web.Application
    slack: FakeSlackApi
    clock: FakeClock
    url: str  # the root, without a trailing "/"

    async def say(self, user: str, text: str) -> str:
        """A Slack user writes in their DM with the bot (a signed event, as Slack sends it);
        returns the text of what the bot posted back."""
        before = len(self.slack.calls_to("chat.postMessage"))
        body = event_body(message_im(user, text))
        async with (
            ClientSession() as http,
            http.post(
                self.url + "/slack/events",
                data=body.encode(),
                headers=signed_headers(SIGNING_SECRET, body),
            ) as answer,
        ):
            assert answer.status == 200
        calls = await self.slack.wait_for("chat.postMessage", before + 1)
        return "\n".join(str(c.params.get("text") or "") for c in calls[before:])


@asynccontextmanager
async def serve(data_dir: Path) -> AsyncIterator[Server]:
    """The real server as `peercoach serve` builds it (build_app, build_channels,
    build_web_app; no timers), on a socket bound first so its public URL can name the port."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))  # cookies meet a real browser
    async with FakeSlackApi() as slack:
        sock = listen_socket("127.0.0.1", 0)
        port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        settings = Settings(
            data_dir=data_dir,
            content_dir=CONTENT_DIR,
            port=port,
            public_url=url,  # local trial: links and an http cookie on 127.0.0.1
            slack=SlackSettings(
                bot_token=slack.token,
                signing_secret=SIGNING_SECRET,
                api_url=slack.url + "api/",
                history_per_minute=60_000,
            ),
        )
        app = build_app(settings, clock)
        web_app = build_web_app(app, build_channels(app, slack_pace=0), timers=False)
        runner = web.AppRunner(web_app, access_log=None)
        try:
            await runner.setup()
            await web.SockSite(runner, sock).start()
            yield Server(app, web_app, slack, clock, url)
        finally:
            await runner.cleanup()
            sock.close()  # the site closed it, unless starting failed first


@dataclass
class Watched:
    """What a page did that it must not: dialogs, console errors, requests elsewhere."""

    origin: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)

    def on_console(self, message: ConsoleMessage) -> None:
        # A refusal page is a document with a 4xx status, which the console reports too;
        # a failed stylesheet or image is caught by on_response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"{message.text} ({message.location['url']})")

    def on_response(self, response: Response) -> None:
        request = response.request
        wanted = request.resource_type != "document" and not request.url.endswith("/favicon.ico")
        if response.status >= 400 and wanted:
            self.errors.append(f"{request.url} answered {response.status}")

    def on_request(self, request: Request) -> None:
        if not request.url.startswith(self.origin + "/") and request.url != self.origin:
            self.elsewhere.append(request.url)

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a script ran and opened a dialog: {self.dialogs}"
        assert self.errors == [], f"the browser's console has errors: {self.errors}"
        assert self.elsewhere == [], f"the page fetched from elsewhere: {self.elsewhere}"


async def open_context(
    browser: Browser, origin: str, *, viewport: ViewportSize = DESKTOP, scale: float = 1
) -> tuple[BrowserContext, Page, Watched]:
    context = await browser.new_context(viewport=viewport, device_scale_factor=scale)
    context.set_default_timeout(5_000)  # a missing element fails in seconds, not 30
    page = await context.new_page()
    watched = Watched(origin)
    page.on("dialog", watched.on_dialog)
    page.on("console", watched.on_console)
    page.on("request", watched.on_request)
    page.on("response", watched.on_response)
    return context, page, watched


async def no_horizontal_scroll(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    extra: int = await page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
    return extra


_AXE = Axe()
AXE_RUNS: list[int] = []  # violations found by each axe run, for the line at the end


async def axe_violations(page: Page) -> list[str]:
    """axe-core run on the page, offline: one line per violated rule, with the elements."""
    results = await _AXE.run(page)
    AXE_RUNS.append(len(results.response["violations"]))
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
    ]


TAKEN: list[Path] = []  # this run's screenshots, for the line at the end of the run


async def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    TAKEN.append(path)
    return path
