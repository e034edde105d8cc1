"""Inbound Slack requests for tests: signed headers and the bodies Slack posts to /slack/events.

    body = event_body(message_im("U1", "hello"))
    await http.post("/slack/events", data=body, headers=signed_headers(SECRET, body))

Bodies are `str`, exactly the bytes that are signed. Event and action builders fill the ids
Slack always sends with test values; pass the ones a test cares about. The default
response_url points at a closed loopback port, so a stray respond() never leaves the machine.
"""

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0FAKE"
API_APP_ID = "A0FAKE"
BOT_USER_ID = "U0BOT"
NOWHERE = "http://127.0.0.1:9/response/none"  # port 9 (discard): connection refused at once

_sequence = itertools.count(1)


def signed_headers(
    secret: str, body: bytes | str, *, timestamp: int | None = None, content_type: str = ""
) -> dict[str, str]:
    """Slack's v0 HMAC-SHA256 signature headers; Content-Type guessed from the body if empty."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    text = body.decode() if isinstance(body, bytes) else body
    guessed = "application/json" if text.startswith("{") else "application/x-www-form-urlencoded"
    return {
        "Content-Type": content_type or guessed,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


def _ts() -> str:
    now_us = time.time_ns() // 1000 + next(_sequence)  # unique even within one microsecond
    return f"{now_us // 1_000_000}.{now_us % 1_000_000:06d}"


# -- Events API ----------------------------------------------------------------------------


def event_body(
    event: dict[str, Any],
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    event_id: str | None = None,
    event_time: int | None = None,
) -> str:
    """The event_callback envelope Slack posts for every subscribed event."""
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": team_id,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_sequence):08d}",
            "event_time": event_time if event_time is not None else int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True}],
            "is_ext_shared_channel": False,
        }
    )


def message_im(
    user: str, text: str, *, channel: str | None = None, ts: str | None = None
) -> dict[str, Any]:
    """A direct message to the bot (event `message`, channel_type `im`)."""
    ts = ts or _ts()
    return {
        "type": "message",
        "channel_type": "im",
        "channel": channel or "D" + user,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "client_msg_id": f"msg-{next(_sequence)}",
    }


def app_mention(user: str, text: str, *, channel: str = "C0GENERAL") -> dict[str, Any]:
    ts = _ts()
    text = f"<@{BOT_USER_ID}> {text}"
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
    }


def app_home_opened(user: str, *, tab: str = "home") -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user,
        "tab": tab,
        "event_ts": _ts(),
    }


def user_change(user: str, *, tz: str = "Europe/London", name: str = "") -> dict[str, Any]:
    """A user's profile changed (e.g. their time zone); `user` is the full user object."""
    name = name or f"Leader {user}"
    profile = {"display_name": name, "real_name": name}
    user_object = {"id": user, "tz": tz, "tz_label": tz, "real_name": name, "profile": profile}
    return {
        "type": "user_change",
        "user": user_object,
        "event_ts": _ts(),
        "cache_ts": int(time.time()),
    }


def app_uninstalled() -> dict[str, Any]:
    return {"type": "app_uninstalled", "event_ts": _ts()}


def tokens_revoked(
    *, bot: tuple[str, ...] = (BOT_USER_ID,), oauth: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {
        "type": "tokens_revoked",
        "tokens": {"oauth": list(oauth), "bot": list(bot)},
        "event_ts": _ts(),
    }


def url_verification_body(challenge: str) -> str:
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "challenge": challenge,
            "type": "url_verification",
        }
    )


# -- interactivity and slash commands ------------------------------------------------------


def action_body(
    *,
    user: str,
    action_id: str,
    value: str | None = None,
    selected_option: str | None = None,
    channel: str | None = None,
    message_ts: str = "1700000000.000100",
    block_id: str = "choices",
    response_url: str = NOWHERE,
    trigger_id: str = "trigger-1",
    team_id: str = TEAM_ID,
) -> str:
    """A block_actions payload for a button (`value`) or a select (`selected_option`)."""
    channel = channel or "D" + user
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "action_ts": _ts()}
    if selected_option is not None:
        action |= {"type": "static_select", "selected_option": {"value": selected_option}}
    else:
        action |= {"type": "button", "value": value or ""}
    payload = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "fake-nhs"},
        "user": {"id": user, "team_id": team_id, "name": f"leader.{user.lower()}"},
        "api_app_id": API_APP_ID,
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id,
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": message_ts, "user": BOT_USER_ID, "text": ""},
        "response_url": response_url,
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})


def slash_body(
    text: str,
    *,
    user_id: str,
    command: str = "/coach",
    channel_id: str | None = None,
    team_id: str = TEAM_ID,
    response_url: str = NOWHERE,
    trigger_id: str = "trigger-1",
) -> str:
    """The form body of a slash command."""
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": team_id,
            "team_domain": "fake-nhs",
            "channel_id": channel_id or "D" + user_id,
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": f"leader.{user_id.lower()}",
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )
