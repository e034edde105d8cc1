"""The Slack channel: bolt's AsyncApp behind our own checks, translating Slack to and from the
conversation service. Listeners translate; they hold no coaching logic."""

import asyncio
import re
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.deps import ChannelDeps
from bot.channels.slack import inbound, verify
from bot.channels.slack.circle_form import CircleForm
from bot.channels.slack.client import down_reason, make_client, new_session
from bot.channels.slack.coach_form import CoachForm
from bot.channels.slack.history import LIMITS, pacer_for
from bot.channels.slack.listeners import HOME_COMMANDS, SlackListeners
from bot.channels.slack.notifier import CALL_ERRORS, PACE_SECONDS, ChannelPacer, SlackNotifier
from bot.channels.slack.seen import SeenEvents
from bot.channels.status import ChannelStatus, Reconnector, Sleep
from bot.config import SlackSettings
from bot.logs import quiet_logger
from bot.ports import SeenEventStore
from bot.running import RunningTasks

CHOICE_ACTIONS = re.compile(r"^(pc_choice_\d+|pc_select)$")
IGNORED_EVENTS = ("app_home_opened_tab", "im_history_changed", "member_joined_channel")
# Requests answered without the Web API: served even while the start-up check fails.
NO_API = ("url_verification", "ssl_check", "app_rate_limited")


class SlackChannel(SlackListeners):
    """Serves POST /slack/events (or Socket Mode) and delivers nudges to Slack DMs."""

    def __init__(
        self,
        settings: SlackSettings,
        deps: ChannelDeps,
        *,
        pace: float = PACE_SECONDS,
        retry_sleep: Sleep = asyncio.sleep,
        seen: SeenEventStore | None = None,
    ) -> None:
        """`seen`: event ids already handled, shared by every instance on one database
        (default: in this process's memory)."""
        self.settings = settings
        self.deps = deps
        self.pace = pace
        self.session: aiohttp.ClientSession | None = None
        self.client: AsyncWebClient | None = None
        self.bolt: AsyncApp | None = None
        self.notifier: SlackNotifier | None = None
        self._socket: Any = None
        self.seen = SeenEvents(seen)
        # Hashed keys of leaders past their first contact: stored at start, or whose profile
        # users.info gave this run. Anyone else's next message is a first contact.
        self._contacted: set[str] = set()
        self._running = RunningTasks()  # bolt does not track its listeners
        self.status = ChannelStatus("slack")
        self.reconnector = Reconnector(self.status, self._connect, retry_sleep)
        self.coach_form = CoachForm(self)
        self.circle_form = CircleForm(self)

    async def start(self) -> None:
        """Inside the running loop: session, client, listeners, then the start-up check (the
        token works; Socket Mode connects). A check that fails never stops the server: the
        channel is reported down and keeps trying in the background."""
        self.session = new_session()
        self.client = make_client(self.settings.bot_token, self.settings.api_url, self.session)
        self._contacted = set(await self.deps.users.stored_hashes())
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=self.settings.signing_secret,
            request_verification_enabled=False,  # verified already, without logging bodies
            # Middleware each request would pay for and we have no use for: an ssl_check is
            # answered before bolt (verify.py), and we have no workflow functions and no
            # assistant threads, whose tokens and helpers bolt would attach to every event.
            ssl_check_enabled=False,
            attaching_function_token_enabled=False,
            attaching_conversation_kwargs_enabled=False,
            # bolt names a logger after the app and sets its level: keep it out of "peercoach.*"
            name="slack_bolt.app",
            logger=quiet_logger("slack_bolt.app"),
        )
        self._listen(self.bolt)
        kind = self.settings.app_kind
        self.notifier = SlackNotifier(
            self.client,
            self.deps.users,
            ChannelPacer(self.pace),
            history=pacer_for(kind, self.settings.history_per_minute),
            history_client=make_client(
                self.settings.bot_token,
                self.settings.api_url,
                self.session,
                retry_rate_limits=False,
            ),
            history_messages=LIMITS[kind].messages,
        )
        if self.settings.app_token:
            from slack_bolt.adapter.socket_mode.async_handler import (  # noqa: PLC0415
                AsyncSocketModeHandler,
            )

            self._socket = AsyncSocketModeHandler(
                self.bolt,
                app_token=self.settings.app_token,
                logger=quiet_logger("slack_sdk.socket_mode.peercoach"),
            )
        await self.reconnector.start()

    async def _connect(self) -> str | None:
        """The start-up check; None when Slack took it, otherwise why not (no secrets)."""
        try:
            await self.web().auth_test()
            if self._socket is not None:
                await self._socket.connect_async()
        except CALL_ERRORS as error:
            return down_reason(error)
        return None

    async def close(self) -> None:
        """Let acknowledged work finish: Slack will not resend what we already acked."""
        await self.reconnector.close()
        await self._running.finish(10)
        if self._socket is not None:
            await self._socket.close_async()
        if self.session is not None:
            await self.session.close()

    # ---------------------------------------------------------------- HTTP

    async def handle_http(self, request: web.Request) -> web.Response:
        """POST /slack/events: our checks first, so garbage gets 401/400/413, never 500."""
        assert self.bolt is not None
        return await inbound.answer(
            self.bolt,
            self.settings.signing_secret,
            request,
            before_bolt=self._while_down,
            direct=self._direct,
        )

    def _direct(self, body: dict[str, Any]) -> bool:
        """A message in a DM (every leader's turn) is run here, not dispatched to bolt: its
        listener needs nothing bolt adds (context, a client per request, the auth.test
        result, argument injection), and bolt's dispatch of it cost about as much CPU as a
        Web API call. Anything else, and every Socket Mode event, goes through bolt."""
        event = body.get("event")
        if not isinstance(event, dict) or event.get("type") != "message":
            return False
        if event.get("channel_type") != "im":
            return False
        self._running.start(self._on_message(body, event))
        return True

    async def _while_down(self, verdict: verify.Verdict) -> verify.Verdict:
        """A signed request while the start-up check fails: ask Slack again now; if still
        down, 503, so Slack sends the event again later rather than bolt dropping it.
        What needs no Web API (url_verification, say) goes through."""
        if self.status.down is None or verdict.kind in NO_API:
            return verdict
        if await self.reconnector.check_now() is None:
            return verdict
        return replace(verdict, status=503, reason="Slack Web API not reachable; retry later")

    # ---------------------------------------------------------------- listeners

    def _listen(self, bolt: AsyncApp) -> None:
        if self.settings.app_token:  # HTTP bodies were repaired by verify.py already
            bolt.use(inbound.repair_socket_mode)
        bolt.event("message")(self._on_message)
        bolt.event("app_mention")(self._on_mention)
        bolt.event("app_home_opened")(self._on_home_opened)
        bolt.event("user_change")(self._on_user_change)
        bolt.event("app_uninstalled")(self._on_uninstalled)
        bolt.event("tokens_revoked")(self._on_uninstalled)
        for event_type in IGNORED_EVENTS:
            bolt.event(event_type)(inbound.ignore)
        bolt.action(CHOICE_ACTIONS)(self._on_choice)
        for action_id in HOME_COMMANDS:
            bolt.action(action_id)(self._on_home_button)
        self.coach_form.listen(bolt)
        self.circle_form.listen(bolt)
        bolt.command("/coach")(self._on_command)
        # We offer no external menus: an empty list, not bolt's 404, whose warning would log
        # what the leader typed into the menu.
        bolt.options(re.compile(".*"))(inbound.no_options)
