"""Circle commands end to end in-process (console users, real TinyDB stores): a coach
creates and invites, leaders join or decline by button or by typing, show, listings, skip,
leave, pause/resume/end, the RoundsPort for `round … now` and `report`, export and forget."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.circles.model import CheckIn
from bot.domain import UserKey
from tests.circles.office import Office, office_at

COACH, OTHER_COACH = "console:coach", "console:othercoach"
ALEX, SAM, JO = "console:alex", "console:sam", "console:jo"
NEW = "circle new North ICS leads pairs every 2 weeks on tue from 2026-12-01"


class CoachOffice(Office):
    async def new_circle(self) -> str:
        said = await self.say(COACH, NEW)
        assert "Created **North ICS leads**" in said
        (circle,) = self.app.circles.circles_of_coach(COACH)
        return circle.id


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[CoachOffice]:
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday
    people = (COACH, OTHER_COACH, ALEX, SAM, JO)
    async with office_at(tmp_path, start, people, (COACH, OTHER_COACH)) as found:
        yield CoachOffice(found.app, found.clock, found.notifier)


async def test_a_coach_creates_a_circle_and_gets_its_id(office: CoachOffice) -> None:
    said = await office.say(COACH, NEW)
    (circle,) = office.app.circles.circles_of_coach(COACH)
    assert (circle.format, circle.every_weeks, circle.day, circle.starts) == (
        "pairs",
        2,
        1,
        date(2026, 12, 1),
    )
    assert f"({circle.id})" in said
    assert "first round on Tue 1 Dec" in said
    assert f"circle invite {circle.id} all" in said


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("circle new", "For example: `circle new North ICS leads pairs"),
        ("circle new Leads every 2 weeks", "pairs, trios or sets"),
        ("circle new pairs every 2 weeks", "Give the circle a name"),
        ("circle new Leads pairs", "how often rounds start"),
        ("circle new Leads trios every 40 weeks", "every 1 to 12 weeks"),
        ("circle new Leads sets every 2 weeks on funday", "'funday' is not a day"),
        ("circle new Leads sets every 2 weeks from 1/12/26", "'1/12/26' as a date"),
        ("circle new Leads sets every 2 weeks from 2025-01-01", "between today and a year"),
        ("circle new Leads sets every 2 fortnights", "'fortnights'"),
    ],
)
async def test_bad_arguments_get_one_sentence_and_an_example(
    office: CoachOffice, typed: str, expected: str
) -> None:
    said = await office.say(COACH, typed)
    assert expected in said
    assert "For example:" in said
    assert office.app.circles.circles() == []


async def test_only_coaches_run_circles(office: CoachOffice) -> None:
    assert "Only coaches run circles" in await office.say(ALEX, NEW)
    assert office.app.circles.circles() == []
    circle_id = await office.new_circle()
    said = await office.say(OTHER_COACH, f"circle show {circle_id}")
    assert "run by another coach" in said
    assert "run by another coach" in await office.say(OTHER_COACH, f"circle end {circle_id}")
    assert "can't find a circle called 'nope'" in await office.say(COACH, "circle show nope")
    assert "Say which circle." in await office.say(COACH, "circle show")


async def test_invite_join_decline_and_show(office: CoachOffice) -> None:
    circle_id = await office.new_circle()
    said = await office.say(COACH, f"circle invite {circle_id} alex sam jo")
    assert "Invited alex, sam, jo" in said
    for leader in (ALEX, SAM, JO):  # never enrolled without a yes
        assert office.app.circles.membership(circle_id, leader).status == "invited"  # type: ignore[union-attr]
    token, labels = await office.asked(ALEX)
    assert token == f"svc:circle-invite:{circle_id}"
    assert labels == ["Join", "No thanks"]
    invitation = office.notifier.to(ALEX)[-1].text
    assert "**coach** invites you to a peer circle, **North ICS leads**" in invitation
    assert "pairs, meeting every 2 weeks, on Tuesdays" in invitation
    assert "Tue 1 Dec" in invitation
    assert "You're in **North ICS leads**" in await office.press(ALEX, "Join")
    assert "joined **North ICS leads**" in office.notifier.to(COACH)[-1].text
    assert "you are not in **North ICS leads**" in await office.press(SAM, "No thanks")
    assert "said no thanks" in office.notifier.to(COACH)[-1].text
    assert "no longer open" in await office.press_again(ALEX, circle_id)
    shown = await office.say(COACH, f"circle show {circle_id}")
    assert "Members (1):" in shown
    assert "• alex (organisation not given)" in shown
    assert "Not answered yet: jo" in shown
    assert "Next round starts on Tue 1 Dec." in shown
    again = await office.say(COACH, f"circle invite {circle_id} alex, jo, sam")
    assert "Already in the circle: alex." in again
    assert "Asked before and not answered yet: jo." in again
    assert "Invited sam" in again  # a decliner may be asked again
    assert office.app.circles.membership(circle_id, SAM).status == "invited"  # type: ignore[union-attr]


async def test_an_invitation_is_answered_by_typing(office: CoachOffice) -> None:
    circle_id = await office.new_circle()
    await office.say(COACH, f"circle invite {circle_id} alex sam")
    assert "You're in" in await office.say(ALEX, "join")
    assert "you are not in" in await office.say(SAM, "no thanks")
    assert [m.leader for m in office.app.circles.members(circle_id)] == [ALEX]


async def test_invite_all_asks_the_coachs_accepted_leaders_only(office: CoachOffice) -> None:
    circle_id = await office.new_circle()
    said = await office.say(COACH, f"circle invite {circle_id} all")
    assert "No leader has accepted you" in said
    for leader in ("alex", "sam"):
        await office.say(COACH, f"coach add {leader}")
    await office.press(ALEX, "Accept")
    await office.press(SAM, "Decline")
    said = await office.say(COACH, f"circle invite {circle_id} all")
    assert "Invited alex." in said
    assert office.app.circles.membership(circle_id, SAM) is None
    assert "cannot be invited" in await office.say(COACH, f"circle invite {circle_id} coach")


async def test_listings_skip_and_leave(office: CoachOffice) -> None:
    circle_id = await office.new_circle()
    await office.say(COACH, f"circle invite {circle_id} alex sam")
    await office.press(ALEX, "Join")
    coach_view = await office.say(COACH, "circles")
    assert f"**North ICS leads** ({circle_id})" in coach_view
    assert "running, members: 1, next round Tue 1 Dec" in coach_view
    mine = await office.say(ALEX, "circles")
    assert "run by coach: next round Tue 1 Dec" in mine
    assert "waiting for your answer" in await office.say(SAM, "circles")
    assert "not in any peer circle" in await office.say(JO, "circles")
    assert "sit out the round of **North ICS leads** starting on Tue 1 Dec" in await office.say(
        ALEX, f"circle skip {circle_id}"
    )
    assert office.app.circles.membership(circle_id, ALEX).skip_next  # type: ignore[union-attr]
    assert "already sitting out" in await office.say(ALEX, "circle skip north ics leads")
    assert "sitting this one out" in await office.say(ALEX, "circles")
    assert "not in a circle called" in await office.say(JO, f"circle skip {circle_id}")
    assert "You have left" in await office.say(ALEX, f"circle leave {circle_id}")
    assert "alex has left **North ICS leads**" in office.notifier.to(COACH)[-1].text
    assert office.app.circles.members(circle_id) == []


async def test_pause_resume_end_tell_members(office: CoachOffice) -> None:
    circle_id = await office.new_circle()
    await office.say(COACH, f"circle invite {circle_id} alex")
    await office.press(ALEX, "Join")
    assert "is paused" in await office.say(COACH, f"circle pause {circle_id}")
    assert "paused the circle" in office.notifier.to(ALEX)[-1].text
    assert "paused already" in await office.say(COACH, f"circle pause {circle_id}")
    assert "No round is due" in await office.say(COACH, f"circle show {circle_id}")
    assert "running again" in await office.say(COACH, f"circle resume {circle_id}")
    assert "has ended" in await office.say(COACH, f"circle end {circle_id}")
    assert "ended the circle" in office.notifier.to(ALEX)[-1].text
    assert "has ended" in await office.say(COACH, f"circle invite {circle_id} sam")
    assert "not in any peer circle" in await office.say(ALEX, "circles")


async def test_round_now_and_report_check_ownership_then_ask_the_round_runner(
    office: CoachOffice,
) -> None:
    circle_id = await office.new_circle()
    assert "`circle round" in await office.say(COACH, f"circle round {circle_id}")
    assert "too few for a round" in await office.say(COACH, f"circle round {circle_id} now")
    assert "another coach" in await office.say(OTHER_COACH, f"circle round {circle_id} now")
    assert "another coach" in await office.say(OTHER_COACH, f"circle report {circle_id}")
    report = await office.say(COACH, f"circle report {circle_id}")
    assert "North ICS leads" in report
    assert office.app.circles.rounds(circle_id) == []


async def test_help_lists_circle_commands(office: CoachOffice) -> None:
    assert "`circle new" in await office.say(COACH, "circle")
    assert "`circle skip <circle>`" in await office.say(ALEX, "circle")
    assert "circles" in await office.say(ALEX, "help")
    assert "circle" in await office.say(COACH, "coach")


async def test_export_and_forget(office: CoachOffice) -> None:
    circle_id = await office.new_circle()
    await office.say(COACH, f"circle invite {circle_id} alex")
    await office.press(ALEX, "Join")
    await office.app.circles.put_check_in(CheckIn(circle_id, 1, ALEX, "met", office.clock.now()))
    exported = await office.app.conversations.export(UserKey.parse(ALEX))
    assert exported is not None
    document = json.loads(exported.data)
    assert document["circle_memberships"] == [
        {
            "circle": "North ICS leads",
            "coach": "coach",
            "status": "joined",
            "invited_at": "2026-11-27T09:00:00+00:00",
            "answered_at": "2026-11-27T09:00:00+00:00",
            "skip_next": False,
        }
    ]
    assert document["circle_check_ins"] == [
        {
            "circle": "North ICS leads",
            "round": 1,
            "answer": "met",
            "at": "2026-11-27T09:00:00+00:00",
        }
    ]
    coach_doc = json.loads((await office.app.conversations.export(UserKey.parse(COACH))).data)  # type: ignore[union-attr]
    assert coach_doc["circles_run"][0]["id"] == circle_id
    await office.say(ALEX, "forget me")
    await office.press(ALEX, "Yes, delete everything")
    assert office.app.circles.memberships_of(ALEX, "invited", "joined") == []
    assert office.app.circles.check_ins(circle_id, 1) == []
    await office.say(COACH, "forget me")
    await office.press(COACH, "Yes, delete everything")
    assert office.app.circles.circle(circle_id).status == "ended"  # type: ignore[union-attr]
