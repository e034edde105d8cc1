"""Inbound Teams activities as the Bot Connector posts them to /api/messages, as plain dicts.

Shapes follow what Teams sends (ids like ``29:…`` for users and ``28:<app id>`` for the bot,
``clientInfo`` entities, ``channelData.tenant``). Every builder takes the ``service_url`` the
bot must answer to: in tests, a ``FakeBotConnector.url``.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

BOT_APP_ID = "00000000-0000-0000-0000-00000000b07a"
BOT_ID = f"28:{BOT_APP_ID}"
BOT_NAME = "peercoach"
TENANT_ID = "11111111-2222-3333-4444-555555555555"
USER_ID = "29:1alexSmithPairwiseIdFromTeams"
USER_AAD_OBJECT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
USER_NAME = "Alex Smith"
PERSONAL_CONVERSATION_ID = "a:1personalChatWithAlexSmith"
TEAM_ID = "19:teamGeneralChannel@thread.tacv2"
CHANNEL_ID = "19:coachingChannel@thread.tacv2"
GROUP_CHAT_ID = "19:groupChatWithThreeLeaders@thread.v2"
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

# Teams activity ids are millisecond timestamps; a counter keeps them unique within a run.
_activity_ids = itertools.count(1_795_770_000_000)


def _envelope(
    service_url: str,
    activity_type: str,
    *,
    conversation: dict[str, Any],
    at: datetime,
    timezone: str,
    locale: str,
    user_id: str,
    aad_object_id: str,
    tenant_id: str,
    activity_id: str | None,
) -> dict[str, Any]:
    return {
        "type": activity_type,
        "id": activity_id or str(next(_activity_ids)),
        "timestamp": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "localTimestamp": at.astimezone(ZoneInfo(timezone)).isoformat(),
        "localTimezone": timezone,
        "locale": locale,
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": USER_NAME, "aadObjectId": aad_object_id},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": {**conversation, "tenantId": tenant_id},
        "channelData": {"tenant": {"id": tenant_id}},
        "entities": [
            {
                "type": "clientInfo",
                "locale": locale,
                "country": locale.rsplit("-", 1)[-1],
                "platform": "Web",
                "timezone": timezone,
            }
        ],
    }


def personal_message(
    service_url: str,
    text: str = "hello",
    *,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_OBJECT_ID,
    tenant_id: str = TENANT_ID,
    timezone: str = "Europe/London",
    locale: str = "en-GB",
    at: datetime = AT,
    activity_id: str | None = None,
) -> dict[str, Any]:
    """A text message in the one-to-one chat between a user and the bot."""
    activity = _envelope(
        service_url,
        "message",
        conversation={"conversationType": "personal", "id": conversation_id},
        at=at,
        timezone=timezone,
        locale=locale,
        user_id=user_id,
        aad_object_id=aad_object_id,
        tenant_id=tenant_id,
        activity_id=activity_id,
    )
    return {**activity, "text": text, "textFormat": "plain"}


def card_submit(
    service_url: str,
    value: dict[str, Any],
    *,
    reply_to_id: str | None = None,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_OBJECT_ID,
    tenant_id: str = TENANT_ID,
    timezone: str = "Europe/London",
    locale: str = "en-GB",
    at: datetime = AT,
) -> dict[str, Any]:
    """An Adaptive Card ``Action.Submit``: a message with ``value`` (the card data), no text."""
    activity = personal_message(
        service_url,
        conversation_id=conversation_id,
        user_id=user_id,
        aad_object_id=aad_object_id,
        tenant_id=tenant_id,
        timezone=timezone,
        locale=locale,
        at=at,
    )
    del activity["text"], activity["textFormat"]
    activity["value"] = value
    activity["channelData"] = {**activity["channelData"], "source": {"name": "message"}}
    if reply_to_id is not None:
        activity["replyToId"] = reply_to_id
        activity["channelData"]["legacy"] = {"replyToId": reply_to_id}
    return activity


def _install_event(
    service_url: str,
    kind: str,
    *,
    conversation_id: str,
    user_id: str,
    aad_object_id: str,
    tenant_id: str,
    at: datetime,
) -> dict[str, Any]:
    """The envelope of an install/add event in the personal chat. No clientInfo: a bot
    should not count on it outside messages."""
    activity = _envelope(
        service_url,
        kind,
        conversation={"conversationType": "personal", "id": conversation_id},
        at=at,
        timezone="Europe/London",
        locale="en-GB",
        user_id=user_id,
        aad_object_id=aad_object_id,
        tenant_id=tenant_id,
        activity_id=None,
    )
    del activity["entities"], activity["localTimezone"], activity["localTimestamp"]
    return activity


def members_added(
    service_url: str,
    *,
    include_bot: bool = True,
    include_user: bool = False,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_OBJECT_ID,
    tenant_id: str = TENANT_ID,
    at: datetime = AT,
) -> dict[str, Any]:
    """The ``conversationUpdate`` Teams sends when the app is added to a personal chat."""
    activity = _install_event(
        service_url,
        "conversationUpdate",
        conversation_id=conversation_id,
        user_id=user_id,
        aad_object_id=aad_object_id,
        tenant_id=tenant_id,
        at=at,
    )
    added = []
    if include_bot:
        added.append({"id": BOT_ID})
    if include_user:
        added.append({"id": user_id, "aadObjectId": aad_object_id})
    activity["membersAdded"] = added
    return activity


def installation_update(
    service_url: str,
    action: Literal["add", "remove", "add-upgrade", "remove-upgrade"] = "add",
    *,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_OBJECT_ID,
    tenant_id: str = TENANT_ID,
    at: datetime = AT,
) -> dict[str, Any]:
    """The ``installationUpdate`` Teams sends when a user installs or removes the app."""
    activity = _install_event(
        service_url,
        "installationUpdate",
        conversation_id=conversation_id,
        user_id=user_id,
        aad_object_id=aad_object_id,
        tenant_id=tenant_id,
        at=at,
    )
    activity["action"] = action
    activity["channelData"] = {**activity["channelData"], "source": {"name": "message"}}
    return activity


def channel_message(
    service_url: str,
    text: str = "hello",
    *,
    conversation_type: Literal["channel", "groupChat"] = "channel",
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_OBJECT_ID,
    tenant_id: str = TENANT_ID,
    at: datetime = AT,
) -> dict[str, Any]:
    """A message that @mentions the bot in a team channel or a group chat (not a personal chat)."""
    activity_id = str(next(_activity_ids))
    if conversation_type == "channel":
        conversation = {
            "conversationType": "channel",
            "isGroup": True,
            "id": f"{CHANNEL_ID};messageid={activity_id}",
        }
        channel_data: dict[str, Any] = {
            "teamsChannelId": CHANNEL_ID,
            "teamsTeamId": TEAM_ID,
            "channel": {"id": CHANNEL_ID},
            "team": {"id": TEAM_ID},
        }
    else:
        conversation = {"conversationType": "groupChat", "isGroup": True, "id": GROUP_CHAT_ID}
        channel_data = {}
    activity = _envelope(
        service_url,
        "message",
        conversation=conversation,
        at=at,
        timezone="Europe/London",
        locale="en-GB",
        user_id=user_id,
        aad_object_id=aad_object_id,
        tenant_id=tenant_id,
        activity_id=activity_id,
    )
    activity["channelData"] = {**activity["channelData"], **channel_data}
    mention = f"<at>{BOT_NAME}</at>"
    activity["text"] = f"{mention} {text}"
    activity["textFormat"] = "plain"
    activity["entities"].append(
        {
            "type": "mention",
            "text": mention,
            "mentioned": {"id": BOT_ID, "name": BOT_NAME},
        }
    )
    return activity
