"""Every request type Slack's Events API, slash command and interactivity documentation
describe, through the real bolt app, with the answer Slack expects; and correctly signed
bodies whose strings are not valid Unicode (a broken emoji's lone surrogate) answered
normally with the bad character replaced.

The list of types and answers is in bot/channels/slack/inbound.py."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.channels.slack.verify import NotJson, loads
from bot.services.conversations import SORRY
from tests.channels.slack.world import SECRET, TEAM, SlackWorld, slack_world, texts
from tests.conftest import FakeClock
from tests.fakes.slack_signing import (
    API_APP_ID,
    event_body,
    message_im,
    signed_headers,
    slash_body,
)

ANN = "U0ANN"
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BROKEN = "a small win \ud83d with the ward"  # the first half of 🙂, alone
REPAIRED = "a small win \ufffd with the ward"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, FakeClock(AT)) as opened:
        await opened.dm(ANN, "hello")
        await opened.click(ANN, "Skip for now")
        yield opened


def interactive(kind: str, **fields: Any) -> str:
    body = {
        "type": kind,
        "team": {"id": TEAM},
        "user": {"id": ANN, "team_id": TEAM},
        "api_app_id": API_APP_ID,
        "token": "deprecated-verification-token",
        **fields,
    }
    return urlencode({"payload": json.dumps(body)})


def envelope(kind: str, **fields: Any) -> str:
    return json.dumps(
        {"token": "t", "team_id": TEAM, "api_app_id": API_APP_ID, "type": kind, **fields}
    )


VIEW = {"id": "V1", "type": "modal", "callback_id": "someone_elses_form", "state": {"values": {}}}
STEP = {"workflow_step_edit_id": "1", "workflow_id": "2", "step_id": "3", "inputs": {}}
EMPTY = b""
# name: (body, what Slack must get back: an empty body, or this JSON)
DOCUMENTED: dict[str, tuple[str, Any]] = {
    "app_rate_limited": (envelope("app_rate_limited", minute_rate_limited=1518467820), EMPTY),
    "event_callback with an event we ignore": (
        event_body({"type": "reaction_added", "user": ANN}),
        EMPTY,
    ),
    "event_callback without an event": (envelope("event_callback"), EMPTY),
    "a JSON envelope of a type Slack may add": (envelope("brand_new_envelope"), EMPTY),
    "JSON that is not an object": ("[1, 2]", EMPTY),
    "block_actions on a button we never sent": (
        interactive("block_actions", actions=[{"action_id": "not_ours", "value": "x"}]),
        EMPTY,
    ),
    "view_submission of a form not ours (closes it)": (
        interactive("view_submission", view=VIEW, trigger_id="t"),
        EMPTY,
    ),
    "view_closed": (interactive("view_closed", view=VIEW, is_cleared=False), EMPTY),
    "shortcut": (interactive("shortcut", callback_id="x", trigger_id="t"), EMPTY),
    "message_action": (
        interactive(
            "message_action",
            callback_id="x",
            trigger_id="t",
            channel={"id": "C1"},
            message={"ts": "1.2", "text": "hi"},
        ),
        EMPTY,
    ),
    "block_suggestion": (
        interactive("block_suggestion", action_id="x", block_id="b", value="ab"),
        {"options": []},
    ),
    "interactive_message (legacy attachments)": (
        interactive("interactive_message", callback_id="x", actions=[{"name": "a"}]),
        EMPTY,
    ),
    "dialog_submission (legacy)": (
        interactive("dialog_submission", callback_id="x", submission={"a": "b"}),
        EMPTY,
    ),
    "dialog_cancellation (legacy)": (
        interactive("dialog_cancellation", callback_id="x", state=""),
        EMPTY,
    ),
    "dialog_suggestion (legacy)": (
        interactive("dialog_suggestion", callback_id="x", name="n", value="ab"),
        {"options": []},
    ),
    "workflow_step_edit (retired steps from apps)": (
        interactive("workflow_step_edit", callback_id="x", trigger_id="t", workflow_step=STEP),
        EMPTY,
    ),
}


@pytest.mark.parametrize(("body", "expected"), DOCUMENTED.values(), ids=DOCUMENTED)
async def test_each_documented_type_gets_the_answer_slack_expects(
    world: SlackWorld, body: str, expected: Any
) -> None:
    posts = len(world.fake.calls_to("chat.postMessage"))
    kind = "application/json" if body.startswith(("{", "[")) else ""
    response = await world.post(body, **{"Content-Type": kind} if kind else {})
    assert response.status == 200
    if expected == EMPTY:
        assert await response.read() == EMPTY
    else:
        assert await response.json() == expected
    await asyncio.sleep(0.05)  # listeners run after the acknowledgement
    assert len(world.fake.calls_to("chat.postMessage")) == posts  # nothing said to anyone


@pytest.mark.parametrize("kind", ["block_suggestion", "dialog_suggestion"])
async def test_what_a_leader_types_into_a_menu_reaches_no_log(
    world: SlackWorld, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        body = interactive(kind, action_id="x", callback_id="x", name="n", value="MARKER-7f3a")
        response = await world.post(body)
    assert await response.json() == {"options": []}
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "MARKER-7f3a" not in logged


async def test_app_rate_limited_is_logged_for_the_operator(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="peercoach.slack"):
        await world.post(envelope("app_rate_limited", minute_rate_limited=1518467820))
    (line,) = [r for r in caplog.records if r.getMessage() == "slack.events_rate_limited"]
    assert line.__dict__["fields"] == {"team": TEAM, "minute": "1518467820"}


async def test_ssl_check_is_answered_unsigned(world: SlackWorld) -> None:
    # Slack sends it without signature headers, to a slash command's URL.
    response = await world.http.post(
        "/slack/events",
        data=b"ssl_check=1&token=deprecated-verification-token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    assert await response.read() == EMPTY


@pytest.mark.parametrize(
    "smuggled",
    [
        "ssl_check=1&" + slash_body("export", user_id=ANN),
        "ssl_check=1&payload=" + json.dumps({"type": "block_actions"}),
        "ssl_check=true&command=%2Fcoach&text=export&user_id=" + ANN,
    ],
)
async def test_nothing_rides_along_unsigned_with_an_ssl_check(
    world: SlackWorld, smuggled: str
) -> None:
    calls = len(world.fake.calls)
    response = await world.http.post(
        "/slack/events",
        data=smuggled.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 401
    await asyncio.sleep(0.05)
    assert len(world.fake.calls) == calls


# ------------------------------------------------------------------ not valid Unicode


def test_a_lone_surrogate_is_replaced_and_a_pair_is_kept() -> None:
    assert loads(json.dumps({"t": "\ud83d"})) == ({"t": "\ufffd"}, True)
    assert loads(json.dumps({"\udc00k": ["x\ude00"]})) == ({"\ufffdk": ["x\ufffd"]}, True)
    assert loads(json.dumps({"t": "🙂"})) == ({"t": "🙂"}, False)  # escaped as a valid pair
    assert loads(r'{"t": "\\ud83d"}') == ({"t": "\\ud83d"}, False)  # a backslash, typed
    with pytest.raises(NotJson):
        loads('{"t": "\\ud83d"')
    with pytest.raises(NotJson):
        loads("[" * 100_000 + '"\\ud83d"' + "]" * 100_000)


async def test_a_dm_with_a_lone_surrogate_is_answered_and_kept_repaired(
    world: SlackWorld,
) -> None:
    await world.dm(ANN, "start energy")  # its first question takes free text
    posts = await world.dm(ANN, BROKEN)
    assert "How much energy do you have left for work this week?" in texts(posts)
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.reflections[-1].text == REPAIRED


async def test_a_slash_command_with_bytes_that_are_not_utf8_is_answered(
    world: SlackWorld,
) -> None:
    # %ED%A0%BD is the lone surrogate encoded as if it were UTF-8; %FF is never UTF-8.
    body = slash_body("help", user_id=ANN).replace("text=help", "text=help%ED%A0%BD%FF")
    before = len(world.fake.calls_to("chat.postMessage"))
    response = await world.post(body)
    assert response.status == 200
    said = texts(await world.replies(before))
    assert SORRY not in said
    assert said  # an answer (help does not know "help\ufffd": it says what it knows)


async def test_a_button_press_with_a_lone_surrogate_is_answered(world: SlackWorld) -> None:
    await world.dm(ANN, "start energy")
    await world.dm(ANN, "the system board")
    message = world.last_message(ANN)
    message["text"] = BROKEN  # what Slack echoes back of our message, broken
    blocks = message["blocks"]
    button = next(e for b in blocks for e in b.get("elements") or [] if e.get("type") == "button")
    label = button["text"]["text"]
    button["text"]["text"] = label + " \ud83d"
    posts = await world.click(ANN, label + " \ud83d")
    assert SORRY not in texts(posts)
    (update,) = world.fake.calls_to("chat.update")[-1:]
    assert "\ufffd" in json.dumps(update.params["blocks"], ensure_ascii=False)


async def test_a_lone_surrogate_in_a_json_event_header_field_is_fine(world: SlackWorld) -> None:
    body = json.loads(event_body(message_im(ANN, "help")))
    body["api_app_id"] = "A\ud83d"
    text = json.dumps(body)
    response = await world.http.post(
        "/slack/events", data=text.encode(), headers=signed_headers(SECRET, text)
    )
    assert response.status == 200
