"""The Slack fakes work with the real clients: slack_sdk's AsyncWebClient, slack-bolt's AsyncApp.

These tests also pin the bolt behaviour notes/slack-integration.md relies on.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bench.baselines.slack_echo import build_echo_app
from tests.fakes.slack_api import DROP, FakeSlackApi
from tests.fakes.slack_signing import (
    action_body,
    app_home_opened,
    event_body,
    message_im,
    signed_headers,
    slash_body,
    url_verification_body,
    user_change,
)

SECRET = "test-signing-secret"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as fake:
        yield fake


def client_for(slack: FakeSlackApi, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=slack.token, base_url=slack.url + "api/", timeout=5, **kwargs)


@pytest.fixture
def client(slack: FakeSlackApi) -> AsyncWebClient:
    return client_for(slack)


# -- the Web API, through AsyncWebClient ---------------------------------------------------


async def test_auth_test_answers_the_bot_identity_and_rejects_a_wrong_token(slack, client):
    answer = await client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0FAKE", "U0BOT", "B0BOT")

    with pytest.raises(SlackApiError) as wrong:
        await AsyncWebClient(token="xoxb-wrong", base_url=slack.url + "api/").auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    assert [call.method for call in slack.calls] == ["auth.test", "auth.test"]


async def test_conversations_open_gives_a_stable_dm_channel(client):
    first = await client.conversations_open(users="U1")
    again = await client.conversations_open(users="U1")
    assert first["channel"]["id"] == again["channel"]["id"] == "DU1"


async def test_metadata_posted_with_a_message_comes_back_from_history(slack, client):
    metadata = {"event_type": "peercoach_turn", "event_payload": {"node": "reflect.open"}}
    first = await client.chat_postMessage(channel="DU1", text="one", metadata=metadata)
    second = await client.chat_postMessage(channel="DU1", text="two", blocks=[])

    assert float(second["ts"]) > float(first["ts"])
    assert slack.calls_to("chat.postMessage")[0].params["metadata"] == metadata
    history = await client.conversations_history(channel="DU1", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["two", "one"]  # newest first
    assert history["messages"][1]["metadata"] == metadata
    plain = await client.conversations_history(channel="DU1", oldest=first["ts"], limit=5)
    assert [m["text"] for m in plain["messages"]] == ["two"]  # oldest is exclusive
    assert "metadata" not in (await client.conversations_history(channel="DU1"))["messages"][1]


async def test_form_encoded_calls_are_understood_too(slack, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    await client.api_call(
        "chat.postMessage", data={"channel": "DU1", "text": "hi", "blocks": json.dumps(blocks)}
    )
    assert slack.messages["DU1"][0]["blocks"] == blocks


async def test_chat_update_changes_the_stored_message(slack, client):
    posted = await client.chat_postMessage(channel="DU1", text="Pick one")
    await client.chat_update(channel="DU1", ts=posted["ts"], text="You picked A", blocks=[])
    assert slack.messages["DU1"][0]["text"] == "You picked A"
    with pytest.raises(SlackApiError) as missing:
        await client.chat_update(channel="DU1", ts="1.000001", text="x")
    assert missing.value.response["error"] == "message_not_found"


async def test_users_info_reports_the_configured_time_zone(slack, client):
    slack.set_user("U1", tz="America/New_York", name="Ada Lovelace")
    user = (await client.users_info(user="U1"))["user"]
    assert (user["tz"], user["real_name"], user["profile"]["display_name"]) == (
        "America/New_York",
        "Ada Lovelace",
        "Ada Lovelace",
    )
    assert (await client.users_info(user="U2"))["user"]["tz"] == "Europe/London"


async def test_views_publish_and_post_ephemeral_are_stored(slack, client):
    await client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    await client.chat_postEphemeral(channel="DU1", user="U1", text="only you")
    assert slack.views["U1"]["type"] == "home"
    assert slack.ephemerals[0]["text"] == "only you"


async def test_files_upload_v2_runs_all_three_steps(slack, client):
    answer = await client.files_upload_v2(
        channel="DU1", content=b"week,score\n1,3\n", filename="progress.csv", title="Progress"
    )
    stored = slack.files[answer["file"]["id"]]
    assert (stored.channel_id, stored.title) == ("DU1", "Progress")
    assert (stored.filename, stored.data) == ("progress.csv", b"week,score\n1,3\n")
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


async def test_unknown_methods_fail_like_slack(client):
    with pytest.raises(SlackApiError) as unknown:
        await client.api_call("reminders.add", json={"text": "x"})
    assert (unknown.value.response.status_code, unknown.value.response["error"]) == (
        200,
        "unknown_method",
    )


async def test_429_is_lost_by_default_and_retried_with_the_rate_limit_handler(slack, client):
    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="DU1", text="lost")
    assert limited.value.response.status_code == 429

    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    patient = client_for(slack, retry_handlers=[AsyncRateLimitErrorRetryHandler()])
    await patient.chat_postMessage(channel="DU1", text="kept")  # sleeps Retry-After + <1 s
    assert [m["text"] for m in slack.messages["DU1"]] == ["kept"]
    assert len(slack.calls_to("chat.postMessage")) == 3


async def test_a_500_is_retried_with_the_server_error_handler(slack):
    slack.fail_next("chat.postMessage", status=500)
    quick = FixedValueRetryIntervalCalculator(0.01)
    client = client_for(slack, retry_handlers=[AsyncServerErrorRetryHandler(1, quick)])
    await client.chat_postMessage(channel="DU1", text="after a 500")
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_error_for_fails_only_the_matching_channel_until_cleared(slack, client):
    slack.error_for("chat.postMessage", "account_inactive", channel="DU1")
    with pytest.raises(SlackApiError) as inactive:
        await client.chat_postMessage(channel="DU1", text="x")
    assert inactive.value.response["error"] == "account_inactive"
    await client.chat_postMessage(channel="DU2", text="fine")

    slack.error_for("users.info", "user_not_found", user="U9")
    with pytest.raises(SlackApiError):
        await client.users_info(user="U9")
    slack.clear_errors()
    await client.chat_postMessage(channel="DU1", text="x")


async def test_an_outage_fails_every_call_in_turn_until_it_ends(slack, client):
    down = True
    slack.outage(lambda: down, statuses=(503, DROP, DROP))  # slack_sdk retries a drop once
    with pytest.raises(SlackApiError) as failed:
        await client.auth_test()
    assert failed.value.response.status_code == 503
    with pytest.raises(aiohttp.ServerDisconnectedError):  # not an OSError, nor a SlackApiError
        await client.chat_postMessage(channel="DU1", text="x")
    down = False
    await client.chat_postMessage(channel="DU1", text="after")
    assert [m["text"] for m in slack.messages["DU1"]] == ["after"]


async def test_delay_makes_a_call_slow(slack, client):
    slack.delay("auth.test", 0.3)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await client.auth_test()


# -- slack-bolt's AsyncApp against the fake --------------------------------------------------


def bolt_app(slack: FakeSlackApi) -> AsyncApp:
    # Only client=: passing token= as well makes bolt log "token skipped" at WARNING.
    return AsyncApp(client=client_for(slack), signing_secret=SECRET)


async def dispatch(app: AsyncApp, body: str, **header_args: Any) -> BoltResponse:
    headers = signed_headers(SECRET, body, **header_args)
    return await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))


async def test_bolt_answers_a_signed_dm_through_the_fake(slack):
    app = bolt_app(slack)

    @app.event("message")
    async def reply(event: dict[str, Any], say: AsyncSay) -> None:
        await say(f"You said: {event['text']}")

    response = await dispatch(app, event_body(message_im("U1", "hello")))

    assert (response.status, response.body) == (200, "")  # acked before the listener ran
    [call] = await slack.wait_for("chat.postMessage")
    assert (call.params["channel"], call.params["text"]) == ("DU1", "You said: hello")
    assert len(slack.calls_to("auth.test")) == 1  # once, on the first request


async def test_bolt_rejects_a_bad_signature_and_answers_url_verification(slack):
    app = bolt_app(slack)
    body = event_body(message_im("U1", "hello"))
    forged = await dispatch(app, body, timestamp=int(time.time()) - 600)
    assert forged.status == 401

    challenge = await dispatch(app, url_verification_body("abc123"))
    assert (challenge.status, json.loads(challenge.body)) == (200, {"challenge": "abc123"})
    assert slack.calls == []  # neither needs auth.test


async def test_bolt_404s_an_event_without_a_listener_unless_acked(slack):
    app = bolt_app(slack)
    unhandled = await dispatch(app, event_body(user_change("U1", tz="Asia/Tokyo")))
    assert unhandled.status == 404

    @app.event("user_change")
    async def ignore() -> None:
        """Events are acked for us before the listener runs."""

    assert (await dispatch(app, event_body(user_change("U1")))).status == 200


async def test_bolt_message_listener_404s_edits_and_deletions_of_dms(slack):
    app = bolt_app(slack)

    @app.message()
    async def reply() -> None:
        """app.message() skips subtypes such as message_changed and message_deleted."""

    edited = message_im("U1", "hello") | {"subtype": "message_changed", "message": {"text": "hi"}}
    assert (await dispatch(app, event_body(message_im("U1", "hello")))).status == 200
    assert (await dispatch(app, event_body(edited))).status == 404


async def test_bolt_button_acks_then_responds_to_the_response_url(slack):
    app = bolt_app(slack)

    @app.action("choose")
    async def choose(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(f"You chose {body['actions'][0]['value']}", replace_original=True)

    body = action_body(user="U1", action_id="choose", value="a", response_url=slack.response_url())
    response = await dispatch(app, body)

    assert response.status == 200
    [call] = await slack.wait_for("response_url")
    assert (call.params["text"], call.params["replace_original"]) == ("You chose a", True)


async def test_bolt_slash_command_answers_through_ack(slack):
    app = bolt_app(slack)

    @app.command("/coach")
    async def coach(ack: AsyncAck, command: dict[str, str]) -> None:
        await ack(f"Starting: {command['text']}")

    response = await dispatch(app, slash_body("reflect", user_id="U1"))
    assert (response.status, response.body) == (200, "Starting: reflect")  # plain text


async def test_bolt_loses_a_slash_command_whose_text_contains_payload(slack):
    """bolt parses any form body containing "payload" as an interactivity payload."""
    app = bolt_app(slack)

    @app.command("/coach")
    async def coach(ack: AsyncAck) -> None:
        await ack()

    response = await dispatch(app, slash_body("payload review", user_id="U1"))
    assert response.status == 404


async def test_bolt_app_home_opened_publishes_a_view(slack):
    app = bolt_app(slack)

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    assert (await dispatch(app, event_body(app_home_opened("U1")))).status == 200
    await slack.wait_for("views.publish")
    assert slack.views["U1"]["type"] == "home"


# -- the bare echo baseline ----------------------------------------------------------------


async def test_the_echo_baseline_echoes_a_dm_through_the_fake(slack):
    server = TestServer(build_echo_app(SECRET, slack.token, slack.url + "api/"), port=0)
    await server.start_server()
    try:
        body = event_body(message_im("U1", "echo me"))
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            url = server.make_url("/slack/events")
            async with http.post(url, data=body, headers=signed_headers(SECRET, body)) as resp:
                assert resp.status == 200
        [call] = await slack.wait_for("chat.postMessage")
        assert (call.params["channel"], call.params["text"]) == ("DU1", "echo me")
    finally:
        await server.close()
