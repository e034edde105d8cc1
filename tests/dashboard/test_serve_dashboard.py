"""The whole way, as a coach would take it: a real `peercoach serve` (Slack against the fake
Web API, signed requests as Slack sends them), `coach dashboard` in a DM, the link from the
bot's reply opened and confirmed over HTTP, and the cohort page behind it."""

import asyncio
import re
from pathlib import Path

import aiohttp

from tests.bot.test_serve import SECRET, free_port, slack_serve_env, start_serve, wait_until_up
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import TEAM_ID, event_body, message_im, signed_headers

LINK = re.compile(r"http://127\.0\.0\.1:\d+/dashboard/sign-in/[A-Za-z0-9_-]+")


async def dm(http: aiohttp.ClientSession, url: str, user: str, text: str) -> None:
    body = event_body(message_im(user, text))
    async with http.post(
        url + "/slack/events", data=body.encode(), headers=signed_headers(SECRET, body)
    ) as response:
        assert response.status == 200


def said(fake: FakeSlackApi) -> str:
    return "\n".join(str(c.params.get("text", "")) for c in fake.calls_to("chat.postMessage"))


async def test_a_coach_signs_in_from_the_link_the_bot_sends(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with FakeSlackApi() as fake:
        env = slack_serve_env(fake, port, tmp_path) | {
            "PEERCOACH_PUBLIC_URL": url,
            "PEERCOACH_ADMINS": f"slack:{TEAM_ID}:UADMIN",
        }
        process = await asyncio.to_thread(start_serve, env, tmp_path / "serve.log")
        try:
            await wait_until_up(url, process)
            jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
            async with aiohttp.ClientSession(cookie_jar=jar) as http:
                await dm(http, url, "UADMIN", "admin coach <@UCOACH>")
                await fake.wait_for("chat.postMessage", 2)  # the admin's answer, the notice
                await dm(http, url, "UCOACH", "coach dashboard")
                for _ in range(50):  # bounded: 5 s
                    if found := LINK.search(said(fake)):
                        break
                    await asyncio.sleep(0.1)
                assert found, said(fake)
                link = found.group(0)
                async with http.get(link) as page:
                    assert page.status == 200
                    html = await page.text()
                assert "Continue as" in html
                csrf = re.search(r'name="csrf" value="([^"]+)"', html)
                assert csrf
                async with http.post(link, data={"csrf": csrf.group(1)}) as signed_in:
                    assert signed_in.status == 200  # after the redirect to /dashboard
                    assert "Your cohort" in await signed_in.text()
                    assert signed_in.headers["X-Content-Type-Options"] == "nosniff"
                async with http.post(link, data={"csrf": csrf.group(1)}) as again:
                    assert again.status == 410
        finally:
            process.terminate()
            assert process.wait(timeout=20) == 0, (tmp_path / "serve.log").read_text()
        token = link.rsplit("/", 1)[-1]
        assert token not in (tmp_path / "serve.log").read_text()  # never logged
        assert token not in (tmp_path / "dashboard.json").read_text()  # stored as its hash
