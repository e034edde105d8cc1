"""The coach's dashboard in a real Chromium, served by `peercoach serve`'s application: signing
in from a chat link, the cohort with five leaders and with four, the schedule form and the
leader's notice in chat, escaped names, CSRF, signing out, a revoked coach, the keyboard, and
axe plus phone width and 200% zoom on every page (screenshots under .artefacts/screenshots)."""

import re

import pytest
from playwright.async_api import Browser, expect

from tests.dashboard.browser.harness import Server, screenshot
from tests.dashboard.browser.pages import (
    COACH,
    CONTINUE,
    SIZES,
    Findings,
    Tab,
    check_page,
    open_all_details,
    open_first_leader,
    sign_in,
    tab,
)
from tests.dashboard.seed import (
    COMMITMENT_TEXT,
    PRIVATE_TEXT,
    SHARED_TEXT,
    seed_cohort,
    sign_in_link,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
SMALL_COACH = "slack:T0SMALL:UCOACH"  # a second coach, with four leaders
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def raw_token(path: str) -> str:
    return path.rsplit("/", 1)[1]


async def test_coach_dashboard_in_slack_gives_a_link_that_opens_the_cohort_in_the_browser(
    browser: Browser, server: Server
) -> None:
    """The whole way, as a coach does it: `coach dashboard` in a Slack DM (a signed event, as
    Slack sends it), the link in the bot's reply, Continue in the browser, the cohort; then
    a leader's `coaches` says the coach opened the dashboard."""
    (leader, *_) = await seed_cohort(server.app, COACH, 5, 12)
    said = await server.say("UCOACH", "coach dashboard")
    link = re.search(re.escape(server.url) + r"/dashboard/sign-in/[\w-]+", said)
    assert link is not None, said
    async with tab(browser, server) as opened:
        await opened.page.goto(link[0])
        await opened.page.get_by_role("button", name=CONTINUE).click()
        await expect(opened.page.get_by_role("heading", level=1)).to_have_text("Your cohort")
        await expect(opened.page.locator("table.leaders tbody tr")).to_have_count(5)
    assert "last opened the dashboard" in await server.say(leader.rsplit(":", 1)[1], "coaches")


async def test_a_chat_link_shows_continue_spends_only_on_post_and_works_once(
    browser: Browser, server: Server
) -> None:
    await seed_cohort(server.app, COACH, 5, 12)
    path = await sign_in_link(server.app, COACH)
    async with tab(browser, server) as scanner, tab(browser, server) as coach:
        await scanner.goto(path)  # a link scanner (Safe Links, an unfurl) fetches it first
        await coach.goto(path)
        await coach.page.reload()
        for opened in (scanner, coach):
            await expect(opened.page.get_by_role("button", name=CONTINUE)).to_have_text(
                "Continue as Casey Coach"
            )
        assert await server.app.sign_ins.usable(raw_token(path), server.clock.now())
        await coach.page.get_by_role("button", name=CONTINUE).click()
        await expect(coach.page.get_by_role("heading", level=1)).to_have_text("Your cohort")
        assert await server.app.sign_ins.usable(raw_token(path), server.clock.now()) is None
        (cookie,) = await coach.context.cookies()
        assert cookie["httpOnly"]
        assert cookie["sameSite"] == "Strict"
        assert not cookie["secure"]  # local trial on http://127.0.0.1 only
        hours = (cookie["expires"] - server.clock.now().timestamp()) / 3600
        assert 7.9 < hours <= 8.01

        await scanner.page.get_by_role("button", name=CONTINUE).click()  # the same link, again
        await expect(scanner.page.get_by_role("button")).to_have_count(0)
        assert "coach dashboard" in await scanner.page.inner_text("main")
        assert await scanner.context.cookies() == []
        await scanner.goto("/dashboard")
        assert await scanner.heading() != "Your cohort"

    async with tab(browser, server) as later:  # opening the spent link again: the plain page
        await later.goto(path)
        await expect(later.page.get_by_role("button", name=CONTINUE)).to_have_count(0)
        assert "coach dashboard" in await later.page.inner_text("main")


async def test_five_leaders_show_the_cohort_charts_four_say_why_they_are_hidden(
    browser: Browser, server: Server
) -> None:
    await seed_cohort(server.app, COACH, 5, 12)
    await seed_cohort(server.app, SMALL_COACH, 4, 12)
    async with tab(browser, server) as opened:
        await sign_in(opened)
        await expect(opened.page.locator("table.leaders tbody tr")).to_have_count(5)
        charts = opened.page.locator("figure.chart")
        assert await charts.count() >= 1
        for figure in await charts.all():  # each: a title, a summary, the SVG and a table
            assert (await figure.locator("h3").inner_text()).strip()
            assert (await figure.locator("p.summary").inner_text()).strip()
            await expect(figure.get_by_role("img")).to_have_count(1)
            await expect(figure.locator("table tbody tr")).to_have_count(12)

    async with tab(browser, server) as opened:  # a link never switches a signed-in browser
        await sign_in(opened, SMALL_COACH)
        await expect(opened.page.locator("table.leaders tbody tr")).to_have_count(4)
        await expect(opened.page.locator("figure.chart")).to_have_count(0)
        cohort = opened.page.locator(
            "section", has=opened.page.get_by_role("heading", name="The cohort by week")
        )
        assert "you have 4" in await cohort.inner_text()


async def test_the_schedule_form_adds_and_removes_and_the_leader_is_told_in_chat(
    browser: Browser, server: Server
) -> None:
    (leader, *_) = await seed_cohort(server.app, COACH, 5, 12)
    dm = leader.rsplit(":", 1)[1]
    async with tab(browser, server) as opened:
        await sign_in(opened)
        assert await open_first_leader(opened) == "Leader 0001"  # the first key seeded
        page = opened.page
        await page.get_by_label("Days").fill("mon,wed,fri")
        await page.get_by_label("Time (their local time)").fill("07:45")
        before = len(told(server, dm))
        await page.get_by_role("button", name="Save the schedule").click()
        await expect(page.get_by_role("status")).to_be_visible()
        remove = page.get_by_role("button", name=re.compile(r"^Remove "))
        await expect(remove).to_have_count(1)
        assert "07:45" in await page.locator("ul.schedules").inner_text()
        await server.slack.wait_until(lambda _: len(told(server, dm)) > before)
        assert "Your coach Casey Coach set up nudges for you" in told(server, dm)[-1]

        before = len(told(server, dm))
        await remove.click()
        await expect(page.get_by_role("status")).to_be_visible()
        await expect(remove).to_have_count(0)
        await server.slack.wait_until(lambda _: len(told(server, dm)) > before)
        assert "Your coach Casey Coach removed your schedule" in told(server, dm)[-1]


def told(server: Server, user: str) -> list[str]:
    """What the bot posted to the leader's chat on the fake Slack API."""
    return [
        str(call.params.get("text") or "")
        for call in server.slack.calls_to("chat.postMessage")
        if user in str(call.params.get("channel"))
    ]


async def test_names_that_look_like_html_are_shown_as_text_and_never_run(
    browser: Browser, server: Server
) -> None:
    names = [SCRIPT, IMG, "Leader 3", "Leader 4", "Leader 5"]
    await seed_cohort(server.app, COACH, 5, 12, names=names, coach_name=SCRIPT)
    async with tab(browser, server) as opened:  # a dialog would fail the tab on leaving
        await opened.goto(await sign_in_link(server.app, COACH))
        await expect(opened.page.get_by_role("button", name=CONTINUE)).to_have_text(
            f"Continue as {SCRIPT}"
        )
        await opened.page.get_by_role("button", name=CONTINUE).click()
        leaders = opened.page.locator("table.leaders tbody th a")
        await expect(leaders.filter(has_text=SCRIPT)).to_have_count(1)
        await expect(leaders.filter(has_text=IMG)).to_have_count(1)
        assert SCRIPT in await opened.page.locator("nav", has_text="Signed in as").inner_text()
        await expect(opened.page.locator("img")).to_have_count(0)
        await expect(opened.page.locator("body script")).to_have_count(0)
        await leaders.filter(has_text=IMG).click()
        await expect(opened.page.get_by_role("heading", level=1)).to_have_text(IMG)
        await expect(opened.page.locator("img")).to_have_count(0)
        assert await opened.page.title() == f"{IMG} – peercoach"


async def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(
    browser: Browser, server: Server
) -> None:
    await seed_cohort(server.app, COACH, 5, 12)
    async with tab(browser, server) as opened:
        await sign_in(opened)
        await open_first_leader(opened)
        action = await opened.page.locator("form.add").get_attribute("action")
        assert action is not None
        form = {"days": "daily", "time": "09:00"}
        for extra in ({}, {"csrf": "not-the-token"}):
            answer = await opened.context.request.post(
                opened.server.url + action, form=form | extra, max_redirects=0
            )
            assert answer.status == 403, (extra, answer.status)
        signed_out = await opened.context.request.post(
            opened.server.url + "/dashboard/sign-out", form={"csrf": "wrong"}, max_redirects=0
        )
        assert signed_out.status == 403
        path = await sign_in_link(server.app, COACH)  # Continue without the page's token
        for extra in ({}, {"csrf": "not-the-token"}):
            answer = await opened.context.request.post(
                opened.server.url + path, form=extra, max_redirects=0
            )
            assert answer.status == 403, (extra, answer.status)
        assert await server.app.sign_ins.usable(raw_token(path), server.clock.now())
        await opened.page.reload()  # still signed in, and nothing was added
        await expect(
            opened.page.get_by_role("button", name=re.compile(r"^Remove "))
        ).to_have_count(0)


async def test_signing_out_ends_the_session(browser: Browser, server: Server) -> None:
    await seed_cohort(server.app, COACH, 5, 12)
    async with tab(browser, server) as opened:
        await sign_in(opened)
        await opened.page.get_by_role("button", name="Sign out").click()
        await expect(opened.page.get_by_role("heading", level=1)).to_have_text("Signed out")
        await opened.goto("/dashboard")
        assert await opened.heading() != "Your cohort"
        await expect(opened.page.get_by_role("button", name="Sign out")).to_have_count(0)


async def test_a_revoked_coach_is_signed_out_at_the_next_request(
    browser: Browser, server: Server
) -> None:
    await seed_cohort(server.app, COACH, 5, 12)
    async with tab(browser, server) as opened:
        await sign_in(opened)
        await open_first_leader(opened)
        await server.app.coaching_store.revoke(COACH)
        await opened.page.get_by_role("link", name="Back to your cohort").click()
        assert await opened.heading() != "Your cohort"
        await expect(opened.page.get_by_role("button", name="Sign out")).to_have_count(0)


async def test_the_schedule_form_works_from_the_keyboard_alone(
    browser: Browser, server: Server
) -> None:
    (leader, *_) = await seed_cohort(server.app, COACH, 5, 12)
    dm = leader.rsplit(":", 1)[1]
    async with tab(browser, server) as opened:
        await sign_in(opened)
        page = opened.page
        await page.keyboard.press("Tab")
        assert await focused_is(opened, "a.skip")  # the first stop: Skip to content
        assert await tab_to(opened, "table.leaders tbody th a")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).not_to_have_text("Your cohort")
        assert await tab_to(opened, "#days")
        await opened.page.locator("#days").scroll_into_view_if_needed()
        await screenshot(page, "leader-keyboard-focus-desktop", full_page=False)
        await page.keyboard.press("ControlOrMeta+a")
        await page.keyboard.type("weekends")
        await page.keyboard.press("Tab")
        assert await focused_is(opened, "#time")
        await page.keyboard.press("ControlOrMeta+a")
        await page.keyboard.type("10:15")
        before = len(told(server, dm))
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("status")).to_be_visible()
        assert "10:15" in await page.locator("ul.schedules").inner_text()
        await server.slack.wait_until(lambda _: len(told(server, dm)) > before)


