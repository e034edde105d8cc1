"""Teams end to end: the real Agents SDK CloudAdapter behind peercoach's server, activities
in, a fake Bot Connector out."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import TeamsSettings
from bot.schedules.model import NudgeSchedule
from dialogs.recurrence import parse_days, parse_hhmm
from tests.channels.teams.world import ALEX, CHAT, TeamsWorld, teams_world, texts
from tests.conftest import FakeClock
from tests.fakes import teams_activity as teams

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[TeamsWorld]:
    async with teams_world(tmp_path, FakeClock(NOW)) as opened:
        yield opened


def user_files(world: TeamsWorld) -> list[Path]:
    return list((world.app.settings.data_dir / "users").glob("*.json"))


async def test_install_stores_the_conversation_and_welcomes(world: TeamsWorld) -> None:
    response = await world.post(teams.members_added(world.url))
    assert response.status in (200, 202)
    said = texts(world.connector.sent_to(CHAT))
    assert "patient" in said  # welcome and privacy notice
    assert "Set up now" in said
    stored = await world.app.users.load_extra(ALEX, "teams")
    assert stored is not None
    assert "conversation" in stored
    await world.post(teams.installation_update(world.url, "add"))
    assert texts(world.connector.sent_to(CHAT)).count("patient") == 1  # welcomed once


async def test_a_whole_dialogue_through_card_submits_and_text(world: TeamsWorld) -> None:
    await world.say("hello", timezone="Asia/Kolkata")
    first = await world.app.users.load(ALEX)
    assert first is not None
    assert first.profile.timezone == "Asia/Kolkata"  # from clientInfo
    await world.press("Skip for now")
    (update,) = world.connector.updates(CHAT)
    card = update.body["attachments"][0]["content"]
    assert "You chose" in json.dumps(card)
    assert not card.get("actions")  # a second submit has nothing to press
    await world.say("start energy")
    await world.say("the system board on Tuesday")
    await world.press("Getting by")
    await world.say("a walk at lunch")
    await world.say("block Thursday lunch")
    await world.press("A peer in the system")
    done = await world.say("ask Priya, from this Thursday")  # a peer chosen: named
    assert "I'll ask how it went" in texts(done)
    state = await world.app.users.load(ALEX)
    assert state is not None
    assert state.commitments[-1].text == "block Thursday lunch — ask Priya, from this Thursday"


async def test_a_second_submit_of_the_same_card_does_nothing(world: TeamsWorld) -> None:
    await world.say("hello")
    card_id, card = world.last_card()
    await world.press("Skip for now")
    before = len(world.connector.sent_to(CHAT))
    value = next(a["data"] for a in card["actions"] if a["title"] == "Set up now")
    await world.post(teams.card_submit(world.url, value, reply_to_id=card_id))
    assert len(world.connector.sent_to(CHAT)) == before
    assert len(world.connector.updates(CHAT)) == 1


async def test_a_menu_of_many_dialogues_uses_a_drop_down(world: TeamsWorld) -> None:
    await world.say("hello")
    await world.press("Skip for now")
    await world.say("start")
    await world.press("Whose problem is it?")
    state = await world.app.users.load(ALEX)
    assert state is not None
    assert state.dialogue is not None
    assert state.dialogue.dialogue == "wicked-problems.tame-or-wicked"


async def test_a_channel_message_gets_a_pointer_to_the_personal_chat(world: TeamsWorld) -> None:
    await world.post(teams.channel_message(world.url, "<at>peercoach</at> help"))
    (sent,) = [r for r in world.connector.requests if r.method == "POST"]
    assert "personal chat" in str(sent.body.get("text")).lower()
    assert not user_files(world)


async def test_uninstall_pauses_the_leaders_schedules(world: TeamsWorld) -> None:
    schedule = await add_schedule(world)
    await world.post(teams.installation_update(world.url, "remove"))
    (found,) = world.app.schedules.schedules_of(schedule.user)
    assert found.paused_reason == "unreachable: app_removed"


# ------------------------------------------------------------------ refused requests


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'"text"',
        b"{}",
        b'{"type": ""}',
        b'{"type": "message", "conversation": {"id": "x"}}',
        b'{"type": "message", "conversation": {"id": "x"}, "timestamp": "not a time"}',
        b'{"type": "message", "conversation": {"id": "x"}, "serviceUrl": "http://127.0.0.1:9/",'
        b' "timestamp": "not a time"}',
        b'{"type": "message", "conversation": {"id": "x"}, "serviceUrl": "http://127.0.0.1:9/",'
        b' "from": "not an account"}',
        b"[" * 200_000 + b"]" * 200_000,  # deeper than any parser recurses
    ],
)
async def test_bodies_that_are_not_activities_get_400(world: TeamsWorld, body: bytes) -> None:
    response = await world.post(body)
    assert response.status == 400
    assert (await world.http.get("/healthz")).status == 200  # still serving


async def test_local_trial_refuses_a_service_url_off_this_machine(world: TeamsWorld) -> None:
    response = await world.post(teams.personal_message("https://evil.example.com/", "hello"))
    assert response.status == 403
    assert not world.connector.requests
    assert not user_files(world)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln",
    ],
)
async def test_with_an_app_id_every_request_needs_a_valid_token(
    tmp_path: Path, authorization: str | None
) -> None:
    credentials = TeamsSettings(
        client_id=teams.BOT_APP_ID, client_secret="not-real", tenant_id=teams.TENANT_ID
    )
    async with teams_world(tmp_path, FakeClock(NOW), credentials=credentials) as secured:
        headers = {"Authorization": authorization} if authorization else {}
        response = await secured.post(teams.personal_message(secured.url, "hello"), **headers)
        assert response.status == 401
        assert not secured.connector.requests
        assert not user_files(secured)


# ------------------------------------------------------------------ nudges


async def add_schedule(world: TeamsWorld) -> NudgeSchedule:
    schedule = NudgeSchedule(
        id="s1",
        user=str(ALEX),
        themes=("influence",),
        days=parse_days("daily"),
        at=parse_hhmm("09:30"),
        timezone="Europe/London",
        created_by=str(ALEX),
        created_at=NOW,
    )
    await world.app.schedules.put_schedules(schedule)
    return schedule


async def nudge(world: TeamsWorld, schedule: NudgeSchedule) -> str:
    async def no_wait(_seconds: float) -> None:
        return None

    world.app.deliveries.sleep = no_wait
    due = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    world.clock.at = due
    return await world.app.deliveries.nudge(schedule, due)


async def test_a_proactive_nudge_reaches_the_stored_conversation(world: TeamsWorld) -> None:
    await world.say("hello")
    schedule = await add_schedule(world)
    before = len(world.connector.sent_to(CHAT))
    assert await nudge(world, schedule) == "sent"
    (sent,) = world.connector.sent_to(CHAT)[before:]
    assert sent.is_reply  # the SDK's proactive path
    assert "Reflect now" in texts([sent])


async def test_a_403_marks_the_leader_unreachable(world: TeamsWorld) -> None:
    await world.say("hello")
    schedule = await add_schedule(world)
    world.connector.fail_next(403, conversation=CHAT)
    assert await nudge(world, schedule) == "failed"
    (found,) = world.app.schedules.schedules_of(str(ALEX))
    assert found.paused_reason == "unreachable: forbidden (app removed or bot blocked)"


async def test_429_then_success(world: TeamsWorld) -> None:
    await world.say("hello")
    schedule = await add_schedule(world)
    world.connector.fail_next(429, retry_after=2, conversation=CHAT)
    assert await nudge(world, schedule) == "sent"
    assert world.app.deliveries.stats.retried == 1


async def test_a_leader_who_never_wrote_cannot_be_nudged(world: TeamsWorld) -> None:
    schedule = await add_schedule(world)
    assert await nudge(world, schedule) == "failed"
    assert not world.connector.requests


async def test_an_error_mid_turn_never_shows_internals(world: TeamsWorld) -> None:
    world.connector.fail_next(500, conversation=CHAT)  # the welcome's first send fails
    await world.post(teams.personal_message(world.url, "hello"))
    bodies = json.dumps(world.connector.activities())
    assert "Exception" not in bodies
    assert "Traceback" not in bodies


# ------------------------------------------------------------------ export


async def test_export_asks_consent_then_uploads_the_file(world: TeamsWorld) -> None:
    uploads: list[bytes] = []

    async def receive(request: web.Request) -> web.Response:
        uploads.append(await request.read())
        return web.Response(status=201)

    upload_app = web.Application()
    upload_app.router.add_put("/upload/{name}", receive)
    async with TestServer(upload_app, host="127.0.0.1") as uploader:
        await world.say("hello")
        sent = await world.say("export")
        consent = [
            a
            for r in sent
            for a in (r.body or {}).get("attachments") or []
            if a["contentType"].endswith("file.consent")
        ]
        assert consent
        info: dict[str, Any] = {
            "uploadUrl": str(uploader.make_url("/upload/export.json")),
            "contentUrl": "https://contoso.sharepoint.com/export.json",
            "name": "export.json",
            "uniqueId": "u1",
            "fileType": "json",
        }
        invoke = {
            **teams.personal_message(world.url, ""),
            "type": "invoke",
            "name": "fileConsent/invoke",
            "value": {"type": "fileUpload", "action": "accept", "uploadInfo": info},
        }
        response = await world.post(invoke)
        assert response.status == 200
    (data,) = uploads
    assert json.loads(data)["user"] == str(ALEX)
    last = world.connector.sent_to(CHAT)[-1].body["attachments"][0]
    assert last["contentType"] == "application/vnd.microsoft.teams.card.file.info"


async def test_declining_the_export_sends_nothing(world: TeamsWorld) -> None:
    await world.say("hello")
    await world.say("export")
    invoke = {
        **teams.personal_message(world.url, ""),
        "type": "invoke",
        "name": "fileConsent/invoke",
        "value": {"type": "fileUpload", "action": "decline"},
    }
    assert (await world.post(invoke)).status == 200
    assert "No file was sent" in texts(world.connector.sent_to(CHAT)[-1:])
    await asyncio.sleep(0)


def test_the_sdks_user_agent_is_worked_out_once() -> None:
    from microsoft_agents.hosting.core.connector.client import connector_client  # noqa: PLC0415

    from bot.channels.teams.connection import cache_sdk_product_info  # noqa: PLC0415

    cache_sdk_product_info()
    cache_sdk_product_info()  # idempotent
    product = connector_client.get_product_info
    assert hasattr(product, "cache_info")
    assert product() == product()
    assert "python" in product().lower()


async def test_a_reference_that_cannot_be_saved_costs_no_reply_and_is_saved_next_turn(
    world: TeamsWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = world.app.users
    original = store.save_extra
    failures = iter([OSError(28, "No space left on device")])

    async def save_extra_once_failing(*args: Any) -> None:
        error = next(failures, None)
        if error is not None:
            raise error
        await original(*args)

    monkeypatch.setattr(store, "save_extra", save_extra_once_failing)
    await world.say("hello")
    assert "patient" in texts(world.connector.sent_to(CHAT))  # the leader was answered
    assert "sorry" not in texts(world.connector.sent_to(CHAT)).lower()
    assert await store.load_extra(ALEX, "teams") is None
    (warning,) = [r for r in caplog.records if r.getMessage() == "teams.reference_not_saved"]
    assert "PEERCOACH_DATA_DIR" in warning.__dict__["fields"]["fix"]
    await world.say("help")
    assert await store.load_extra(ALEX, "teams") is not None  # tried again, and kept


async def test_a_submit_of_another_leaders_card_acts_on_nobody(world: TeamsWorld) -> None:
    """Tokens are per leader (every onboarding question is `q1`): the card data names the
    leader whose question it is, so a card forwarded to someone else answers nobody's."""
    await world.say("hello")
    card_id, card = world.last_card()
    value = next(a["data"] for a in card["actions"] if a["title"] == "Set up now")
    assert value["leader"] == ALEX.hashed
    other = {"user_id": "29:other", "aad_object_id": "00000000-0000-0000-0000-00000000b0b0"}
    await world.say("hello", **other)
    before = len(world.connector.sent_to(CHAT))
    response = await world.post(teams.card_submit(world.url, value, reply_to_id=card_id, **other))
    assert response.status in (200, 202)
    assert len(world.connector.sent_to(CHAT)) == before
    state = await world.app.users.load(ALEX)
    assert state is not None
    assert state.awaiting is not None  # Alex's question is still open
    await world.post(teams.card_submit(world.url, value, reply_to_id=card_id))  # Alex's own
    assert "Which theme" in texts(world.connector.sent_to(CHAT)[before:])
