"""The harness itself, against a throwaway page with the dashboard's headers (CSP and all):
the browser opens our server, axe runs under that CSP, a script in a name does not run."""

from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser

from tests.dashboard.browser.harness import (
    PHONE,
    Server,
    axe_violations,
    no_horizontal_scroll,
    open_context,
    screenshot,
    serve,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
NAME = "<script>alert(1)</script>"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Try</title></head>
<body><main><h1>Hello</h1><p id="name">{name}</p></main></body></html>"""


async def page(_: web.Request) -> web.Response:
    body = PAGE.format(name=NAME.replace("<", "&lt;").replace(">", "&gt;"))
    response = web.Response(text=body, content_type="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    return response


async def test_the_browser_opens_the_real_server_and_axe_runs_under_its_csp(
    browser: Browser, tmp_path: Path
) -> None:
    async with serve(tmp_path, routes=[web.get("/try", page)]) as server:
        await visit(browser, server)


async def visit(browser: Browser, server: Server) -> None:
    context, tab, watched = await open_context(browser, server.url, viewport=PHONE)
    try:
        await tab.goto(server.url + "/try")
        assert await tab.text_content("#name") == NAME
        assert await axe_violations(tab) == []
        assert await no_horizontal_scroll(tab) == 0
        await screenshot(tab, "harness-phone")
        watched.assert_clean()
    finally:
        await context.close()
