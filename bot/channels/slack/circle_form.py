"""The coach's `circle new` form in Slack: a modal from `/coach circle new`, its inline
errors, and the new circle's answer in the DM. The circle service decides; this translates."""

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.channels.slack.notifier import post
from bot.channels.slack.payloads import actor
from bot.domain import Reply, UserKey
from bot.logs import log
from dialogs.circle_spec import EVERY_MAX, FORMATS, FULL_DAY_NAMES

if TYPE_CHECKING:
    from bot.channels.slack.app import SlackChannel
    from bot.services.circles import CircleService

logger = logging.getLogger("peercoach.slack")
FORM = "pc_circle"
FIELDS = ("name", "format", "every", "day", "from")


class CircleForm:
    def __init__(self, channel: "SlackChannel") -> None:
        self.channel = channel

    def listen(self, bolt: AsyncApp) -> None:
        bolt.view(FORM)(self.on_form)

    def wanted(self, key: UserKey, text: str) -> bool:
        """`/coach circle new` with nothing after it, from a coach: the form, not the text."""
        deps = self.channel.deps
        return (
            deps.circles is not None
            and " ".join(text.lower().split()) == "circle new"
            and deps.coaching.is_coach(key)
        )

    async def open(self, key: UserKey, trigger_id: str) -> None:
        assert self.channel.deps.circles is not None
        view = circle_modal(self.channel.deps.circles.form_labels(), self.channel.deps.circles)
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
        """Fields to fix are shown inline; a valid form closes, and the answer goes to the DM."""
        self.channel.track_listener()
        deps = self.channel.deps
        assert deps.circles is not None
        key = actor(body)
        fields = read_form((view.get("state") or {}).get("values") or {})
        made = await deps.circles.form_create(key, fields, deps.clock.now())
        if isinstance(made, dict):
            await ack(response_action="errors", errors=made)
            return
        await ack()
        channel = await self.channel.dm(key)
        await post(self.channel.web(), channel, Reply(made.messages), leader=key)


def circle_modal(labels: dict[str, str], circles: "CircleService") -> dict[str, Any]:
    """The modal, worded from content/circles.yaml."""
    copy = circles.copy
    formats = [_option(f, copy.get(f"format_{f}")) for f in FORMATS]
    days = [_option(str(i), name) for i, name in enumerate(FULL_DAY_NAMES)]
    weeks = [_option(str(n), str(n)) for n in range(1, EVERY_MAX + 1)]
    return {
        "type": "modal",
        "callback_id": FORM,
        "title": _text(labels["title"][:24]),
        "submit": _text(labels["submit"][:24]),
        "blocks": [
            _input(
                "name",
                labels["name"],
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": 60,
                    "placeholder": _text(labels["name_hint"]),
                },
            ),
            _input(
                "format",
                labels["format"],
                {
                    "type": "static_select",
                    "action_id": "value",
                    "options": formats,
                    "initial_option": formats[0],
                },
            ),
            _input(
                "every",
                labels["every"],
                {
                    "type": "static_select",
                    "action_id": "value",
                    "options": weeks,
                    "initial_option": weeks[1],
                },
            ),
            _input(
                "day",
                labels["day"],
                {"type": "static_select", "action_id": "value", "options": days},
                optional=True,
            ),
            _input(
                "from", labels["from"], {"type": "datepicker", "action_id": "value"}, optional=True
            ),
        ],
    }


def read_form(values: dict[str, Any]) -> dict[str, str]:
    """What was submitted, as text; anything missing reads as empty, for the checker."""

    def element(block: str) -> dict[str, Any]:
        return dict((values.get(block) or {}).get("value") or {})

    def day_of(selected: dict[str, Any]) -> str:
        index = str((selected.get("selected_option") or {}).get("value") or "")
        return FULL_DAY_NAMES[int(index)] if index.isdigit() and int(index) < 7 else ""  # noqa: PLR2004

    return {
        "name": str(element("name").get("value") or ""),
        "format": str((element("format").get("selected_option") or {}).get("value") or ""),
        "every": str((element("every").get("selected_option") or {}).get("value") or ""),
        "day": day_of(element("day")),
        "from": str(element("from").get("selected_date") or ""),
    }


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _text(label),
        "element": element,
        "optional": optional,
    }


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(label[:75]), "value": value}


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}
