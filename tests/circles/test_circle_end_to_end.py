"""A whole peer circle through the commands alone, in the console-level service with the
real TinyDB stores: seven leaders from three organisations tell the bot where they work and
what they are working on, a coach creates a circle and invites them, six join and one says
no thanks, one avoids another, the coach starts a round, everyone is introduced once, the
check-in comes two days before the end, the answers and a commitment, and the report."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.circles.model import Round
from bot.domain import UserKey
from tests.circles.office import Office, office_at

COACH = "console:coach"
# as typed, and as saved (content/organisations.yaml knows them by their short names)
TYPED = {
    "LTHT": "Leeds Teaching Hospitals NHS Trust",
    "Bradford Teaching Hospitals": "Bradford Teaching Hospitals NHS Foundation Trust",
    "West Yorkshire ICB": "NHS West Yorkshire Integrated Care Board",
}
LEEDS, BRADFORD, ICB = TYPED
# user, organisation as typed, about (None: not given)
LEADERS = (
    ("console:amara", LEEDS, "Flow out of ED"),
    ("console:ben", LEEDS, "A new rota"),
    ("console:cara", LEEDS, None),
    ("console:dev", BRADFORD, "Merging two teams"),
    ("console:erin", BRADFORD, "Winter pressures"),
    ("console:femi", ICB, "The winter plan"),
    ("console:gail", ICB, "Discharge to assess"),
)
DECLINER = "console:erin"
JOINED = tuple(user for user, _, _ in LEADERS if user != DECLINER)
ORGANISATION = {user: TYPED[organisation] for user, organisation, _ in LEADERS}
ABOUT = {user: about for user, _, about in LEADERS}
START = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday; London is on UTC


def name(user: str) -> str:
    return user.split(":", 1)[1]


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    people = (COACH, *(user for user, _, _ in LEADERS))
    async with office_at(tmp_path, START, people, (COACH,)) as found:
        yield found


async def test_a_whole_circle_through_the_commands(office: Office) -> None:
    app = office.app
    for user, organisation, about in LEADERS:
        said = await office.say(user, f"organisation {organisation}")
        assert f"Saved: {ORGANISATION[user]}." in said
        if about:
            assert about in await office.say(user, f"about {about}")
    said = await office.say(COACH, "circle new North peers pairs every 2 weeks")
    assert "Created **North peers**" in said
    (circle,) = app.circles.circles_of_coach(COACH)
    names = " ".join(name(user) for user, _, _ in LEADERS)
    assert "Invited amara" in await office.say(COACH, f"circle invite {circle.id} {names}")
    for user in JOINED:
        assert "You're in **North peers**" in await office.press(
            user, "Join", f"svc:circle-invite:{circle.id}"
        )
    assert "you are not in **North peers**" in await office.press(DECLINER, "No thanks")
    said = await office.say("console:amara", "avoid dev")  # a leader from another trust
    assert "you won't be matched with dev" in said

    shown = await office.say(COACH, f"circle show {circle.id}")
    assert f"Members ({len(JOINED)}):" in shown
    for user in JOINED:
        assert f"• {name(user)}, {ORGANISATION[user]}" in shown
    assert "erin" not in shown
    for about in ABOUT.values():  # what a leader is working on is for their peers only
        assert not about or about not in shown

    said = await office.say(COACH, f"circle round {circle.id} now")
    assert "Round 1 of **North peers** has started" in said
    await office.tick(office.clock.now())
    (round_,) = app.circles.rounds(circle.id)
    assert sorted(m for g in round_.groups for m in g.members) == sorted(JOINED)
    assert_kept_apart(round_)
    assert_introduced(office, round_)
    await office.tick(office.clock.now() + timedelta(hours=5))  # exactly once
    assert all(len(office.sent(user, "intro")) == 1 for user in JOINED)

    two_days_before = datetime.combine(round_.ends - timedelta(days=2), START.timetz())
    await office.tick(two_days_before.replace(hour=9) - timedelta(days=1))
    assert all(office.sent(user, "check_in") == [] for user in JOINED)
    await office.tick(two_days_before.replace(hour=14))
    for user in JOINED:
        (text,) = office.sent(user, "check_in")
        assert "Did your group meet?" in text
    token = f"svc:circle-checkin:{circle.id}:1"
    said = await office.press("console:amara", "Met", token)
    assert "What will you try after talking" in said
    assert "I'll ask how it went on" in await office.say(
        "console:amara", "ask my peer for ten minutes on Friday"
    )
    state = await app.users.load(UserKey.parse("console:amara"))
    assert state is not None
    (commitment,) = state.commitments
    assert commitment.text == "ask my peer for ten minutes on Friday"
    journal = await office.say("console:amara", "journal")
    assert "ten minutes on Friday" in journal

    report = await office.say(COACH, f"circle report {circle.id}")
    assert "shown from 5 answers" in report
    answers = {"console:ben": "Met", "console:cara": "Rescheduled", "console:dev": "Met"}
    answers["console:femi"] = "Not this round"
    for user, label in answers.items():
        await office.press(user, label, token)
    report = await office.say(COACH, f"circle report {circle.id}")
    assert "**North peers**: pairs, every 2 weeks" in report
    assert "Members (6): amara, ben, cara, dev, femi, gail" in report
    met = {"console:amara", "console:ben", "console:dev"}
    groups_met = sum(1 for g in round_.groups if set(g.members) & met)
    assert f"groups that met {groups_met} of {len(round_.groups)} (answers: 5)" in report
    for about in ABOUT.values():
        assert not about or about not in report
    assert "avoid" not in report.lower()


def assert_introduced(office: Office, round_: Round) -> None:
    """Each member once, told of the others by organisation and about line, and the guide."""
    for group in round_.groups:
        for member in group.members:
            (text,) = office.sent(member, "intro")
            assert "only asks questions, no advice" in text  # the pairs guide
            for other in set(group.members) - {member}:
                assert f"**{name(other)}**, {ORGANISATION[other]}" in text
                about = ABOUT[other]
                assert not about or f"Working on: {about}" in text
            assert f"**{name(member)}**" not in text
    assert office.sent(DECLINER, "intro") == []


def assert_kept_apart(round_: Round) -> None:
    """Nobody meets a colleague, nor the leader amara avoids: the six who joined
    (three from Leeds, one from Bradford, two from the ICB) make three such pairs."""
    for group in round_.groups:
        organisations = [ORGANISATION[m] for m in group.members]
        assert len(set(organisations)) == len(organisations), group
        assert not {"console:amara", "console:dev"} <= set(group.members), group


async def test_round_now_just_after_the_round_began_counts_nobody_as_missing(
    office: Office,
) -> None:
    """The scheduler starts round 1 on the circle's first day; the coach, not knowing,
    types `round now` minutes later: round 1 closes unasked, and nobody is a round down
    towards being asked whether to stay."""
    app = office.app
    await office.say(COACH, "circle new North peers pairs every 2 weeks")
    (circle,) = app.circles.circles_of_coach(COACH)
    await office.say(COACH, f"circle invite {circle.id} amara dev")
    for user in ("console:amara", "console:dev"):
        await office.press(user, "Join")
    await office.tick(office.clock.now())
    assert [r.number for r in app.circles.rounds(circle.id)] == [1]
    assert "Round 2 of **North peers** has started" in await office.say(
        COACH, f"circle round {circle.id} now"
    )
    for user in ("console:amara", "console:dev"):
        member = app.circles.membership(circle.id, user)
        assert member is not None
        assert member.missed_rounds == 0
