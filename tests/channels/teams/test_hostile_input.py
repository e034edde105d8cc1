"""Hostile and odd input through Teams, each with the answer a leader (or Teams) should get,
and the server still serving afterwards.

Not repeated here: bodies that are not activities (test_teams_app.py), tokens (the same),
and hostile text through the renderer (test_render.py).
"""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain import UserKey
from tests.channels.teams.world import ALEX, CHAT, TeamsWorld, teams_world, texts
from tests.conftest import FakeClock
from tests.fakes import teams_activity as teams

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
COACH_ID, COACH_AAD, COACH_CHAT = "29:coach", "c0000000-0000-0000-0000-00000000000c", "a:coach"
COACH = UserKey("teams", teams.TENANT_ID, COACH_AAD)
ONE_SENTENCE_AND_AN_EXAMPLE = re.compile(r"(?P<reason>[^\n]+?\.) For example: (?P<example>[^\n]+)")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[TeamsWorld]:
    async with teams_world(tmp_path, FakeClock(AT)) as opened:
        await opened.say("hello")
        await opened.press("Skip for now")
        yield opened


async def still_serving(world: TeamsWorld) -> None:
    assert (await world.http.get("/healthz")).status == 200
    assert "start" in texts(await world.say("help"))


def user_files(world: TeamsWorld) -> set[str]:
    return {p.name for p in (world.app.settings.data_dir / "users").glob("*.json")}


def message(world: TeamsWorld, **changes: Any) -> dict[str, Any]:
    """Alex's message, with fields changed (None: left out)."""
    activity = teams.personal_message(world.url, "hello")
    for name, value in changes.items():
        if value is None:
            activity.pop(name, None)
        else:
            activity[name] = value
    return activity


# ------------------------------------------------------------------ requests


ACTIVITIES: dict[str, tuple[dict[str, Any], int]] = {
    "a message without a sender": ({"from": None}, 400),
    "typing": ({"type": "typing", "text": None}, 202),
    "a reaction": ({"type": "messageReaction", "reactionsAdded": [{"type": "like"}]}, 202),
    "an edit": ({"type": "messageUpdate"}, 202),
    "an event": ({"type": "event", "name": "application/vnd.example.unknown"}, 202),
    "an activity type Teams may add one day": ({"type": "brandNewThing"}, 202),
    "the end of a conversation": ({"type": "endOfConversation"}, 202),
    "an invoke nobody handles": ({"type": "invoke", "name": "unknown/x", "value": {}}, 501),
    "a card value that is a list": ({"text": None, "value": [1, 2]}, 202),
}


@pytest.mark.parametrize(("changes", "status"), ACTIVITIES.values(), ids=ACTIVITIES)
async def test_odd_activities_are_answered_and_change_nothing(
    world: TeamsWorld, changes: dict[str, Any], status: int
) -> None:
    """Refused (400), acknowledged and ignored (202), or, for an invoke, Bot Framework's
    'not implemented' (501): nothing stored, nothing said."""
    files, sent = user_files(world), len(world.connector.requests)
    response = await world.post(message(world, **changes))
    assert response.status == status
    await asyncio.sleep(0.05)
    assert user_files(world) == files
    assert len(world.connector.requests) == sent
    await still_serving(world)


CONTENT_TYPES = {
    "text/plain (a form any web page can post)": "text/plain",
    "form-encoded": "application/x-www-form-urlencoded",
    "none at all": "application/octet-stream",
}


@pytest.mark.parametrize("content_type", CONTENT_TYPES.values(), ids=CONTENT_TYPES)
async def test_an_activity_that_is_not_sent_as_json_gets_415(
    world: TeamsWorld, content_type: str
) -> None:
    sent = len(world.connector.requests)
    body = json.dumps(message(world, text="help")).encode()
    response = await world.http.post(
        "/api/messages", data=body, headers={"Content-Type": content_type}
    )
    assert response.status == 415
    assert len(world.connector.requests) == sent
    await still_serving(world)


async def test_a_charset_and_a_mention_without_its_person_are_fine(world: TeamsWorld) -> None:
    body = json.dumps(message(world, text="help", entities=[{"type": "mention"}])).encode()
    before = len(world.connector.sent_to(CHAT))
    response = await world.http.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status in (200, 202)
    assert "start" in texts(world.connector.sent_to(CHAT)[before:])


# ------------------------------------------------------------------ what leaders write


