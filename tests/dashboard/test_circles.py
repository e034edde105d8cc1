"""The coach's circles on the dashboard (read from app.circles once circles land): rounds
and the share of groups that met, shown from five members; none without circles."""

from datetime import date, timedelta

from aiohttp import web

from bot.circles.model import CheckIn, Circle, Group, Membership, Round
from bot.circles.store import CircleStore
from bot.dashboard.web import DASHBOARD_KEY
from bot.storage.memory.circles import InMemoryCircleBackend
from tests.dashboard.conftest import COACH, Site


async def circles_with(site: Site, leaders: list[str], members: int) -> CircleStore:
    store = CircleStore(InMemoryCircleBackend())
    at = site.clock.now()
    await store.put_circle(
        Circle("c1", COACH, "Ward leads", "pairs", 2, 0, date(2026, 9, 7), "active", at, at)
    )
    for leader in leaders[:members]:
        await store.put_membership(Membership("c1", leader, "joined", at, at))
    groups = tuple(
        Group((a, b)) for a, b in zip(leaders[0:members:2], leaders[1:members:2], strict=True)
    )
    for number in (1, 2):
        start = date(2026, 9, 7) + timedelta(weeks=2 * (number - 1))
        await store.put_round(
            Round("c1", number, start, start + timedelta(days=13), "closed", groups, at)
        )
    await store.put_check_in(CheckIn("c1", 1, leaders[0], "met", at))  # one group of round 1
    await store.put_check_in(CheckIn("c1", 2, leaders[2], "not_this_round", at))
    return store


def app_of(site: Site) -> web.Application:
    return site.client.server.app  # type: ignore[no-any-return, attr-defined]


async def test_no_circles_say_so(site: Site) -> None:
    await site.seed(5)
    await site.sign_in()
    assert "You have no peer circles yet." in await (await site.client.get("/dashboard")).text()


async def test_circles_show_rounds_and_the_share_of_groups_that_met(site: Site) -> None:
    leaders = await site.seed(6)
    app_of(site)[DASHBOARD_KEY].circles = await circles_with(site, leaders, 6)
    await site.sign_in()
    html = await (await site.client.get("/dashboard")).text()
    row = html.split("Ward leads</th>")[1].split("</tr>")[0]
    assert row == "<td>6</td><td>2</td><td>1 of 6 groups (16%)</td>"


async def test_a_small_circle_hides_its_share(site: Site) -> None:
    leaders = await site.seed(4)
    app_of(site)[DASHBOARD_KEY].circles = await circles_with(site, leaders, 4)
    await site.sign_in()
    html = await (await site.client.get("/dashboard")).text()
    assert "shown from 5 members" in html
