"""The Slack channel: bolt's AsyncApp behind our own checks, translating Slack to and from the
conversation service. Listeners translate; they hold no coaching logic."""

import asyncio
import html
import logging
import re
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.deps import ChannelDeps
from bot.channels.slack import inbound, verify
from bot.channels.slack.circle_form import CircleForm
from bot.channels.slack.client import call, down_reason, make_client, new_session
from bot.channels.slack.coach_form import CoachForm
from bot.channels.slack.history import LIMITS, pacer_for
from bot.channels.slack.home import home_data
from bot.channels.slack.notifier import (
    CALL_ERRORS,
    PACE_SECONDS,
    ChannelPacer,
    SlackNotifier,
    post,
)
from bot.channels.slack.payloads import actor, platform_of, value_and_label
from bot.channels.slack.render import DM_POINTER, chosen, home_view, parse_action_value, plain
from bot.channels.slack.seen import SeenEvents
from bot.channels.status import ChannelStatus, Reconnector, Sleep
from bot.config import SlackSettings
from bot.domain import PlatformInfo, Reply, UserKey
from bot.logs import log, quiet_logger
from bot.ports import DeliveryError, EventClaim, SeenEventStore
from bot.running import RunningTasks
from bot.schedules.model import INACTIVE
from bot.services.conversations import REPLY_REFUSED, SORRY
from dialogs.model import ChoiceMade, CommandGiven, Event, ForgetConfirmed, Say, UserText

logger = logging.getLogger("peercoach.slack")
CHOICE_ACTIONS = re.compile(r"^(pc_choice_\d+|pc_select)$")
HOME_COMMANDS = {
    "home_start": "start",
    "home_nudge": "nudge",
    "home_pause": "pause",
    "home_resume": "resume",
}
IGNORED_EVENTS = ("app_home_opened_tab", "im_history_changed", "member_joined_channel")
# Requests answered without the Web API: served even while the start-up check fails.
NO_API = ("url_verification", "ssl_check", "app_rate_limited")