async def tab_to(opened: Tab, selector: str, *, limit: int = 80) -> bool:
    """Press Tab until the element matching `selector` has focus (at most `limit` times);
    every stop on the way shows where the focus is (an outline)."""
    for _ in range(limit):
        await opened.page.keyboard.press("Tab")
        if await focused_is(opened, selector):
            return True
        outline = await opened.page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle + ' ' + s.outlineWidth; }"
        )
        assert not outline.startswith("none"), outline
    return False


async def focused_is(opened: Tab, selector: str) -> bool:
    matched: bool = await opened.page.evaluate(
        "(s) => document.activeElement !== null && document.activeElement.matches(s)", selector
    )
    return matched


async def test_every_page_passes_axe_fits_a_phone_and_200_percent_zoom(
    browser: Browser, server: Server
) -> None:
    """Every page at 1280 px, 390 px and 1280 px at 200% (640 CSS px): 0 axe violations, no
    sideways scrolling of the page. Screenshots of each, named page-size."""
    await seed_cohort(server.app, COACH, 5, 12)
    await seed_cohort(server.app, SMALL_COACH, 4, 12)
    found: dict[str, Findings] = {}
    for size, viewport, scale, shoot in SIZES:
        async with tab(browser, server, viewport=viewport, scale=scale) as opened:
            found |= await tour(opened, size, shoot=shoot)
    problems = [
        f"{name}: {'; '.join(f.axe)}" + (f" overflow {f.overflow}px" if f.overflow else "")
        for name, f in found.items()
        if f.axe or f.overflow > 0
    ]
    assert problems == [], "\n".join(problems)


