"""Nudges to Teams: proactive sends to the stored conversation, with or without credentials."""

import asyncio
import contextlib
from typing import Any

import aiohttp
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation

from bot.channels.teams.bot import CONVERSATION, TeamsDeps, send_reply
from bot.domain import Reply, UserKey
from bot.ports import DeliveryError

LEADER_GONE = {403: "forbidden (app removed or bot blocked)", 404: "conversation not found"}
TRANSIENT = {408, 412, 429, 500, 502, 503, 504}


class TeamsNotifier:
    def __init__(self, adapter: CloudAdapter, deps: TeamsDeps) -> None:
        self.adapter = adapter
        self.deps = deps

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:  # noqa: ARG002
        known = self.deps.memory.conversations.get(key)
        if known is None:
            stored = await self.deps.users.load_extra(key, CONVERSATION) or {}
            known = stored.get("conversation")
            if known is None:
                raise DeliveryError("no Teams conversation with this leader yet", permanent=True)
            self.deps.memory.remember_conversation(key, known)
        conversation = Conversation.from_json_to_store_item(known)
        failures: list[BaseException] = []

        async def send(turn_context: TurnContext) -> None:
            try:  # errors must not reach the adapter's on_turn_error, which would hide them
                await send_reply(self.deps, turn_context, reply)
            except Exception as error:
                failures.append(error)

        await self.adapter.continue_conversation_with_claims(
            Conversation.identity_from_claims(conversation.claims),
            conversation.conversation_reference.get_continuation_activity(),
            send,
        )
        if failures:
            raise delivery_error(failures[0])

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:  # noqa: ARG002
        """The Bot Connector has no way to look a message up: Teams cannot tell."""
        return None


def delivery_error(error: BaseException) -> DeliveryError:
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, aiohttp.ClientResponseError):
        if error.status in LEADER_GONE:
            return DeliveryError(LEADER_GONE[error.status], permanent=True)
        if error.status in TRANSIENT:
            return DeliveryError(
                f"http {error.status}", permanent=False, retry_after=_retry_after(error.headers)
            )
        return DeliveryError(f"http {error.status}", permanent=True, leader_gone=False)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryError(f"connection: {type(error).__name__}", permanent=False)
    return DeliveryError(f"error: {type(error).__name__}", permanent=True, leader_gone=False)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers else None
    with contextlib.suppress(TypeError, ValueError):
        return float(value) if value is not None else None
    return None
