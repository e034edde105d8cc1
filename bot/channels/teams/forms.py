"""The coach's schedule form as an Adaptive Card: the form (with errors under the fields that
need fixing), then a preview to confirm. Pure card builders and a reader for submissions."""

from collections.abc import Mapping, Sequence
from typing import Any

from bot.channels.teams.render import CARD_CONTENT_TYPE, CARD_SCHEMA, CARD_VERSION, neutralise
from bot.services.coach_planning import PlanForm

FORM = "plan"
CONFIRM = "plan_confirm"
MARK = "pc_form"


def plan_card(
    leaders: Sequence[tuple[str, str]],
    themes: Sequence[tuple[str, str]],
    values: PlanForm | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    values = values or PlanForm(leader="", days="weekdays", time="08:30")
    errors = errors or {}
    body: list[dict[str, Any]] = [_text("**Set a leader's nudges**", weight="Bolder")]
    body += _field(_choices("leader", "Leader", leaders, values.leader), errors.get("leader"))
    body += _field(
        {
            "type": "Input.Text",
            "id": "days",
            "label": "Days",
            "value": values.days,
            "placeholder": "weekdays, mon,wed,fri, mon-thu",
        },
        errors.get("days"),
    )
    body += _field(
        {
            "type": "Input.Text",
            "id": "time",
            "value": values.time,
            "label": "Time, in the leader's own time zone",
            "placeholder": "08:30",
        },
        errors.get("time"),
    )
    body += _field(
        _choices(
            "themes",
            "Themes (none: the leader's own)",
            themes,
            ",".join(values.themes),
            multi=True,
        ),
        errors.get("themes"),
    )
    return _card(body, [_submit("Preview", {MARK: FORM})])


def preview_card(plan_id: str, preview: str) -> dict[str, Any]:
    body = [_text("**Before saving**, this is what would go out:")]
    body += [_text(neutralise(line)) for line in preview.splitlines()]
    return _card(
        body,
        [
            _submit("Save", {MARK: CONFIRM, "plan": plan_id, "choice": "save"}),
            _submit("Cancel", {MARK: CONFIRM, "plan": plan_id, "choice": "cancel"}),
        ],
    )


def done_card(text: str) -> dict[str, Any]:
    return _card([_text(neutralise(text))], [])


def kind_of(value: object) -> str | None:
    return str(value.get(MARK)) if isinstance(value, dict) and value.get(MARK) else None


def read_form(value: Mapping[str, Any]) -> PlanForm:
    themes = str(value.get("themes") or "")
    return PlanForm(
        leader=str(value.get("leader") or ""),
        days=str(value.get("days") or "").strip(),
        time=str(value.get("time") or "").strip(),
        themes=tuple(t for t in themes.split(",") if t),
    )


def _field(element: dict[str, Any], error: str | None) -> list[dict[str, Any]]:
    if not error:
        return [element]
    return [element, _text(neutralise(error), color="Attention", size="Small")]


def _choices(
    ident: str, label: str, options: Sequence[tuple[str, str]], value: str, *, multi: bool = False
) -> dict[str, Any]:
    return {
        "type": "Input.ChoiceSet",
        "id": ident,
        "label": label,
        "style": "compact",
        "isMultiSelect": multi,
        "value": value,
        "choices": [{"title": neutralise(t), "value": v} for v, t in options],
    }


def _text(text: str, **extra: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data}


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return {"contentType": CARD_CONTENT_TYPE, "content": card}
