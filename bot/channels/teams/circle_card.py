"""The coach's `circle new` form as an Adaptive Card (errors under the fields that need
fixing), worded from content/circles.yaml. Pure card builders and a reader for submissions."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.channels.teams.forms import MARK, done_card
from bot.channels.teams.render import CARD_CONTENT_TYPE, CARD_SCHEMA, CARD_VERSION, neutralise
from bot.domain import UserKey
from bot.services.circles import CircleService
from dialogs.circle_spec import EVERY_MAX, FORMATS, FULL_DAY_NAMES

FORM = "circle"
FIELDS = ("name", "format", "every", "day", "from")


def wanted(circles: CircleService | None, is_coach: bool, text: str) -> bool:
    """`circle new` with nothing after it, from a coach: the card, not the text."""
    return circles is not None and is_coach and " ".join(text.lower().split()) == "circle new"


def circle_card(
    circles: CircleService,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    labels, copy = circles.form_labels(), circles.copy
    values = values or {"format": "pairs", "every": "2"}
    errors = errors or {}
    inputs: dict[str, dict[str, Any]] = {
        "name": {
            "type": "Input.Text",
            "label": labels["name"],
            "placeholder": labels["name_hint"],
            "maxLength": 60,
        },
        "format": _choices(labels["format"], [(f, copy.get(f"format_{f}")) for f in FORMATS]),
        "every": _choices(labels["every"], [(str(n), str(n)) for n in range(1, EVERY_MAX + 1)]),
        "day": _choices(labels["day"], [(d, d) for d in FULL_DAY_NAMES]),
        "from": {"type": "Input.Date", "label": labels["from"]},
    }
    body: list[dict[str, Any]] = [_text(f"**{neutralise(labels['title'])}**", weight="Bolder")]
    for ident in FIELDS:
        element = {**inputs[ident], "id": ident, "value": values.get(ident, "")}
        body.append(element)
        if errors.get(ident):
            body.append(_text(neutralise(errors[ident]), color="Attention", size="Small"))
    action = {"type": "Action.Submit", "title": labels["submit"], "data": {MARK: FORM}}
    card = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "actions": [action],
    }
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


async def submitted(
    circles: CircleService, key: UserKey, value: Mapping[str, Any], at: datetime
) -> dict[str, Any]:
    """What replaces the submitted card: itself with errors under the fields, or the new
    circle's answer (a card updated in place cannot be sent twice)."""
    fields = read_card(value)
    made = await circles.form_create(key, fields, at)
    if isinstance(made, dict):
        return circle_card(circles, fields, made)
    return done_card(" ".join(getattr(m, "text", "") for m in made.messages))


def read_card(value: Mapping[str, Any]) -> dict[str, str]:
    return {ident: str(value.get(ident) or "").strip() for ident in FIELDS}


def _choices(label: str, options: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "Input.ChoiceSet",
        "label": label,
        "style": "compact",
        "choices": [{"title": neutralise(t), "value": v} for v, t in options],
    }


def _text(text: str, **extra: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}
