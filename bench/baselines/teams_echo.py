"""The bare Microsoft 365 Agents SDK echo bot that the Teams benchmark compares peercoach against.

A plain ActivityHandler (not AgentApplication, which loads and saves turn state every turn)
behind the SDK's aiohttp CloudAdapter, in local-trial mode: no credentials, empty tokens.
Serve it on 127.0.0.1 only, and point inbound activities' serviceUrl at a FakeBotConnector.
"""

import logging
from typing import Any

from aiohttp import web
from microsoft_agents.activity import TurnContextProtocol
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    ActivityHandler,
    AnonymousTokenProvider,
    ConnectionManager,
)

# Warns "App ID is not provided ..." on every anonymous turn; formatting it costs time.
_PER_TURN_WARNING_LOGGER = "microsoft_agents.hosting.core.connector.client.user_token_client"


class EchoBot(ActivityHandler):
    """Sends every message's text straight back."""

    async def on_message_activity(self, turn_context: TurnContextProtocol[Any]) -> None:
        await turn_context.send_activity(turn_context.activity.text or "")


def build_echo_app() -> web.Application:
    """An aiohttp app with the echo bot at POST /api/messages."""
    logging.getLogger(_PER_TURN_WARNING_LOGGER).setLevel(logging.ERROR)
    manager = ConnectionManager(
        provider_factory=lambda _config: AnonymousTokenProvider(),
        CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": {}}},
    )
    adapter = CloudAdapter(connection_manager=manager)
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=202)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app
