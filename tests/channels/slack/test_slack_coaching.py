"""Coaching through the real Slack stack: the admin grants, the coach asks, the leader
accepts by button, the coach uses the modal (an invalid time shown inline, then a preview,
then Save), the nudge arrives at the leader's local time, and the report holds no trace of
what the leader wrote."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from bot.domain import UserKey
from tests.channels.slack.world import TEAM, SlackWorld, slack_world, texts
from tests.conftest import FakeClock

ADMIN, COACH, LEADER = "U0ADMIN", "U0COACH", "U0LEADER"
MARKER = "pangolin-private-9921"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    async with slack_world(tmp_path, clock) as opened:
        admins = frozenset({UserKey("slack", TEAM, ADMIN)})
        opened.app.coaching.admins = frozenset(str(a) for a in admins)
        opened.fake.set_user(LEADER, tz="America/New_York", name="Lee Leader")
        opened.fake.set_user(COACH, tz="Europe/London", name="Cat Coach")
        for user in (ADMIN, COACH, LEADER):
            await opened.dm(user, "hello")
            await opened.click(user, "Skip for now")
        yield opened


def submission(callback_id: str, values: dict[str, Any], metadata: str = "") -> str:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": COACH, "team_id": TEAM},
        "api_app_id": "A0FAKE",
        "trigger_id": "t",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": values},
        },
    }
    return urlencode({"payload": json.dumps(payload)})


def form_values(leader: str, days: str, time: str) -> dict[str, Any]:
    return {
        "leader": {"value": {"type": "static_select", "selected_option": {"value": leader}}},
        "days": {"value": {"type": "plain_text_input", "value": days}},
        "time": {"value": {"type": "plain_text_input", "value": time}},
        "themes": {
            "value": {"type": "multi_static_select", "selected_options": [{"value": "resilience"}]}
        },
    }


async def test_a_coach_links_a_leader_and_schedules_through_the_modal(
    world: SlackWorld,
) -> None:
    said = texts(await world.dm(ADMIN, f"admin coach <@{COACH}>"))
    assert "is now a coach" in said
    assert "I've asked Lee Leader" in texts(await world.dm(COACH, f"coach add <@{LEADER}>"))
    request = world.last_message(LEADER)
    assert "would like to be your coach" in str(request.get("text"))
    assert "is now your coach" in texts(await world.click(LEADER, "Accept"))
    link = world.app.coaching_store.link(f"slack:{TEAM}:{COACH}", f"slack:{TEAM}:{LEADER}")
    assert link is not None
    assert link.status == "accepted"

    await world.slash(COACH, "schedule")
    (modal,) = world.fake.modals
    assert modal["callback_id"] == "pc_plan"
    leader_key = f"slack:{TEAM}:{LEADER}"
    options = json.dumps(modal["blocks"])
    assert leader_key in options

    bad = await world.post(submission("pc_plan", form_values(leader_key, "weekdays", "25:00")))
    answer = await bad.json()
    assert answer["response_action"] == "errors"
    assert "time" in answer["errors"]
    assert world.app.schedules.schedules_of(leader_key) == []

    good = await world.post(submission("pc_plan", form_values(leader_key, "weekdays", "08:30")))
    preview = await good.json()
    assert preview["response_action"] == "update"
    assert "Mon 30 Nov 08:30" in json.dumps(preview["view"])  # the leader's New York time
    plan_id = preview["view"]["private_metadata"]

    before = len(world.fake.calls_to("chat.postMessage"))
    await world.post(submission("pc_plan_confirm", {}, metadata=plan_id))
    posts = await world.replies(before)
    assert "Saved 1 schedule" in texts(posts)
    (schedule,) = world.app.schedules.schedules_of(leader_key)
    assert (schedule.timezone, f"{schedule.at:%H:%M}") == ("America/New_York", "08:30")
    await world.fake.wait_for("chat.postMessage", before + 2)  # the leader is told
    assert "set up nudges for you" in str(world.last_message(LEADER).get("text"))

    scheduler = world.app.scheduler
    assert scheduler is not None
    end = world.clock.at + timedelta(days=4)
    while (due := scheduler.next_due()) is not None and due < end:
        world.clock.at = due
        await scheduler.run_until(due)
    nudges = [
        m
        for m in world.fake.messages["D" + LEADER]
        if (m.get("metadata") or {}).get("event_type") == "peercoach_nudge"
    ]
    assert nudges
    key = nudges[0]["metadata"]["event_payload"]["delivery"]  # ...@ due time, UTC
    due_at = datetime.strptime(key.split("@")[1], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    local = due_at.astimezone(ZoneInfo("America/New_York"))
    # 09:00 UTC on Friday is 04:00 in New York: the first nudge is that morning at 08:30
    assert local.strftime("%a %d %b %H:%M") == "Fri 27 Nov 08:30"


async def test_the_report_has_no_trace_of_a_leaders_words(world: SlackWorld) -> None:
    await world.dm(ADMIN, f"admin coach <@{COACH}>")
    await world.dm(COACH, f"coach add <@{LEADER}>")
    await world.click(LEADER, "Accept")
    await world.dm(LEADER, "start energy")
    await world.dm(LEADER, f"the board {MARKER}")
    report = texts(await world.dm(COACH, "coach report"))
    assert "Lee Leader" in report
    assert MARKER not in report
    assert MARKER not in json.dumps(
        [c.params for c in world.fake.calls if c.params.get("channel") == "D" + COACH]
    )


async def test_a_non_coach_cannot_open_the_form(world: SlackWorld) -> None:
    before = len(world.fake.calls_to("chat.postMessage"))
    await world.slash(COACH, "schedule")
    await world.replies(before)
    assert world.fake.modals == []  # a plain leader's /coach schedule lists their own


async def test_a_leader_who_declines_is_left_alone(world: SlackWorld) -> None:
    await world.dm(ADMIN, f"admin coach <@{COACH}>")
    await world.dm(COACH, f"coach add <@{LEADER}>")
    await world.click(LEADER, "Decline")
    said = texts(await world.dm(COACH, f"coach schedule <@{LEADER}> weekdays 08:30"))
    assert "is not one of your leaders" in said


async def test_revoking_a_coach_asks_the_leader_by_button_about_their_schedules(
    world: SlackWorld,
) -> None:
    await world.dm(ADMIN, f"admin coach <@{COACH}>")
    await world.dm(COACH, f"coach add <@{LEADER}>")
    await world.click(LEADER, "Accept")
    await world.dm(COACH, f"coach schedule <@{LEADER}> weekdays 08:30 resilience")
    await world.click(COACH, "Save")
    await world.click(LEADER, "Keep it")
    before = len(world.fake.calls_to("chat.postMessage"))
    assert "1 leader has been told" in texts(await world.dm(ADMIN, f"admin uncoach <@{COACH}>"))
    await world.fake.wait_for("chat.postMessage", before + 3)  # admin, leader, coach
    question = world.last_message(LEADER)
    assert "Cat Coach no longer coaches in peercoach" in str(question.get("text"))
    assert "Keep it" in json.dumps(question.get("blocks"))  # buttons, as every question
    assert "Kept 1 schedule as your own" in texts(await world.click(LEADER, "Keep it"))
    leader_key = f"slack:{TEAM}:{LEADER}"
    (kept,) = world.app.schedules.schedules_of(leader_key)
    assert (kept.origin, kept.created_by, kept.paused) == ("leader", leader_key, False)
    assert "no coach" in texts(await world.dm(LEADER, "coaches"))
