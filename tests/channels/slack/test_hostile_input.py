"""Hostile and odd input through Slack, each with the answer a leader (or Slack) should get,
and the server still serving afterwards.

Not repeated here: bad signatures and headers, bodies that do not parse, 413, typed (escaped)
mention forms (test_slack_app.py) and every mention form through the renderer
(test_render.py).
"""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.channels.slack.world import SECRET, TEAM, SlackWorld, slack_world, texts
from tests.conftest import FakeClock
from tests.fakes.slack_signing import event_body, message_im, signed_headers, slash_body

ANN, COACH, LEADER = "U0ANN", "U0COACH", "U0LEADER"
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ONE_SENTENCE_AND_AN_EXAMPLE = re.compile(r"(?P<reason>[^\n]+?\.) For example: (?P<example>[^\n]+)")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, FakeClock(AT)) as opened:
        await opened.dm(ANN, "hello")
        await opened.click(ANN, "Skip for now")
        yield opened


async def still_serving(world: SlackWorld) -> None:
    assert (await world.http.get("/healthz")).status == 200
    assert "start" in texts(await world.dm(ANN, "help"))


def user_files(world: SlackWorld) -> set[str]:
    return {p.name for p in (world.app.settings.data_dir / "users").glob("*.json")}


def payload(kind: str, **fields: Any) -> str:
    body = {"type": kind, "team": {"id": TEAM}, "user": {"id": ANN, "team_id": TEAM}, **fields}
    return urlencode({"payload": json.dumps(body)})


# ------------------------------------------------------------------ requests


DM = event_body(message_im(ANN, "hello"))
REQUESTS = {
    "an event sent as text/plain": (DM, "text/plain", 400),
    "a slash command sent as JSON": (slash_body("help", user_id=ANN), "application/json", 400),
    "an event without a type": (event_body({}), "", 200),
    "an event type nobody listens to": (event_body({"type": "reaction_added"}), "", 200),
    "an event type Slack may add one day": (event_body({"type": "brand_new_thing"}), "", 200),
    "a shortcut": (payload("shortcut", callback_id="x", trigger_id="t"), "", 200),
    "an options request": (payload("block_suggestion", action_id="x", value="a"), "", 200),
    "a button we never sent": (payload("block_actions", actions=[{"action_id": "x"}]), "", 200),
    "a DM without a user": (
        event_body({k: v for k, v in message_im(ANN, "hi").items() if k != "user"}),
        "",
        200,
    ),
    "JSON nested deeper than any parser recurses": (
        "[" * 200_000 + "]" * 200_000,
        "application/json",
        400,
    ),
    "a DM without a channel": (
        event_body({k: v for k, v in message_im(ANN, "hi").items() if k != "channel"}),
        "",
        200,
    ),
}


@pytest.mark.parametrize(("body", "content_type", "status"), REQUESTS.values(), ids=REQUESTS)
async def test_odd_requests_are_answered_and_change_nothing(
    world: SlackWorld, body: str, content_type: str, status: int
) -> None:
    """Refused (400), or acknowledged (200: Slack counts a 404 as a failed delivery) with
    nothing stored and nothing said."""
    files, posts = user_files(world), len(world.fake.calls_to("chat.postMessage"))
    headers = signed_headers(SECRET, body, content_type=content_type)
    response = await world.http.post("/slack/events", data=body.encode(), headers=headers)
    assert response.status == status
    await asyncio.sleep(0.1)  # listeners run after the acknowledgement
    assert user_files(world) == files
    assert len(world.fake.calls_to("chat.postMessage")) == posts
    await still_serving(world)


async def test_a_charset_in_the_content_type_is_fine(world: SlackWorld) -> None:
    body = event_body(message_im(ANN, "help"))
    headers = signed_headers(SECRET, body, content_type="application/json; charset=utf-8")
    before = len(world.fake.calls_to("chat.postMessage"))
    response = await world.http.post("/slack/events", data=body.encode(), headers=headers)
    assert response.status == 200
    assert "start" in texts(await world.replies(before))


# ------------------------------------------------------------------ what leaders write