RTL = "אני צריכה לדבר עם הצוות שלי · أحتاج إلى التحدث مع فريقي"
EMOJI = "a small win 🙂🔥 with the ward team 👩🏽‍⚕️👨‍👩‍👧"
CONTROL = "tab\there\x00\x07\x1b[31m red\u202eevil\u200b end"
MARKUP = "<at>Everyone</at> <b>bold</b> <script>alert(1)</script> **really**"
WRITTEN = {
    # typed, what is stored, what may not appear in anything sent back
    "10,000 characters": ("x" * 10_000, "x" * 10_000, ()),
    "emoji": (EMOJI, EMOJI, ()),
    "right-to-left text": (RTL, RTL, ()),
    "control characters": (CONTROL, "tab\there[31m redevil end", ("\x00", "\x1b", "\u202e")),
    "mention tags and HTML typed as text": (MARKUP, MARKUP, ("<at>", "<b>", "<script>")),
}


@pytest.mark.parametrize(("typed", "stored", "absent"), WRITTEN.values(), ids=WRITTEN)
async def test_what_a_leader_writes_is_kept_and_echoed_harmlessly(
    world: TeamsWorld, typed: str, stored: str, absent: tuple[str, ...]
) -> None:
    await world.say("start energy")  # its first question takes free text
    sent = await world.say(typed)
    assert "How much energy do you have left for work this week?" in texts(sent)
    state = await world.app.users.load(ALEX)
    assert state is not None
    assert state.reflections[-1].text == stored
    bodies = json.dumps([r.body for r in sent], ensure_ascii=False)
    for dangerous in absent:
        assert dangerous not in bodies
    await still_serving(world)


async def test_one_character_over_the_limit_is_refused_politely(world: TeamsWorld) -> None:
    await world.say("start energy")
    sent = await world.say("x" * 10_001)
    assert "10,001 characters, more than I can keep (10,000)" in texts(sent)
    state = await world.app.users.load(ALEX)
    assert state is not None
    assert state.reflections == ()
    await still_serving(world)


# ------------------------------------------------------------------ schedule commands


async def coach_says(world: TeamsWorld, text: str) -> str:
    activity = teams.personal_message(
        world.url, text, user_id=COACH_ID, aad_object_id=COACH_AAD, conversation_id=COACH_CHAT
    )
    before = len(world.connector.sent_to(COACH_CHAT))
    response = await world.post(activity)
    assert response.status in (200, 202), await response.text()
    return texts(world.connector.sent_to(COACH_CHAT)[before:])


async def a_coach_of_alex(world: TeamsWorld) -> None:
    store = world.app.coaching_store
    await store.grant(str(COACH), "test", AT)
    await store.set_status(await store.new_link(str(COACH), str(ALEX), AT), "accepted", AT)
    await coach_says(world, "hello")


BAD_SCHEDULES = {
    "a leader: an hour that does not exist": ("schedule daily 25:00", "'25:00'", "schedule "),
    "a leader: 12-hour time": ("schedule weekdays 9am influence", "'9am'", "schedule "),
    "a leader: a time zone": ("schedule daily 08:30 Europe/London", "time zone", "schedule "),
    "a leader: an unknown zone": ("timezone Mars/Olympus", "'Mars/Olympus'", "timezone "),
    "a coach: an hour that does not exist": (
        f"coach schedule {ALEX} daily 25:00",
        "'25:00'",
        "coach schedule ",
    ),
    "a coach: a time zone": (
        f"coach schedule {ALEX} weekdays 08:30 Asia/Kolkata",
        "time zone",
        "coach schedule ",
    ),
}


@pytest.mark.parametrize(("typed", "names", "example"), BAD_SCHEDULES.values(), ids=BAD_SCHEDULES)
async def test_a_bad_time_or_zone_gets_one_sentence_and_an_example(
    world: TeamsWorld, typed: str, names: str, example: str
) -> None:
    await a_coach_of_alex(world)
    if typed.startswith("coach "):
        said = await coach_says(world, typed)
    else:
        said = texts(await world.say(typed))
    answer = ONE_SENTENCE_AND_AN_EXAMPLE.search(said.replace("`", ""))
    assert answer is not None, said
    assert names in answer["reason"]
    assert ". " not in answer["reason"]  # one sentence
    assert answer["example"].startswith(example)
    assert world.app.schedules.schedules() == []
    await still_serving(world)
