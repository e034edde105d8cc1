"""The coach's circles on the dashboard (read from app.circles): rounds and the share of
groups that met, shown from five members and, as in `circle report`, over the rounds five
members answered; none without circles."""

from datetime import date, timedelta

from aiohttp import web

from bot.circles.model import CheckIn, Circle, Group, Membership, Round
from bot.circles.store import CircleStore
from bot.dashboard.web import DASHBOARD_KEY
from bot.domain import UserKey
from bot.storage.memory.circles import InMemoryCircleBackend
from dialogs.model import ChoiceMade, UserText
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
    for leader in leaders[2:members]:  # five answers in round 1 (of six members)
        await store.put_check_in(CheckIn("c1", 1, leader, "not_this_round", at))
    await store.put_check_in(CheckIn("c1", 2, leaders[0], "met", at))  # one answer: not counted
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
    assert row == "<td>6</td><td>2</td><td>1 of 3 groups (33%)</td>"


async def test_a_small_circle_hides_its_share(site: Site) -> None:
    leaders = await site.seed(4)
    app_of(site)[DASHBOARD_KEY].circles = await circles_with(site, leaders, 4)
    await site.sign_in()
    html = await (await site.client.get("/dashboard")).text()
    assert "shown from 5 members" in html


async def test_a_real_circle_and_round_on_the_cohort_page(site: Site) -> None:
    """Through the commands and the round runner into the TinyDB circle store the server
    reads: a round with its groups, then the share once five members have answered."""
    leaders = await site.seed(6)
    app = site.app
    assert app.rounds is not None

    async def say(user: str, text: str) -> str:
        reply = await app.conversations.handle(
            UserKey.parse(user), UserText(text, site.clock.now())
        )
        return "\n".join(getattr(m, "text", "") for m in reply.messages)

    async def press(user: str, token: str, choice: str) -> None:
        event = ChoiceMade(token, choice, site.clock.now())
        await app.conversations.handle(UserKey.parse(user), event)

    assert "Created" in await say(COACH, "circle new Ward leads pairs every 2 weeks")
    (circle,) = app.circles.circles_of_coach(COACH)
    await say(COACH, f"circle invite {circle.id} all")
    for leader in leaders:
        await press(leader, f"svc:circle-invite:{circle.id}", "join")
    assert "has started" in await say(COACH, f"circle round {circle.id} now")
    await app.rounds.tick()
    (round_,) = app.circles.rounds(circle.id)
    await site.sign_in()

    async def row() -> str:
        html = await (await site.client.get("/dashboard")).text()
        return html.split("Ward leads</th>")[1].split("</tr>")[0]

    assert await row() == ("<td>6</td><td>1</td><td>shown once a round has 5 answers</td>")
    token = f"svc:circle-checkin:{circle.id}:1"
    first = round_.groups[0].members[0]
    await press(first, token, "met")
    others = [m for g in round_.groups[1:] for m in g.members][:4]
    for leader in others:
        await press(leader, token, "not_this_round")
    groups = len(round_.groups)
    assert await row() == (f"<td>6</td><td>1</td><td>1 of {groups} groups ({100 // groups}%)</td>")
