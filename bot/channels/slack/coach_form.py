"""The coach's schedule form in Slack: a modal from `/coach schedule` or App Home, its
inline errors, a preview, and the save. The coaching service decides; this translates."""

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.channels.slack import forms
from bot.channels.slack.notifier import post
from bot.channels.slack.payloads import actor
from bot.domain import Reply, UserKey
from bot.logs import log

if TYPE_CHECKING:
    from bot.channels.slack.app import SlackChannel

logger = logging.getLogger("peercoach.slack")


class CoachForm:
    def __init__(self, channel: "SlackChannel") -> None:
        self.channel = channel

    def listen(self, bolt: AsyncApp) -> None:
        bolt.action("home_plan")(self.on_button)
        bolt.view(forms.FORM)(self.on_form)
        bolt.view(forms.CONFIRM)(self.on_confirmed)

    async def on_button(self, ack: Any, body: dict[str, Any]) -> None:
        self.channel.track_listener()
        await ack()
        key = actor(body)
        if self.channel.deps.coaching.is_coach(key):
            await self.open(key, str(body.get("trigger_id") or ""))

    async def open(self, key: UserKey, trigger_id: str) -> None:
        deps = self.channel.deps
        view = forms.plan_modal(deps.coaching.form_leaders(key), deps.themes)
        try:
            await self.channel.web().views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            log(
                logger,
                "slack.form_failed",
                user=key.hashed,
                error=str(error.response.get("error")),
            )

    async def on_form(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Invalid fields are shown inline; a valid form turns into its preview."""
        self.channel.track_listener()
        coaching = self.channel.deps.coaching
        key = actor(body)
        form = forms.read_form((view.get("state") or {}).get("values") or {})
        now = self.channel.deps.clock.now()
        planned = await coaching.form_plan(key, form, now)
        if isinstance(planned, dict):
            await ack(response_action="errors", errors=planned)
            return
        plan_id, text = await coaching.hold_plan(key, planned, now)
        await ack(response_action="update", view=forms.preview_modal(plan_id, text))

    async def on_confirmed(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        self.channel.track_listener()
        await ack()
        deps = self.channel.deps
        key = actor(body)
        service = await deps.coaching.save_held(
            key, str(view.get("private_metadata") or ""), deps.clock.now()
        )
        channel = await self.channel.dm(key)
        await post(self.channel.web(), channel, Reply(service.messages), leader=key)
        await deps.conversations.send_notices(service.notices)