RTL = "אני צריכה לדבר עם הצוות שלי · أحتاج إلى التحدث مع فريقي"
EMOJI = "a small win 🙂🔥 with the ward team 👩🏽‍⚕️👨‍👩‍👧"
CONTROL = "tab\there\x00\x07\x1b[31m red\u202eevil\u200b end"
MENTIONS = "<!here> <!channel> <!everyone> <@U123> <#C42|general> *bold* _it_ ~gone~"
WRITTEN = {
    # typed, what is stored, what may not appear in anything posted back
    "10,000 characters": ("x" * 10_000, "x" * 10_000, ()),
    "emoji": (EMOJI, EMOJI, ()),
    "right-to-left text": (RTL, RTL, ()),
    "control characters": (CONTROL, "tab\there[31m redevil end", ("\x00", "\x1b", "\u202e")),
    "mentions and mrkdwn": (MENTIONS, MENTIONS, ("<!", "<@", "<#")),
}


@pytest.mark.parametrize(("typed", "stored", "absent"), WRITTEN.values(), ids=WRITTEN)
async def test_what_a_leader_writes_is_kept_and_echoed_harmlessly(
    world: SlackWorld, typed: str, stored: str, absent: tuple[str, ...]
) -> None:
    await world.dm(ANN, "start energy")  # its first question takes free text
    posts = await world.dm(ANN, typed)
    assert "How much energy do you have left for work this week?" in texts(posts)
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.reflections[-1].text == stored
    sent = json.dumps(posts, ensure_ascii=False)
    for dangerous in absent:
        assert dangerous not in sent
    for block in posts[0]["blocks"]:  # Slack refuses a section over 3,000 characters
        assert len(json.dumps(block.get("text") or {})) < 3_100
    await still_serving(world)


async def test_one_character_over_the_limit_is_refused_politely(world: SlackWorld) -> None:
    await world.dm(ANN, "start energy")
    posts = await world.dm(ANN, "x" * 10_001)
    assert "10,001 characters, more than I can keep (10,000)" in texts(posts)
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.reflections == ()
    await still_serving(world)


# ------------------------------------------------------------------ schedule commands


async def a_coach_of(world: SlackWorld, leader: str) -> None:
    coach, led = str(world.key(COACH)), str(world.key(leader))
    await world.app.coaching_store.grant(coach, "test", AT)
    link = await world.app.coaching_store.new_link(coach, led, AT)
    await world.app.coaching_store.set_status(link, "accepted", AT)
    await world.dm(COACH, "hello")
    await world.click(COACH, "Skip for now")


BAD_SCHEDULES = {
    "a leader: an hour that does not exist": (ANN, "schedule daily 25:00", "'25:00'", "schedule "),
    "a leader: 12-hour time": (ANN, "schedule weekdays 9am influence", "'9am'", "schedule "),
    "a leader: a time zone": (ANN, "schedule daily 08:30 Europe/London", "time zone", "schedule "),
    "a leader: an unknown zone": (ANN, "timezone Mars/Olympus", "'Mars/Olympus'", "timezone "),
    "a coach: an hour that does not exist": (
        COACH,
        f"coach schedule <@{LEADER}> daily 25:00",
        "'25:00'",
        "coach schedule ",
    ),
    "a coach: a time zone": (
        COACH,
        f"coach schedule <@{LEADER}> weekdays 08:30 America/New_York",
        "time zone",
        "coach schedule ",
    ),
}


@pytest.mark.parametrize(
    ("who", "typed", "names", "example"), BAD_SCHEDULES.values(), ids=BAD_SCHEDULES
)
async def test_a_bad_time_or_zone_gets_one_sentence_and_an_example(
    world: SlackWorld, who: str, typed: str, names: str, example: str
) -> None:
    await a_coach_of(world, LEADER)
    said = texts(await world.dm(who, typed))
    answer = ONE_SENTENCE_AND_AN_EXAMPLE.search(said)
    assert answer is not None, said
    assert names in answer["reason"]
    assert ". " not in answer["reason"]  # one sentence
    assert answer["example"].strip("`").startswith(example)
    assert "Traceback" not in said
    assert world.app.schedules.schedules() == []
    await still_serving(world)
