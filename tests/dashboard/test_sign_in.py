"""Signing in from a chat link: a GET never spends the token (link scanners fetch links
first), the POST with its CSRF token does, once; used, expired and other coaches' tokens get
one plain page; bad tokens from one address are slowed down; the session cookie's flags."""

from bot.dashboard.access import digest
from tests.dashboard.conftest import COACH, PUBLIC_URL, Site, csrf_of
from tests.dashboard.seed import sign_in_link

OTHER = "slack:T1:UOTHER"


async def test_a_get_shows_continue_as_and_never_spends_the_token(site: Site) -> None:
    await site.seed(1, coach_name="Casey Coach")
    path = await sign_in_link(site.app, COACH)
    for _ in range(3):  # Safe Links, an unfurl, then the person
        page = await site.client.get(path)
        assert page.status == 200
        assert "Continue as Casey Coach" in await page.text()
    assert "peercoach_dashboard" not in page.cookies
    response = await site.client.post(
        path, data={"csrf": csrf_of(await page.text())}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == "/dashboard"
    cookie = response.cookies["peercoach_dashboard"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/dashboard"
    assert int(cookie["max-age"]) == 8 * 3600
    assert not cookie["secure"]  # local trial on http://127.0.0.1 only
    assert (await site.client.get("/dashboard")).status == 200


async def test_a_token_signs_in_once(site: Site) -> None:
    await site.seed(1)
    path = await sign_in_link(site.app, COACH)
    csrf = csrf_of(await (await site.client.get(path)).text())
    first = await site.client.post(path, data={"csrf": csrf}, allow_redirects=False)
    assert first.status == 303
    site.client.session.cookie_jar.clear()
    again = await site.client.post(path, data={"csrf": csrf}, allow_redirects=False)
    assert again.status == 410
    text = await again.text()
    assert "no longer works" in text
    assert "<code>coach dashboard</code>" in text  # how to get a new one
    assert "`" not in text  # chat markup does not leak onto a web page
    assert (await site.client.get(path)).status == 410
    assert (await site.client.get("/dashboard")).status == 401


async def test_a_post_without_the_csrf_token_is_refused_and_spends_nothing(site: Site) -> None:
    await site.seed(1)
    path = await sign_in_link(site.app, COACH)
    refused = await site.client.post(path, data={"csrf": "forged"}, allow_redirects=False)
    assert refused.status == 403
    assert (await site.client.get(path)).status == 200  # still usable


async def test_an_expired_link_is_refused(site: Site) -> None:
    await site.seed(1)
    path = await sign_in_link(site.app, COACH)
    csrf = csrf_of(await (await site.client.get(path)).text())
    site.clock.advance(minutes=10, seconds=1)
    assert (await site.client.get(path)).status == 410
    response = await site.client.post(path, data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 410


async def test_another_coachs_link_does_not_switch_the_session(site: Site) -> None:
    await site.seed(1)
    await site.app.coaching_store.grant(OTHER, "console:admin", site.clock.now())
    await site.sign_in(COACH)
    theirs = await sign_in_link(site.app, OTHER)
    assert (await site.client.get(theirs)).status == 410


async def test_the_token_is_stored_only_as_its_hash(site: Site) -> None:
    await site.seed(1)
    path = await sign_in_link(site.app, COACH)
    raw = path.rsplit("/", 1)[-1]
    stored = (site.app.settings.data_dir / "dashboard.json").read_text()
    assert raw not in stored
    assert len(raw) >= 40


async def test_the_link_from_chat_names_the_public_url(site: Site) -> None:
    await site.seed(1)
    link = await site.app.sign_ins.link_for(COACH, site.clock.now())
    assert link is not None
    assert link.startswith(PUBLIC_URL + "/dashboard/sign-in/")


async def test_bad_tokens_from_one_address_are_slowed_down(site: Site) -> None:
    for n in range(5):
        assert (await site.client.get(f"/dashboard/sign-in/guess{n}")).status == 410
    await site.seed(1)
    good = await sign_in_link(site.app, COACH)
    slowed = await site.client.get(good)
    assert slowed.status == 429
    assert int(slowed.headers["Retry-After"]) > 0
    site.clock.advance(minutes=10, seconds=1)  # the failures age out (and that link too)
    assert (await site.client.get(await sign_in_link(site.app, COACH))).status == 200


async def test_a_revoked_coach_cannot_sign_in_or_stay(site: Site) -> None:
    await site.seed(1)
    await site.sign_in()
    pending = await sign_in_link(site.app, COACH)
    await site.app.coaching_store.revoke(COACH)
    page = await site.client.get("/dashboard")
    assert page.status == 403
    assert "no longer a coach" in await page.text()
    await site.app.coaching_store.grant(COACH, "console:admin", site.clock.now())
    assert (await site.client.get("/dashboard")).status == 401  # that session ended
    site.client.session.cookie_jar.clear()
    await site.app.coaching_store.revoke(COACH)
    csrf = csrf_of(await (await site.client.get(pending)).text())
    refused = await site.client.post(pending, data={"csrf": csrf}, allow_redirects=False)
    assert refused.status == 410


async def test_sign_out_ends_the_session(site: Site) -> None:
    await site.seed(1)
    await site.sign_in()
    stolen = site.client.session.cookie_jar.filter_cookies(site.client.make_url("/dashboard"))
    csrf = await site.csrf()
    assert (await site.client.post("/dashboard/sign-out", data={"csrf": "x"})).status == 403
    out = await site.client.post("/dashboard/sign-out", data={"csrf": csrf})
    assert out.status == 200
    assert (await site.client.get("/dashboard")).status == 401
    value = stolen["peercoach_dashboard"].value  # a copy of the cookie no longer works
    again = await site.client.get("/dashboard", cookies={"peercoach_dashboard": value})
    assert again.status == 401


async def test_sessions_last_eight_hours(site: Site) -> None:
    await site.seed(1)
    await site.sign_in()
    site.clock.advance(hours=7, minutes=59)
    assert (await site.client.get("/dashboard")).status == 200
    site.clock.advance(minutes=2)
    assert (await site.client.get("/dashboard")).status == 401


async def test_expired_tokens_are_dropped_at_a_later_sign_in(site: Site) -> None:
    await site.seed(1)
    old = await sign_in_link(site.app, COACH)
    site.clock.advance(days=2)
    await site.sign_in()
    assert await site.app.sign_ins.store.token(digest(old.rsplit("/", 1)[-1])) is None
