"""The coach's schedule form as a Slack modal: the form, then a preview to confirm.
Pure view builders and a reader for what was submitted."""

from collections.abc import Sequence
from typing import Any

from bot.channels.slack.render import escape
from bot.services.coach_planning import PlanForm

FORM = "pc_plan"
CONFIRM = "pc_plan_confirm"
DAY_HINT = "daily, weekdays, weekends, mon,wed,fri or mon-thu"


def plan_modal(
    leaders: Sequence[tuple[str, str]], themes: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": FORM,
        "title": _text("Nudge schedule"),
        "submit": _text("Preview"),
        "close": _text("Cancel"),
        "blocks": [
            _input(
                "leader",
                "Leader",
                {
                    "type": "static_select",
                    "action_id": "value",
                    "placeholder": _text("Choose a leader"),
                    "options": [_option(value, label) for value, label in leaders],
                },
            ),
            _input(
                "days",
                "Days",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "initial_value": "weekdays",
                    "placeholder": _text(DAY_HINT),
                },
            ),
            _input(
                "time",
                "Time, in the leader's own time zone",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "initial_value": "08:30",
                    "placeholder": _text("HH:MM, e.g. 08:30"),
                },
            ),
            _input(
                "themes",
                "Themes (none: the leader's own)",
                {
                    "type": "multi_static_select",
                    "action_id": "value",
                    "placeholder": _text("Any themes"),
                    "options": [_option(value, label) for value, label in themes],
                },
                optional=True,
            ),
        ],
    }


def preview_modal(plan_id: str, preview: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CONFIRM,
        "private_metadata": plan_id,
        "title": _text("Check before saving"),
        "submit": _text("Save"),
        "close": _text("Cancel"),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "verbatim": True,
                    "text": escape(preview).replace("**", "*")[:2900],
                },
            }
        ],
    }


def read_form(values: dict[str, Any]) -> PlanForm:
    """The submitted values; anything missing reads as empty, for the validator to name."""

    def field(block: str) -> dict[str, Any]:
        return dict((values.get(block) or {}).get("value") or {})

    leader = (field("leader").get("selected_option") or {}).get("value") or ""
    themes = tuple(o.get("value") for o in field("themes").get("selected_options") or [])
    return PlanForm(
        leader=str(leader),
        days=str(field("days").get("value") or ""),
        time=str(field("time").get("value") or ""),
        themes=tuple(str(t) for t in themes if t),
    )


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
    return {"text": _text(label[:75]), "value": value[:150]}


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}
