"""A circle end to end through the real channels, shorter than the console's: Slack (real
bolt against the fake Web API: invitation buttons, the group DM opened with
conversations.open, check-in buttons) and Teams (real Agents SDK against the fake connector:
card actions, the "start a chat" link). Leaders set their organisation and about line
themselves; the coach runs everything by command."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.circles.model import Round
from bot.domain import UserKey
from tests.channels.slack.world import SlackWorld, slack_world
from tests.channels.teams.test_teams_coaching import ADMIN as TEAMS_ADMIN
from tests.channels.teams.test_teams_coaching import COACH as TEAMS_COACH
from tests.channels.teams.test_teams_coaching import LEADER, key, last_card, press, say
from tests.channels.teams.world import teams_world
from tests.channels.teams.world import texts as teams_texts
from tests.conftest import FakeClock
from tests.fakes.slack_api import Call

START = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday; London is on UTC
ADMIN, COACH = "U0ADMIN", "U0COACH"
# Slack user, name, organisation as typed, about; Dee will say no thanks
SLACK_LEADERS = (
    ("U0ALEX", "Alex Able", "LTHT", "Flow out of ED"),
    ("U0BEA", "Bea Bright", "LTHT", "A new rota"),
    ("U0CAL", "Cal Clay", "Bradford Teaching Hospitals", "Merging two teams"),
    ("U0DEE", "Dee Dunn", "Bradford Teaching Hospitals", None),
    ("U0EVE", "Eve Ewart", "West Yorkshire ICB", "The winter plan"),
)
DEE = "U0DEE"
JOINED = [s[0] for s in SLACK_LEADERS if s[0] != DEE]


async def slack_circle(world: SlackWorld) -> str:
    """The coach's circle with four Slack leaders in it (Dee said no thanks); Alex avoids Cal."""
    world.app.coaching.admins = frozenset({str(world.key(ADMIN))})
    world.fake.set_user(ADMIN, tz="Europe/London", name="Ada Admin")
    world.fake.set_user(COACH, tz="Europe/London", name="Cat Coach")
    for user, name, _, _ in SLACK_LEADERS:
        world.fake.set_user(user, tz="Europe/London", name=name)
    for user in (ADMIN, COACH, *(s[0] for s in SLACK_LEADERS)):
        await world.dm(user, "hello")
        await world.click(user, "Skip for now")
    assert "is now a coach" in await dm_to(world, ADMIN, f"admin coach <@{COACH}>")
    for user, _, organisation, about in SLACK_LEADERS:
        assert "Saved:" in await dm_to(world, user, f"organisation {organisation}")
        if about:
            await world.dm(user, f"about {about}")
    said = await dm_to(world, COACH, "circle new Slack peers pairs every 2 weeks")
    (circle,) = world.app.circles.circles()
    assert f"({circle.id})" in said
    mentions = " ".join(f"<@{s[0]}>" for s in SLACK_LEADERS)
    before = len(world.fake.calls_to("chat.postMessage"))
    await world.dm(COACH, f"circle invite {circle.id} {mentions}", wait=False)
    # the coach's answer and the five invitations, in whichever order they land
    await world.fake.wait_for("chat.postMessage", before + 1 + len(SLACK_LEADERS))
    assert "Invited Alex Able" in str(world.last_message(COACH).get("text"))
    for user in JOINED:
        assert "You're in" in await click_to(world, user, "Join")
    assert "you are not in" in await click_to(world, DEE, "No thanks")
    assert "Cal Clay" in await dm_to(world, "U0ALEX", "avoid <@U0CAL>")
    return circle.id


