"""One Slack turn: the event run through the conversation service and its reply posted,
with what happens when Slack will not take it; the App Home; a leader's profile at first
contact. Split from app.py by job; SlackChannel sets the attributes declared here."""

import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.deps import ChannelDeps
from bot.channels.slack.client import call
from bot.channels.slack.home import home_data
from bot.channels.slack.notifier import CALL_ERRORS, post
from bot.channels.slack.payloads import platform_of
from bot.channels.slack.render import chosen, home_view, plain
from bot.domain import PlatformInfo, Reply, UserKey
from bot.logs import log
from bot.ports import DeliveryError, EventClaim
from bot.services.conversations import REPLY_REFUSED, SORRY
from dialogs.model import Event, ForgetConfirmed, Say

logger = logging.getLogger("peercoach.slack")


class SlackTurns:
    """Runs turns for SlackChannel: the attributes below are set in its __init__."""

    deps: ChannelDeps
    client: AsyncWebClient | None
    _contacted: set[str]

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
        titles = {t.id: t.title for t in self.deps.conversations.content.themes}
        data = home_data(state, schedules, self.deps.clock.now(), titles)
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

    def web(self) -> AsyncWebClient:
        """The Web API client, once started."""
        assert self.client is not None
        return self.client
