"""Circles through the real Teams stack (Agents SDK against the fake connector): `circle
new` alone gives a coach the card (a bad field shown under it, then created), and an
invitation arrives as a card whose Join / No thanks actions answer it."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.channels.teams.test_teams_coaching import (
    ADMIN,
    COACH,
    LEADER,
    key,
    last_card,
    press,
    say,
    submit,
)
from tests.channels.teams.world import TeamsWorld, teams_world, texts
from tests.conftest import FakeClock

SAM = ("29:sam", "50000000-0000-0000-0000-000000000005", "a:chatWithSam", "Sam Stone")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[TeamsWorld]:
    async with teams_world(tmp_path, FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))) as w:
        w.app.coaching.admins = frozenset({key(ADMIN)})
        for person in (ADMIN, COACH, LEADER, SAM):
            await say(w, person, "hello")
            await press(w, person, "Skip for now")
        assert "is now a coach" in await say(w, ADMIN, f"admin coach {key(COACH)}")
        yield w


async def test_the_card_creates_a_circle_and_the_invitation_card_answers(
    world: TeamsWorld,
) -> None:
    await say(world, COACH, "circle new")
    _, form = last_card(world, COACH)
    assert [e.get("id") for e in form["body"][1:]] == ["name", "format", "every", "day", "from"]
    bad = {"pc_form": "circle", "name": "", "format": "sets", "every": "30", "day": "", "from": ""}
    await submit(world, COACH, bad)
    _, corrected = last_card(world, COACH)
    shown = json.dumps(corrected)
    assert "Give the circle a name" in shown
    assert "every 1 to 12 weeks" in shown
    assert world.app.circles.circles() == []

    good = {**bad, "name": "Yorkshire sets", "every": "3", "day": "Wednesday"}
    await submit(world, COACH, good)
    (circle,) = world.app.circles.circles()
    assert (circle.format, circle.every_weeks, circle.day) == ("sets", 3, 2)
    _, done = last_card(world, COACH)
    assert f"Created **Yorkshire sets** ({circle.id})" in json.dumps(done)

    said = await say(world, COACH, f"circle invite {circle.id} {key(LEADER)}, {key(SAM)}")
    assert "Invited Lee Leader, Sam Stone" in said
    _, invitation = last_card(world, LEADER)
    assert "Cal Coach** invites you" in json.dumps(invitation)
    assert [a["title"] for a in invitation["actions"]] == ["Join", "No thanks"]
    await press(world, LEADER, "Join")
    assert "You're in **Yorkshire sets**" in texts(world.connector.sent_to(LEADER[2])[-2:])
    await press(world, SAM, "No thanks")
    assert [m.leader for m in world.app.circles.members(circle.id)] == [key(LEADER)]
    assert world.app.circles.membership(circle.id, key(SAM)).status == "declined"  # type: ignore[union-attr]


async def test_a_leader_gets_no_card(world: TeamsWorld) -> None:
    assert "Only coaches run circles" in await say(world, LEADER, "circle new")
