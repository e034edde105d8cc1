"""Slack end to end: the real bolt app behind peercoach's server, signed requests in, a fake
Slack Web API out."""

import asyncio
import copy
import io
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.channels.slack.verify import sign
from bot.schedules.keys import DeliveryKey
from bot.schedules.model import NudgeSchedule
from dialogs.recurrence import parse_days, parse_hhmm
from tests.channels.slack.world import SECRET, SlackWorld, slack_world, texts
from tests.conftest import FakeClock
from tests.fakes.slack_signing import (
    app_home_opened,
    app_mention,
    app_uninstalled,
    event_body,
    message_im,
    signed_headers,
    tokens_revoked,
    url_verification_body,
    user_change,
)

ANN = "U0ANN"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))) as w:
        yield w


def user_files(world: SlackWorld) -> list[Path]:
    return list((world.app.settings.data_dir / "users").glob("*.json"))


# ------------------------------------------------------------------ the conversation


async def test_a_whole_dialogue_by_dms_and_button_clicks(world: SlackWorld) -> None:
    world.fake.set_user(ANN, tz="America/New_York", name="Ann")
    first = await world.dm(ANN, "hello")
    assert "patient" in texts(first)  # welcome and privacy notice
    await world.click(ANN, "Skip for now")
    update = world.fake.calls_to("chat.update")[-1].params
    assert "You chose" in json.dumps(update["blocks"])
    assert "pc_ask" not in json.dumps(update["blocks"])  # the buttons are gone
    await world.dm(ANN, "start energy")
    await world.dm(ANN, "the system board on Tuesday")
    await world.click(ANN, "Getting by")
    await world.dm(ANN, "a walk at lunch")
    await world.dm(ANN, "block Thursday lunch")
    await world.click(ANN, "A peer in the system")
    done = await world.dm(ANN, "ask Priya, from this Thursday")  # a peer chosen: named
    assert "I'll ask how it went" in texts(done)
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.profile.timezone == "America/New_York"  # from users.info at first contact
    assert state.commitments[-1].text == "block Thursday lunch — ask Priya, from this Thursday"
    assert state.history[-1].outcome == "completed"


async def test_users_info_is_asked_at_first_contact_only_even_after_a_restart(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    async with slack_world(tmp_path, clock) as before:
        before.fake.set_user(ANN, tz="America/New_York")
        await before.dm(ANN, "hello")
        await before.dm(ANN, "hello again")
        assert len(before.fake.calls_to("users.info")) == 1
    async with slack_world(tmp_path, clock) as after:  # the same data folder, a new process
        after.fake.set_user(ANN, tz="Asia/Kolkata")  # user_change keeps it current, not a DM
        after.fake.set_user("U0BOB", tz="Europe/Paris")
        await after.dm(ANN, "back again")
        await after.dm("U0BOB", "hello")
        assert [c.params["user"] for c in after.fake.calls_to("users.info")] == ["U0BOB"]
        ann = await after.app.users.load(after.key(ANN))
        assert ann is not None
        assert ann.profile.timezone == "America/New_York"


async def test_a_leader_who_was_forgotten_is_a_first_contact_again(world: SlackWorld) -> None:
    world.fake.set_user(ANN, tz="America/New_York")
    await world.dm(ANN, "hello")
    await world.dm(ANN, "forget me")
    await world.click(ANN, "Yes, delete everything")
    assert await world.app.users.load(world.key(ANN)) is None
    world.fake.set_user(ANN, tz="Asia/Kolkata")  # moved while away
    await world.dm(ANN, "hello")
    assert len(world.fake.calls_to("users.info")) == 2
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.profile.timezone == "Asia/Kolkata"


async def test_a_second_click_on_the_same_buttons_does_nothing(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    message = copy.deepcopy(world.last_message(ANN))
    await world.click(ANN, "Skip for now")
    posts, updates = (
        len(world.fake.calls_to("chat.postMessage")),
        len(world.fake.calls_to("chat.update")),
    )
    world.fake.messages["D" + ANN].append(message)  # the old buttons, as a slow client saw them
    await world.click(ANN, "Set up now", wait=False)
    await asyncio.sleep(0.3)
    assert len(world.fake.calls_to("chat.postMessage")) == posts
    assert len(world.fake.calls_to("chat.update")) == updates


async def test_the_slash_command_takes_the_dm_grammar(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    before = len(world.fake.calls_to("chat.postMessage"))
    response = await world.slash(ANN, "journal")
    assert response.status == 200
    posts = await world.replies(before)
    assert "journal" in texts(posts).lower()
    assert posts[0]["channel"] == "D" + ANN


async def test_the_slash_command_elsewhere_points_to_the_dm(world: SlackWorld) -> None:
    before = len(world.fake.calls_to("chat.postMessage"))
    response = await world.slash(ANN, "help", channel="C0GENERAL")
    assert "private" in (await response.text()).lower()
    posts = await world.replies(before)
    assert {p["channel"] for p in posts} == {"D" + ANN}


async def test_app_home_shows_where_the_leader_stands(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    await world.dm(ANN, "schedule weekdays 08:30 influence")
    response = await world.post(event_body(app_home_opened(ANN)))
    assert response.status == 200
    (call,) = await world.fake.wait_for("views.publish")
    view = json.dumps(call.params["view"])
    assert "Mon 30 Nov at 08:30" in view
    assert "home_start" in view
    assert "home_pause" in view


async def test_home_buttons_act_like_commands(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    payload = {
        "type": "block_actions",
        "team": {"id": "T0FAKE"},
        "user": {"id": ANN},
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": "t",
        "actions": [{"type": "button", "action_id": "home_pause", "value": "pause"}],
    }
    from urllib.parse import urlencode  # noqa: PLC0415

    before = len(world.fake.calls_to("chat.postMessage"))
    await world.post(urlencode({"payload": json.dumps(payload)}))
    assert "paused" in texts(await world.replies(before)).lower()
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.profile.paused
    await world.fake.wait_for("views.publish")


async def test_export_sends_a_json_file_in_the_dm(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    await world.dm(ANN, "export")
    await world.fake.wait_for("files.completeUploadExternal")
    (stored,) = world.fake.files.values()
    document = json.loads(stored.data)
    assert document["user"] == f"slack:T0FAKE:{ANN}"
    assert stored.channel_id == "D" + ANN


async def test_a_mention_in_a_channel_gets_a_private_pointer(world: SlackWorld) -> None:
    await world.post(event_body(app_mention(ANN, "<@U0BOT> how do I influence the board?")))
    (call,) = await world.fake.wait_for("chat.postEphemeral")
    assert call.params["user"] == ANN
    assert not world.fake.calls_to("chat.postMessage")  # nothing said in the channel
    assert not user_files(world)


async def test_user_text_cannot_ping_or_link(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    await world.dm(ANN, "start stakeholder")
    posts = await world.dm(ANN, "&lt;!channel&gt; &amp; &lt;@U999&gt; &lt;https://evil|x&gt;")
    sent = json.dumps(posts)
    for dangerous in ("<!channel>", "<@U999>", "<https://evil"):
        assert dangerous not in sent
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.reflections[-1].text == "<!channel> & <@U999> <https://evil|x>"


# ------------------------------------------------------------------ requests refused


async def test_a_bad_signature_is_refused_and_nothing_is_processed(world: SlackWorld) -> None:
    body = event_body(message_im(ANN, "hello"))
    headers = signed_headers("not-the-secret", body)
    response = await world.http.post("/slack/events", data=body.encode(), headers=headers)
    assert response.status == 401
    assert [c.method for c in world.fake.calls] == ["auth.test"]  # only the start-up check
    assert not user_files(world)


async def test_a_stale_timestamp_is_refused(world: SlackWorld) -> None:
    body = event_body(message_im(ANN, "hello"))
    headers = signed_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    response = await world.http.post("/slack/events", data=body.encode(), headers=headers)
    assert response.status == 401
    assert not user_files(world)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "garbage"},
        {"X-Slack-Request-Timestamp": "99999999999999999999", "X-Slack-Signature": "v0=00"},
    ],
)
async def test_garbage_signature_headers_get_401_not_500(
    world: SlackWorld, headers: dict[str, str]
) -> None:
    response = await world.http.post("/slack/events", data=b"{}", headers=headers)
    assert response.status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (b"\xff\xfe not utf-8", "application/json"),
        (b"hello=world", "application/x-www-form-urlencoded"),
    ],
)
async def test_a_signed_but_malformed_body_gets_400(
    world: SlackWorld, body: bytes, content_type: str
) -> None:
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sign(SECRET, stamp, body),
    }
    response = await world.http.post("/slack/events", data=body, headers=headers)
    assert response.status == 400
    assert (await world.http.get("/healthz")).status == 200  # and it keeps serving


async def test_a_body_over_a_megabyte_gets_413(world: SlackWorld) -> None:
    body = b'{"type": "event_callback", "x": "' + b"a" * (1024 * 1024) + b'"}'
    response = await world.http.post(
        "/slack/events", data=io.BytesIO(body), headers=signed_headers(SECRET, body)
    )
    assert response.status == 413


async def test_the_url_verification_challenge_works(world: SlackWorld) -> None:
    response = await world.post(url_verification_body("challenge-123"))
    assert response.status == 200
    assert (await response.json())["challenge"] == "challenge-123"


@pytest.mark.parametrize(
    "event",
    [
        user_change(ANN, tz="Asia/Kolkata"),
        app_uninstalled(),
        tokens_revoked(),
        {**message_im(ANN, "edited"), "subtype": "message_changed"},
    ],
)
async def test_every_subscribed_event_is_acknowledged(
    world: SlackWorld, event: dict[str, object]
) -> None:
    response = await world.post(event_body(event))
    assert response.status == 200


async def test_a_retried_event_gets_one_reply(world: SlackWorld) -> None:
    body = event_body(message_im(ANN, "hello"), event_id="Ev0001")
    await world.post(body)
    await world.fake.wait_for("chat.postMessage")
    await world.post(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    await world.post(body, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"})
    await asyncio.sleep(0.2)
    assert len(world.fake.calls_to("chat.postMessage")) == 1


async def test_user_change_moves_the_leaders_schedules(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    await world.dm(ANN, "schedule weekdays 08:30 influence")
    await world.post(event_body(user_change(ANN, tz="Asia/Kolkata")))
    for _ in range(50):
        schedules = world.app.schedules.schedules_of(f"slack:T0FAKE:{ANN}")
        if schedules and schedules[0].timezone == "Asia/Kolkata":
            break
        await asyncio.sleep(0.02)
    assert schedules[0].timezone == "Asia/Kolkata"


# ------------------------------------------------------------------ nudges


async def add_schedule(world: SlackWorld, user: str) -> NudgeSchedule:
    schedule = NudgeSchedule(
        id="s1",
        user=f"slack:T0FAKE:{user}",
        themes=("influence",),
        days=parse_days("daily"),
        at=parse_hhmm("09:30"),
        timezone="Europe/London",
        created_by=f"slack:T0FAKE:{user}",
        created_at=world.clock.now(),
    )
    await world.app.schedules.put_schedules(schedule)
    return schedule


async def test_a_nudge_goes_to_the_dm_tagged_with_its_delivery_key(world: SlackWorld) -> None:
    schedule = await add_schedule(world, ANN)
    due = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    world.clock.at = due
    assert await world.app.deliveries.nudge(schedule, due) == "sent"
    assert world.fake.calls_to("conversations.open") == []  # rate tier 3: never in a burst
    (posted,) = world.fake.calls_to("chat.postMessage")
    assert posted.params["channel"] == ANN  # Slack puts it in the DM with the app
    message = world.last_message(ANN)
    assert message["metadata"]["event_type"] == "peercoach_nudge"
    key = message["metadata"]["event_payload"]["delivery"]
    assert key == str(DeliveryKey(world.key(ANN), "nudge", "s1", due))  # names the leader
    notifier = world.app.notifiers["slack"]
    assert await notifier.was_delivered(world.key(ANN), key) is True
    assert await notifier.was_delivered(world.key(ANN), "s1@2026-11-28T09:30Z") is False
    assert world.fake.calls_to("conversations.open") == []  # the DM's id came with the post


async def test_a_workspace_refusing_a_user_id_as_channel_gets_the_dm_opened(
    world: SlackWorld,
) -> None:
    schedule = await add_schedule(world, ANN)
    world.fake.error_for("chat.postMessage", "channel_not_found", channel=ANN)
    due = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    world.clock.at = due
    assert await world.app.deliveries.nudge(schedule, due) == "sent"
    (opened,) = world.fake.calls_to("conversations.open")
    assert opened.params["users"] == ANN
    assert len(world.fake.messages["D" + ANN]) == 1
    (found,) = world.app.schedules.schedules_of(schedule.user)
    assert not found.paused  # a reachable leader is not counted as gone


async def test_429_then_success(world: SlackWorld) -> None:
    schedule = await add_schedule(world, ANN)
    world.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    due = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert await world.app.deliveries.nudge(schedule, due) == "sent"
    assert len(world.fake.messages["D" + ANN]) == 1


async def test_an_inactive_account_pauses_the_leaders_schedules(world: SlackWorld) -> None:
    schedule = await add_schedule(world, ANN)
    world.fake.error_for("chat.postMessage", "account_inactive", channel="D" + ANN)
    due = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert await world.app.deliveries.nudge(schedule, due) == "failed"
    (paused,) = world.app.schedules.schedules_of(schedule.user)
    assert paused.paused
    assert paused.paused_reason == "unreachable: account_inactive"


async def test_uninstalling_the_app_pauses_that_workspaces_leaders(world: SlackWorld) -> None:
    schedule = await add_schedule(world, ANN)
    await world.post(event_body(app_uninstalled()))
    for _ in range(50):
        (found,) = world.app.schedules.schedules_of(schedule.user)
        if found.paused:
            break
        await asyncio.sleep(0.02)
    assert found.paused_reason == "unreachable: app_uninstalled"


async def test_a_click_on_another_leaders_buttons_acts_on_nobody(world: SlackWorld) -> None:
    """Question tokens are per leader (both onboarding questions are `q1`): a value names
    the leader whose question it is, so Ben pressing Ann's shared buttons answers neither."""
    ben = "U0BEN"
    await world.dm(ANN, "hello")
    await world.dm(ben, "hello")
    anns = copy.deepcopy(world.last_message(ANN))
    assert json.loads(_first_value(anns))["l"] == world.key(ANN).hashed
    before_ann = await world.app.users.load(world.key(ANN))
    before_ben = await world.app.users.load(world.key(ben))
    posts = len(world.fake.calls_to("chat.postMessage"))
    world.fake.messages["D" + ben].append(anns)
    await world.click(ben, "Set up now", wait=False)
    await asyncio.sleep(0.3)
    assert len(world.fake.calls_to("chat.postMessage")) == posts
    assert await world.app.users.load(world.key(ANN)) == before_ann
    assert await world.app.users.load(world.key(ben)) == before_ben
    world.fake.messages["D" + ben].pop()
    assert "Which theme" in texts(await world.click(ben, "Set up now"))  # his own still work


def _first_value(message: dict[str, Any]) -> str:
    blocks = message.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return next(e["value"] for b in blocks for e in b.get("elements") or [] if "value" in e)
