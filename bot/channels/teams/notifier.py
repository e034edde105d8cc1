"""Nudges to Teams: proactive sends to the stored conversation, with or without credentials."""

from http import HTTPStatus

import aiohttp
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation

from bot.channels.teams.bot import CONVERSATION, TeamsDeps, send_reply
from bot.channels.teams.errors import delivery_error
from bot.domain import Reply, UserKey
from bot.ports import DeliveryError

UNREADABLE = "the stored Teams conversation of this leader is not in the shape peercoach writes"


def _reference_shaped(known: object) -> bool:
    """What `Conversation.store_item_to_json` writes: claims and a conversation reference."""
    return (
        isinstance(known, dict)
        and isinstance(known.get("claims"), dict)
        and isinstance(known.get("conversation_reference"), dict)
    )


class TeamsNotifier:
    def __init__(self, adapter: CloudAdapter, deps: TeamsDeps) -> None:
        self.adapter = adapter
        self.deps = deps

    async def _conversation(self, key: UserKey) -> Conversation:
        known = self.deps.memory.conversations.get(key)
        if known is None:
            stored = await self.deps.users.load_extra(key, CONVERSATION) or {}
            known = stored.get("conversation")
            if known is None:
                raise DeliveryError("no Teams conversation with this leader yet", permanent=True)
            if not _reference_shaped(known):  # kept as it is; their next message replaces it
                raise DeliveryError(UNREADABLE, permanent=True)
            self.deps.memory.remember_conversation(key, known)
        try:
            return Conversation.from_json_to_store_item(known)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise DeliveryError(UNREADABLE, permanent=True) from error

    async def sign_in_name(self, key: UserKey) -> str | None:
        """The leader's sign-in name (UPN) from their chat's roster (GET .../members/<id>),
        for a "start a chat" link with their peers; None when Teams will not say. Asked of
        the connector's own session: the SDK's ChannelAccount drops the field."""
        try:
            conversation = await self._conversation(key)
        except DeliveryError:
            return None
        reference = conversation.conversation_reference
        chat = reference.conversation.id if reference.conversation else None
        user = reference.user.id if reference.user else None
        found: list[str] = []

        async def look(turn_context: TurnContext) -> None:
            connector = turn_context.turn_state.get("ConnectorClient")
            session = getattr(connector, "client", None)
            if session is None:
                return
            try:
                async with session.get(f"v3/conversations/{chat}/members/{user}") as answer:
                    member = await answer.json() if answer.status == HTTPStatus.OK else {}
            except (aiohttp.ClientError, TimeoutError, ValueError):
                return
            name = member.get("userPrincipalName") if isinstance(member, dict) else None
            if isinstance(name, str) and "@" in name:
                found.append(name)

        if chat and user:
            await self.adapter.continue_conversation_with_claims(
                Conversation.identity_from_claims(conversation.claims),
                reference.get_continuation_activity(),
                look,
            )
        return found[0] if found else None

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:  # noqa: ARG002
        conversation = await self._conversation(key)
        failures: list[BaseException] = []

        async def send(turn_context: TurnContext) -> None:
            try:  # errors must not reach the adapter's on_turn_error, which would hide them
                await send_reply(self.deps, turn_context, reply, key)
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