async def test_a_slack_circle_meets_in_group_dms_and_checks_in_by_button(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with slack_world(tmp_path, clock) as world:
        circle_id = await slack_circle(world)
        shown = await dm_to(world, COACH, f"circle show {circle_id}")
        assert "Members (4)" in shown
        assert "Alex Able, Leeds Teaching Hospitals NHS Trust" in shown
        assert "Dee Dunn" not in shown

        assert "has started" in await dm_to(world, COACH, f"circle round {circle_id} now")
        assert world.app.rounds is not None
        await world.app.rounds.tick()
        (round_,) = world.app.circles.rounds(circle_id)
        groups = sorted(sorted(UserKey.parse(m).user for m in g.members) for g in round_.groups)
        # Alex and Bea work together, and Alex avoids Cal: one matching is left
        assert groups == [["U0ALEX", "U0EVE"], ["U0BEA", "U0CAL"]]
        opened = sorted(sorted(str(c.params["users"]).split(",")) for c in opened_of(world))
        assert opened == groups
        posts = [c.params for c in world.fake.calls_to("chat.postMessage")]
        in_groups = [p for p in posts if str(p["channel"]).startswith("G")]
        assert len(in_groups) == 2
        to_alex = next(p["text"] for p in in_groups if "Eve Ewart" in p["text"])
        assert "NHS West Yorkshire Integrated Care Board" in to_alex
        assert "The winter plan" in to_alex
        assert "only asks questions, no advice" in to_alex
        assert "opened a group chat" in str(world.last_message("U0ALEX").get("text"))
        await world.app.rounds.tick()  # again: nothing more
        assert len(opened_of(world)) == 2

        await check_in_time(world, round_)
        for user in JOINED:
            assert "Did your group meet?" in str(world.last_message(user).get("text"))
        said = await click_to(world, "U0ALEX", "Met")
        assert "What will you try after talking" in said
        assert "I'll ask how it went" in await dm_to(world, "U0ALEX", "book a follow-up")
        await click_to(world, "U0BEA", "Rescheduled")
        await click_to(world, "U0EVE", "Not this round")
        answers = {c.leader: c.answer for c in world.app.circles.check_ins(circle_id, 1)}
        assert answers == {
            str(world.key("U0ALEX")): "met",
            str(world.key("U0BEA")): "rescheduled",
            str(world.key("U0EVE")): "not_this_round",
        }
        report = await dm_to(world, COACH, f"circle report {circle_id}")
        assert "answers so far 3; shown from 5 answers" in report
        assert "Flow out of ED" not in report


async def dm_to(world: SlackWorld, user: str, text: str) -> str:
    """What the bot posted back in the leader's DM (notices to others may land first)."""
    before = len(world.fake.calls)
    await world.dm(user, text, wait=False)
    return await posted_to(world, user, before)


async def click_to(world: SlackWorld, user: str, label: str) -> str:
    before = len(world.fake.calls)
    await world.click(user, label, wait=False)
    return await posted_to(world, user, before)


async def posted_to(world: SlackWorld, user: str, before: int) -> str:
    def to_user(calls: list[Call]) -> list[str]:
        return [
            str(c.params.get("text") or "")
            for c in calls[before:]
            if c.method == "chat.postMessage" and c.params.get("channel") == "D" + user
        ]

    await world.fake.wait_until(lambda calls: bool(to_user(calls)))
    return "\n".join(to_user(world.fake.calls))


def opened_of(world: SlackWorld) -> list[object]:
    return list(world.fake.calls_to("conversations.open"))


async def check_in_time(world: SlackWorld, round_: Round) -> None:
    world.clock.at = datetime.combine(round_.ends - timedelta(days=2), START.timetz()).replace(
        hour=14
    )
    assert world.app.rounds is not None
    await world.app.rounds.tick()


BEA = ("29:bea", "b0000000-0000-0000-0000-00000000000b", "a:chatWithBea", "Bea Bright")
DON = ("29:don", "d0000000-0000-0000-0000-00000000000d", "a:chatWithDon", "Don Dunn")
TEAMS_LEADERS = ((LEADER, "LTHT", "A new rota"), (BEA, "West Yorkshire ICB", None))


async def test_a_teams_circle_answers_cards_and_links_the_chat(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with teams_world(tmp_path, clock) as world:
        world.connector.members = [
            {
                "id": p[0],
                "aadObjectId": p[1],
                "name": p[3],
                "userPrincipalName": f"{p[0][3:]}@nhs.net",
            }
            for p in (TEAMS_ADMIN, TEAMS_COACH, LEADER, BEA, DON)
        ]
        world.app.coaching.admins = frozenset({key(TEAMS_ADMIN)})
        for person in (TEAMS_ADMIN, TEAMS_COACH, LEADER, BEA, DON):
            await say(world, person, "hello")
            await press(world, person, "Skip for now")
        assert "is now a coach" in await say(world, TEAMS_ADMIN, f"admin coach {key(TEAMS_COACH)}")
        for person, organisation, about in TEAMS_LEADERS:
            assert "Saved:" in await say(world, person, f"organisation {organisation}")
            if about:
                await say(world, person, f"about {about}")
        await say(world, TEAMS_COACH, "circle new Teams peers pairs every 2 weeks")
        (circle,) = world.app.circles.circles()
        invited = ", ".join(key(p) for p in (LEADER, BEA, DON))
        assert "Invited Lee Leader" in await say(
            world, TEAMS_COACH, f"circle invite {circle.id} {invited}"
        )
        _, invitation = last_card(world, LEADER)
        assert [a["title"] for a in invitation["actions"]] == ["Join", "No thanks"]
        await press(world, LEADER, "Join")
        await press(world, BEA, "Join")
        await press(world, DON, "No thanks")
        shown = await say(world, TEAMS_COACH, f"circle show {circle.id}")
        assert "Members (2)" in shown
        assert "Don Dunn" not in shown

        before = len(world.connector.sent_to(LEADER[2]))
        assert "has started" in await say(world, TEAMS_COACH, f"circle round {circle.id} now")
        assert world.app.rounds is not None
        await world.app.rounds.tick()
        intro = teams_texts(world.connector.sent_to(LEADER[2])[before:])
        assert "**Bea Bright**, NHS West Yorkshire Integrated Care Board" in intro
        assert "https://teams.microsoft.com/l/chat/0/0?users=bea@nhs.net" in intro
        to_bea = teams_texts(world.connector.sent_to(BEA[2]))
        assert "Working on: A new rota" in to_bea
        assert "leader@nhs.net" in to_bea
        assert "Don Dunn" not in intro + to_bea

        (round_,) = world.app.circles.rounds(circle.id)
        clock.at = datetime.combine(round_.ends - timedelta(days=2), START.timetz())
        clock.at = clock.at.replace(hour=14)
        await world.app.rounds.tick()
        _, card = last_card(world, BEA)
        assert [a["title"] for a in card["actions"]] == ["Met", "Rescheduled", "Not this round"]
        await press(world, BEA, "Met")
        assert "What will you try after talking" in teams_texts(
            world.connector.sent_to(BEA[2])[-2:]
        )
        await press(world, LEADER, "Rescheduled")
        answers = {c.leader: c.answer for c in world.app.circles.check_ins(circle.id, 1)}
        assert answers == {key(BEA): "met", key(LEADER): "rescheduled"}
        report = await say(world, TEAMS_COACH, f"circle report {circle.id}")
        assert "answers so far 2; shown from 5 answers" in report
        assert "A new rota" not in report
