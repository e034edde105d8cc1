"""Steps the browser tests share: a signed-in tab, and the checks every page gets (axe, no
sideways scrolling, a clean console, screenshots at desktop and phone widths)."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.dashboard.browser.harness import (
    DESKTOP,
    PHONE,
    ZOOM_200,
    Server,
    Watched,
    axe_violations,
    no_horizontal_scroll,
    open_context,
    screenshot,
)
from tests.dashboard.seed import sign_in_link

COACH = "slack:T0FAKE:UCOACH"
CONTINUE = re.compile(r"^Continue as ")


@dataclass
class Tab:
    context: BrowserContext
    page: Page
    watched: Watched
    server: Server

    async def goto(self, path: str) -> None:
        await self.page.goto(self.server.url + path)

    async def heading(self) -> str:
        return (await self.page.get_by_role("heading", level=1).inner_text()).strip()


@asynccontextmanager
async def tab(
    browser: Browser, server: Server, *, viewport: ViewportSize = DESKTOP, scale: float = 1
) -> AsyncIterator[Tab]:
    """A fresh browser profile; on leaving, no dialog, console error or outside request."""
    context, page, watched = await open_context(
        browser, server.url, viewport=viewport, scale=scale
    )
    try:
        yield Tab(context, page, watched, server)
        watched.assert_clean()
    finally:
        await context.close()


async def sign_in(opened: Tab, coach: str = COACH) -> None:
    """Open a fresh chat link and press Continue: the cohort page."""
    await opened.goto(await sign_in_link(opened.server.app, coach))
    await opened.page.get_by_role("button", name=CONTINUE).click()
    await expect(opened.page.get_by_role("heading", level=1)).to_have_text("Your cohort")


async def open_first_leader(opened: Tab) -> str:
    """From the cohort page, follow the first leader's link; returns the leader's name."""
    first = opened.page.locator("table.leaders tbody th a").first
    name = (await first.inner_text()).strip()
    await first.click()
    await expect(opened.page.get_by_role("heading", level=1)).to_have_text(name)
    return name


async def open_all_details(page: Page) -> None:
    """Unfold every <details> (the charts' tables), so axe checks what they hold too."""
    await page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


@dataclass
class Findings:
    """What a page showed at one size: axe's violations and sideways overflow in CSS px."""

    axe: list[str]
    overflow: int


async def check_page(opened: Tab, name: str, *, shoot: bool = True) -> Findings:
    """axe and the page's width as it is now; a full-page screenshot named `name`."""
    found = Findings(await axe_violations(opened.page), await no_horizontal_scroll(opened.page))
    if shoot:
        await screenshot(opened.page, name)
    return found


# name, viewport, device scale, screenshots (desktop and phone: 200% zoom is checked only)
SIZES = (
    ("desktop", DESKTOP, 1.0, True),
    ("phone", PHONE, 1.0, True),
    ("zoom200", ZOOM_200, 2.0, False),
)
