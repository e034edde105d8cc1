"""What each Slack event, button, and command listener does: each turns a Slack body into a
leader's key and an event for the turn. Split from app.py by job; SlackChannel sets the
attributes declared here."""

import html
import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.channels.slack.circle_form import CircleForm
from bot.channels.slack.coach_form import CoachForm
from bot.channels.slack.notifier import SlackNotifier
from bot.channels.slack.payloads import actor, platform_of, value_and_label
from bot.channels.slack.render import DM_POINTER, parse_action_value
from bot.channels.slack.seen import SeenEvents
from bot.channels.slack.turns import SlackTurns
from bot.domain import UserKey
from bot.logs import log
from bot.ports import DeliveryError
from bot.running import RunningTasks
from bot.schedules.model import INACTIVE
from dialogs.model import ChoiceMade, CommandGiven, UserText

logger = logging.getLogger("peercoach.slack")
HOME_COMMANDS = {
    "home_start": "start",
    "home_nudge": "nudge",
    "home_pause": "pause",
    "home_resume": "resume",
}


class SlackListeners(SlackTurns):
    """The listeners SlackChannel registers with bolt."""

    notifier: SlackNotifier | None
    seen: SeenEvents
    _running: RunningTasks
    coach_form: CoachForm
    circle_form: CircleForm

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
