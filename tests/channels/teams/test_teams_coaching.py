"""Coaching through the real Teams stack: the admin grants, the coach asks by @mention, the
leader accepts on a card, the coach fills the card form (an invalid time shown under the
field, then a preview, then Save), the leader is told, and the report holds no trace of
what the leader wrote."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain import UserKey
from tests.channels.teams.world import TeamsWorld, teams_world, texts
from tests.conftest import FakeClock
from tests.fakes import teams_activity as teams

TENANT = teams.TENANT_ID
ADMIN = ("29:admin", "a0000000-0000-0000-0000-00000000000a", "a:chatWithAdmin", "Ada Admin")
COACH = ("29:coach", "c0000000-0000-0000-0000-00000000000c", "a:chatWithCoach", "Cal Coach")
LEADER = ("29:leader", "10000000-0000-0000-0000-000000000001", "a:chatWithLeader", "Lee Leader")
MARKER = "narwhal-private-5510"


def key(person: tuple[str, str, str, str]) -> str:
    return str(UserKey("teams", TENANT, person[1]))


def message(
    world: TeamsWorld, person: tuple[str, str, str, str], text: str, **extra: Any
) -> dict[str, Any]:
    activity = teams.personal_message(
        world.url, text, user_id=person[0], aad_object_id=person[1], conversation_id=person[2]
    )
    activity["from"]["name"] = person[3]
    return {**activity, **extra}


async def say(
    world: TeamsWorld, person: tuple[str, str, str, str], text: str, **extra: Any
) -> str:
    before = len(world.connector.sent_to(person[2]))
    response = await world.post(message(world, person, text, **extra))
    assert response.status in (200, 202), await response.text()
    return texts(world.connector.sent_to(person[2])[before:])


def last_card(world: TeamsWorld, person: tuple[str, str, str, str]) -> tuple[str, dict[str, Any]]:
    for request in reversed(world.connector.requests):
        if request.conversation_id != person[2] or not request.ok:
            continue
        for attachment in (request.body or {}).get("attachments") or []:
            if attachment.get("contentType", "").endswith("card.adaptive"):
                card_id = request.activity_id if request.method == "PUT" else request.answer["id"]
                return str(card_id), attachment["content"]
    raise AssertionError("no card")


async def submit(
    world: TeamsWorld, person: tuple[str, str, str, str], value: dict[str, Any]
) -> None:
    card_id, _ = last_card(world, person)
    activity = message(world, person, "", value=value, replyToId=card_id)
    activity.pop("text")
    response = await world.post(activity)
    assert response.status in (200, 202), await response.text()


async def press(world: TeamsWorld, person: tuple[str, str, str, str], title: str) -> None:
    _, card = last_card(world, person)
    data = next(a["data"] for a in card["actions"] if a["title"] == title)
    await submit(world, person, data)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[TeamsWorld]:
    async with teams_world(tmp_path, FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))) as w:
        w.app.coaching.admins = frozenset({key(ADMIN)})
        for person in (ADMIN, COACH, LEADER):
            await say(w, person, "hello")
            await press(w, person, "Skip for now")
        yield w


def mention(person: tuple[str, str, str, str]) -> dict[str, Any]:
    return {
        "type": "mention",
        "text": f"<at>{person[3]}</at>",
        "mentioned": {"id": person[0], "name": person[3], "aadObjectId": person[1]},
    }


async def test_a_coach_links_a_leader_and_schedules_with_the_card_form(world: TeamsWorld) -> None:
    assert "is now a coach" in await say(world, ADMIN, f"admin coach {key(COACH)}")
    asked = await say(world, COACH, f"coach add <at>{LEADER[3]}</at>", entities=[mention(LEADER)])
    assert "I've asked Lee Leader" in asked
    assert "would like to be your coach" in texts(world.connector.sent_to(LEADER[2])[-1:])
    await press(world, LEADER, "Accept")
    assert world.app.coaching_store.link(key(COACH), key(LEADER)).status == "accepted"  # type: ignore[union-attr]

    await say(world, COACH, "coach schedule")
    _, form = last_card(world, COACH)
    assert {e.get("id") for e in form["body"]} >= {"leader", "days", "time", "themes"}

    await submit(
        world,
        COACH,
        {
            "pc_form": "plan",
            "leader": key(LEADER),
            "days": "weekdays",
            "time": "25:00",
            "themes": "resilience",
        },
    )
    _, corrected = last_card(world, COACH)
    assert "not a time of day" in json.dumps(corrected)
    assert world.app.schedules.schedules_of(key(LEADER)) == []

    await submit(
        world,
        COACH,
        {
            "pc_form": "plan",
            "leader": key(LEADER),
            "days": "weekdays",
            "time": "08:30",
            "themes": "resilience",
        },
    )
    _, preview = last_card(world, COACH)
    assert "Before saving" in json.dumps(preview)
    await press(world, COACH, "Save")
    (schedule,) = world.app.schedules.schedules_of(key(LEADER))
    assert (schedule.origin, f"{schedule.at:%H:%M}") == ("coach", "08:30")
    assert "set up nudges for you" in texts(world.connector.sent_to(LEADER[2])[-1:])


async def test_the_report_has_no_trace_of_a_leaders_words(world: TeamsWorld) -> None:
    await say(world, ADMIN, f"admin coach {key(COACH)}")
    await say(world, COACH, f"coach add {key(LEADER)}")
    await press(world, LEADER, "Accept")
    await say(world, LEADER, "start energy")
    await say(world, LEADER, f"the board {MARKER}")
    report = await say(world, COACH, "coach report")
    assert "Lee Leader" in report
    assert MARKER not in report
    coach_traffic = json.dumps(
        [r.body for r in world.connector.requests if r.conversation_id == COACH[2]]
    )
    assert MARKER not in coach_traffic


async def test_a_plain_leader_gets_no_form(world: TeamsWorld) -> None:
    said = await say(world, LEADER, "coach schedule")
    assert "Only coaches" in said


async def test_revoking_a_coach_asks_the_leader_on_a_card_about_their_schedules(
    world: TeamsWorld,
) -> None:
    await say(world, ADMIN, f"admin coach {key(COACH)}")
    await say(world, COACH, f"coach add {key(LEADER)}")
    await press(world, LEADER, "Accept")
    await say(world, COACH, f"coach schedule {key(LEADER)} weekdays 08:30 resilience")
    await press(world, COACH, "Save")
    await press(world, LEADER, "Keep it")
    assert "1 leader has been told" in await say(world, ADMIN, f"admin uncoach {key(COACH)}")
    _, card = last_card(world, LEADER)
    assert "Cal Coach no longer coaches in peercoach" in json.dumps(card)
    await press(world, LEADER, "Remove it")
    assert "Removed 1 schedule" in texts(world.connector.sent_to(LEADER[2])[-1:])
    assert world.app.schedules.schedules_of(key(LEADER)) == []
