"""POST /api/messages: authentication (when an app id is set), then our own body checks,
then the SDK's adapter and our activity handler."""

import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

import orjson
from aiohttp import web
from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator
from microsoft_agents.hosting.core import TurnContext
from pydantic import ValidationError

from bot.channels.status import ChannelStatus
from bot.channels.teams.bot import CoachActivityHandler, TeamsDeps
from bot.channels.teams.connection import (
    auth_configuration,
    build_adapter,
    cache_sdk_product_info,
    connection_manager,
    quiet_sdk_logs,
)
from bot.channels.teams.files import is_loopback
from bot.channels.teams.notifier import TeamsNotifier
from bot.config import TeamsSettings
from bot.logs import log
from bot.services.conversations import SORRY

logger = logging.getLogger("peercoach.teams")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TeamsChannel:
    """Without settings this is a local trial: no JWT check, loopback service URLs only."""

    def __init__(self, settings: TeamsSettings | None, deps: TeamsDeps) -> None:
        quiet_sdk_logs()
        cache_sdk_product_info()
        self.settings = settings
        self.deps = deps
        self.manager = connection_manager(settings)
        self.adapter = build_adapter(self.manager, production=settings is not None)
        self.adapter.on_turn_error = self._on_turn_error
        self.handler = CoachActivityHandler(deps)
        self.notifier = TeamsNotifier(self.adapter, deps)
        # No start-up check: the Bot Connector is reached per activity, and a send it refuses
        # is retried with the delivery's own backoff.
        self.status = ChannelStatus("teams")
        self._checked: Handler = (
            jwt_authorization_decorator(self._guarded) if settings else self._guarded
        )

    def mount(self, app: web.Application) -> None:
        """The JWT decorator guards this route only (an app-wide middleware would also guard
        /slack/events); it reads its configuration under this str key."""
        if self.settings is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", web.NotAppKeyWarning)  # the SDK's own str key
                app["agent_configuration"] = auth_configuration(self.manager)
        app.router.add_post("/api/messages", self.handle_http)

    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._checked(request)
        except web.HTTPException:
            raise
        except Exception:
            log(logger, "teams.refused", level=logging.WARNING, status=401, reason="bad token")
            return web.json_response({"error": "unauthorized"}, status=401)

    async def _guarded(self, request: web.Request) -> web.StreamResponse:
        """Malformed bodies get 400, never 500. Cheap checks here; the SDK validates the
        activity itself (once), and what it fails to parse becomes a 400 too."""
        problem = await self._body_problem(request)
        if problem is None:
            try:
                response = await self.adapter.process(request, self.handler)
            except ValidationError:
                problem = 400, "body is not a valid activity"
            else:
                return response if response is not None else web.Response(status=202)
        status, reason = problem
        log(logger, "teams.refused", level=logging.WARNING, status=status, reason=reason)
        return web.json_response({"error": reason}, status=status)

    async def _body_problem(self, request: web.Request) -> tuple[int, str] | None:
        if request.content_type != "application/json":  # as Bot Framework's own adapters;
            return 415, "Content-Type must be application/json"  # no cross-site form posts
        try:  # orjson: fast, and its depth limit makes absurd nesting a parse error
            body: Any = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return 400, "body is not JSON"
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return 400, "body is not an activity"
        sender = body.get("from")
        if not isinstance(sender, dict) or not sender.get("id"):
            return 400, "activity has no sender"
        conversation = body.get("conversation")
        if not isinstance(conversation, dict) or not conversation.get("id"):
            return 400, "activity has no conversation"
        service_url = body.get("serviceUrl")
        if not isinstance(service_url, str) or not service_url:
            return 400, "activity has no serviceUrl"  # the SDK would leak a session here
        host = urlparse(service_url).hostname or ""
        if self.settings is None and not is_loopback(host):
            return 403, "local trial accepts only loopback service URLs"
        return None

    async def _on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Instead of the SDK's default, which sends the exception text to the leader."""
        log(logger, "teams.turn_error", level=logging.ERROR, error=type(error).__name__)
        try:
            await turn_context.send_activity(SORRY)
        except Exception as failure:
            log(logger, "teams.sorry_failed", level=logging.WARNING, error=type(failure).__name__)
