"""Circles through the real Slack stack: `/coach circle new` opens the modal (a bad field
shown inline, then created, the answer in the DM), an invitation arrives with Join / No
thanks buttons, and each button is answered as in the console."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.domain import UserKey
from tests.channels.slack.world import TEAM, SlackWorld, slack_world, texts
from tests.conftest import FakeClock

ADMIN, COACH, ALEX, SAM = "U0ADMIN", "U0COACH", "U0ALEX", "U0SAM"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    async with slack_world(tmp_path, clock) as opened:
        opened.app.coaching.admins = frozenset({str(UserKey("slack", TEAM, ADMIN))})
        opened.fake.set_user(COACH, tz="Europe/London", name="Cat Coach")
        opened.fake.set_user(ALEX, tz="Europe/London", name="Alex Able")
        opened.fake.set_user(SAM, tz="Europe/London", name="Sam Stone")
        for user in (ADMIN, COACH, ALEX, SAM):
            await opened.dm(user, "hello")
            await opened.click(user, "Skip for now")
        assert "is now a coach" in texts(await opened.dm(ADMIN, f"admin coach <@{COACH}>"))
        yield opened


def submission(values: dict[str, Any]) -> str:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": COACH, "team_id": TEAM},
        "api_app_id": "A0FAKE",
        "trigger_id": "t",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "pc_circle",
            "state": {"values": values},
        },
    }
    return urlencode({"payload": json.dumps(payload)})


def form(
    name: str, every: str = "2", day: str | None = "1", start: str | None = None
) -> dict[str, Any]:
    def chosen(value: str | None) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value} if value else None}

    return {
        "name": {"value": {"type": "plain_text_input", "value": name}},
        "format": {"value": chosen("trios")},
        "every": {"value": chosen(every)},
        "day": {"value": chosen(day)},
        "from": {"value": {"type": "datepicker", "selected_date": start}},
    }


async def test_the_modal_creates_a_circle_and_invitations_have_buttons(world: SlackWorld) -> None:
    await world.slash(COACH, "circle new")
    (modal,) = world.fake.modals
    assert modal["callback_id"] == "pc_circle"
    assert modal["title"]["text"] == "New peer circle"
    assert [b["block_id"] for b in modal["blocks"]] == ["name", "format", "every", "day", "from"]

    bad = await world.post(submission(form("", start="2020-01-01")))
    answer = await bad.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"name", "from"}
    assert world.app.circles.circles() == []

    before = len(world.fake.calls_to("chat.postMessage"))
    good = await world.post(submission(form("Leeds leads", start="2026-12-01")))
    assert good.status == 200
    said = texts(await world.replies(before))
    (circle,) = world.app.circles.circles()
    assert (circle.name, circle.format, circle.day) == ("Leeds leads", "trios", 1)
    assert f"Created Leeds leads ({circle.id})" in said  # the text fallback: no markup

    said = texts(await world.dm(COACH, f"circle invite {circle.id} <@{ALEX}> <@{SAM}>"))
    assert "Invited Alex Able, Sam Stone" in said
    await world.fake.wait_for("chat.postMessage", before + 4)
    invitation = world.last_message(ALEX)
    assert "Cat Coach invites you to a peer circle, Leeds leads" in str(invitation.get("text"))
    labels = json.dumps(invitation.get("blocks"))
    assert "Join" in labels
    assert "No thanks" in labels
    assert "You're in" in texts(await world.click(ALEX, "Join"))
    assert "you are not in" in texts(await world.click(SAM, "No thanks"))
    alex = f"slack:{TEAM}:{ALEX}"
    assert [m.leader for m in world.app.circles.members(circle.id)] == [alex]
    assert "Alex Able" in texts(await world.dm(COACH, f"circle show {circle.id}"))


async def test_a_leaders_slash_circle_new_opens_no_form(world: SlackWorld) -> None:
    before = len(world.fake.calls_to("chat.postMessage"))
    await world.slash(ALEX, "circle new")
    assert "Only coaches run circles" in texts(await world.replies(before))
    assert world.fake.modals == []