class SlackChannel:
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

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._running.track_current()
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # edits, deletions, joins and our own messages: acknowledged, nothing more
        if not event.get("user") or not event.get("channel"):
            log(logger, "slack.incomplete_message", level=logging.WARNING)
            return  # nobody to answer, or nowhere to
        key = UserKey("slack", str(body.get("team_id") or ""), str(event["user"]))
        channel = str(event["channel"])
        text = html.unescape(str(event.get("text") or ""))  # Slack sends &amp; &lt; &gt;
        self._notifier().remember(key, channel)
        # A retry of an event already handled (here or on another instance) runs nothing: its
        # id is taken with the turn (bot/services/once.py).
        claim = self.seen.claim(body)
        await self._turn(key, UserText(text, self.deps.clock.now()), channel, claim=claim)

    async def _on_choice(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        self._running.track_current()
        await ack()
        value, label = value_and_label(action)
        key = actor(body)
        parsed = parse_action_value(value or "", key.hashed)
        if parsed is None:  # not ours, or another leader's question (a shared message)
            log(logger, "slack.foreign_click", user=key.hashed)
            return
        token, choice, _topic = parsed
        channel = str((body.get("container") or {}).get("channel_id") or "")
        reply = await self._turn(
            key, ChoiceMade(token, choice, self.deps.clock.now()), channel, update=(body, label)
        )
        if not reply.messages:
            log(logger, "slack.stale_click", user=key.hashed)

    async def _on_home_button(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        self._running.track_current()
        await ack()
        key = actor(body)
        command = HOME_COMMANDS[str(action.get("action_id"))]
        channel = await self.dm(key)
        await self._turn(key, CommandGiven(command, self.deps.clock.now()), channel)
        await self._publish_home(key)

    async def _on_command(self, ack: Any, command: dict[str, Any]) -> None:
        """Acknowledge first (Slack allows 3 seconds), then find the DM and answer there."""
        self._running.track_current()
        if str(command.get("channel_id") or "").startswith("D"):
            await ack()
        else:
            await ack(text=DM_POINTER)  # only the leader sees it; the reply goes to the DM
        key = UserKey("slack", str(command.get("team_id") or ""), str(command.get("user_id")))
        try:
            channel = await self.dm(key)
        except DeliveryError as error:
            log(logger, "slack.no_dm", level=logging.WARNING, user=key.hashed, reason=error.reason)
            return
        text = str(command.get("text") or "").strip() or "help"
        if text.lower() in ("schedule", "coach schedule") and self.deps.coaching.is_coach(key):
            await self.coach_form.open(key, str(command.get("trigger_id") or ""))
            return
        if self.circle_form.wanted(key, text):
            await self.circle_form.open(key, str(command.get("trigger_id") or ""))
            return
        await self._turn(key, CommandGiven(html.unescape(text), self.deps.clock.now()), channel)

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Coaching stays private: a mention in a channel gets a pointer only its author sees."""
        self._running.track_current()
        assert self.client is not None
        if await self.seen.already(body):
            return
        try:
            await self.client.chat_postEphemeral(
                channel=str(event.get("channel")), user=str(event.get("user")), text=DM_POINTER
            )
        except SlackApiError as error:
            log(logger, "slack.pointer_failed", error=str(error.response.get("error")))

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._running.track_current()
        if event.get("tab", "home") != "home":
            return
        key = UserKey("slack", str(body.get("team_id") or ""), str(event.get("user") or ""))
        await self._publish_home(key)

    async def _on_user_change(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._running.track_current()
        user = event.get("user") or {}
        team = str(user.get("team_id") or body.get("team_id") or "")
        key = UserKey("slack", team, str(user.get("id") or ""))
        await self.deps.conversations.update_platform(key, platform_of(user))

    async def _on_uninstalled(self, body: dict[str, Any]) -> None:
        """The app is gone from a workspace: its leaders cannot be reached; pause them."""
        self._running.track_current()
        team = str(body.get("team_id") or "")
        gone = [
            s
            for s in self.deps.schedules.schedules()
            if s.user.startswith(f"slack:{team}:") and not s.paused
        ]
        await self.deps.schedules.put_schedules(
            *(replace(s, paused=True, paused_reason=f"{INACTIVE}: app_uninstalled") for s in gone)
        )
        log(logger, "slack.uninstalled", team=team, schedules=len(gone))

    # ---------------------------------------------------------------- the turn

    async def _turn(
        self,
        key: UserKey,
        event: Event,
        channel: str,
        *,
        update: tuple[dict[str, Any], str] | None = None,
        claim: EventClaim | None = None,
    ) -> Reply:
        """Run one event for the leader and post the reply; never let an error reach Slack
        users as a stack trace, nor a message's text reach the logs. A reply Slack would not
        take while it is down is sent again in the background: late, not lost."""
        reply, handled = Reply(), False
        try:
            with self.deps.conversations.timing("slack"):
                reply = await self.deps.conversations.handle(
                    key, event, await self._platform(key), claim=claim
                )
                if reply.repeat:
                    log(logger, "slack.retry_ignored", event_id=claim.event_id if claim else "-")
                    return Reply()
                handled = True
                if update is not None and reply.messages:
                    await self._mark_chosen(*update)
                await post(self.web(), channel, reply, leader=key)
            if any(isinstance(effect, ForgetConfirmed) for effect in reply.effects):
                self._contacted.discard(key.hashed)  # should they come back: a first contact
        except DeliveryError as error:
            retrying = not error.permanent and self.deps.redeliver is not None
            log(
                logger,
                "slack.reply_failed",
                level=logging.WARNING,
                user=key.hashed,
                reason=error.reason,
                retrying=retrying,
            )
            if self.deps.redeliver is not None and retrying:
                self.deps.redeliver(key, reply)
            elif handled:  # the turn is stored; only its reply was refused
                await self._say_undelivered(key, channel, reply)
            return Reply()
        except Exception as error:
            log(
                logger,
                "slack.turn_error",
                level=logging.ERROR,
                user=key.hashed,
                error=type(error).__name__,
                saved=handled,
            )
            if handled:  # the turn is stored; only its reply failed
                await self._say_undelivered(key, channel, reply)
            else:
                await self._say_sorry(channel)
            return Reply()
        return reply

    async def _mark_chosen(self, body: dict[str, Any], label: str) -> None:
        """Replace the pressed message's buttons with what was chosen: a second click is inert."""
        message = body.get("message") or {}
        container = body.get("container") or {}
        blocks = message.get("blocks") or []
        if not blocks or not container.get("message_ts"):
            return
        try:
            await self.web().chat_update(
                channel=str(container.get("channel_id")),
                ts=str(container.get("message_ts")),
                blocks=chosen(blocks, label),
                text=plain(str(message.get("text") or label)),
            )
        except CALL_ERRORS as error:  # cosmetic: the reply matters more
            log(logger, "slack.mark_failed", level=logging.WARNING, error=type(error).__name__)

    async def _say_undelivered(self, key: UserKey, channel: str, reply: Reply) -> None:
        """Slack refused the reply for good: say so now in plain text (it may take that),
        or else at the start of the leader's next turn."""
        if reply.failed:  # the refused message was itself the "sorry": nothing was saved
            return
        try:
            await post(self.web(), channel, Reply((Say(REPLY_REFUSED),)))
        except (DeliveryError, SlackApiError):
            self.deps.conversations.reply_lost(key, reply)

    async def _say_sorry(self, channel: str) -> None:
        try:
            await post(self.web(), channel, Reply((Say(SORRY),)))
        except (DeliveryError, SlackApiError):
            return

    async def _publish_home(self, key: UserKey) -> None:
        state = await self.deps.conversations.state_of(key)
        schedules = self.deps.schedules.schedules_of(str(key))
        data = home_data(state, schedules, self.deps.clock.now())
        view = home_view(replace(data, coach=self.deps.coaching.is_coach(key)))
        try:
            await self.web().views_publish(user_id=key.user, view=view)
        except SlackApiError as error:
            log(
                logger,
                "slack.home_failed",
                user=key.hashed,
                error=str(error.response.get("error")),
            )

    async def _platform(self, key: UserKey) -> PlatformInfo | None:
        """The leader's time zone and name from users.info at first contact (`user_change`
        keeps them current after that), so not again after a restart: a morning's first DMs
        after a deploy would each cost a call, and users.info is rate limited. A call that
        fails is tried again with their next message."""
        if key.hashed in self._contacted:
            return None
        try:
            info = await call(self.web(), "users.info", params={"user": key.user})
        except CALL_ERRORS:
            return None
        self._contacted.add(key.hashed)
        return platform_of(info.get("user") or {})

    async def dm(self, key: UserKey) -> str:
        """The leader's DM channel with the app (opened if need be)."""
        assert self.notifier is not None
        return await self.notifier.dm_channel(key)

    def track_listener(self) -> None:
        """Listeners call this first: bolt does not track them, and close() waits for them."""
        self._running.track_current()

    def _notifier(self) -> SlackNotifier:
        assert self.notifier is not None
        return self.notifier

    def web(self) -> AsyncWebClient:
        """The Web API client, once started."""
        assert self.client is not None
        return self.client