async def tour(opened: Tab, size: str, *, shoot: bool) -> dict[str, Findings]:
    page = opened.page
    found = {}

    async def look(name: str) -> None:
        found[f"{name}-{size}"] = await check_page(opened, f"{name}-{size}", shoot=shoot)

    path = await sign_in_link(opened.server.app, COACH)
    await opened.goto(path)
    await look("sign-in")
    await page.get_by_role("button", name=CONTINUE).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your cohort")
    await open_all_details(page)
    await look("cohort")
    text = await page.inner_text("body")
    assert SHARED_TEXT in text
    assert PRIVATE_TEXT not in text
    assert COMMITMENT_TEXT not in text
    await open_first_leader(opened)
    await page.locator("details.more-charts > summary").click()
    await open_all_details(page)
    await look("leader")
    await page.get_by_label("Time (their local time)").fill("25:99")
    await page.get_by_role("button", name="Save the schedule").click()
    await expect(page.get_by_role("alert").or_(page.locator(".problem"))).not_to_have_count(0)
    await look("leader-problem")
    await opened.goto(path)  # the spent link
    await look("link-used")
    await opened.goto("/dashboard")
    await page.get_by_role("button", name="Sign out").click()
    await look("signed-out")
    await opened.goto("/dashboard")
    await look("not-signed-in")
    await sign_in(opened, SMALL_COACH)
    await look("cohort-four")
    return found
