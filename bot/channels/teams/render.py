"""Engine messages as Teams activities: markdown messages and Adaptive Cards, as plain dicts.

The integrator turns each dict into an SDK `Activity`; keeping this module free of the SDK
keeps it pure and lets golden files pin exactly what Teams receives.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from dialogs.model import Ask, Choice, Message, Prompt, Say

Json = dict[str, Any]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
MAX_BUTTONS = 6  # Teams shows at most six card actions; more become a drop-down
SUMMARY_LIMIT = 160
SUBMIT_MARKER = 1  # "pc": 1 tells our submits apart from any other card's
# After a 413 the activity is sent once more with each text cut to these many characters:
# about 4 KB of text in all, far below Teams' message limit (about 28 KB with its card).
SHORT_TEXT = 2_000
SHORT_BLOCK = 400
SHORTENED = " … (shortened: it was too long for Teams)"

CHANNEL_POINTER = (
    "Coaching conversations stay private, so I only coach in a one-to-one chat. "
    "Open a personal chat with **peercoach** (select my name, then **Chat**) and say **hi**."
)

# Lookalikes, not HTML entities: message markdown and card TextBlocks decode entities
# differently, while these render the same everywhere and can never open a tag or <at> mention.
_NEUTRAL = str.maketrans({"<": "\uff1c", ">": "\uff1e"})
_QUOTE = "> "


def render_turn(messages: Sequence[Message], leader: str = "") -> list[Json]:
    """One turn as few activities as it can be: the text before a question travels in the
    same message as the question's card (Teams shows the text above the card), so a turn
    is usually one message — one connector call, one notification. Card data names `leader`
    (`UserKey.hashed`), whose question it is: tokens (`q3`, `f:c8`) are per leader."""
    activities: list[Json] = []
    texts: list[str] = []
    for message in messages:
        if isinstance(message, Ask):
            activity = _ask_activity(message, leader)
            if texts:
                activity |= {"textFormat": "markdown", "text": "\n\n".join(texts)}
            texts = []
            activities.append(activity)
        else:
            texts.append(_message_markdown(message))
    return activities + _text_activities(texts)


def parse_submit(value: object, leader: str | None = None) -> tuple[str, str] | None:
    """(token, choice id) from a card submit's `value`; None for anything that is not ours,
    or (given the submitting `leader`) a card naming another leader. Cards of releases before
    they named one are still read."""
    if not isinstance(value, Mapping) or value.get("pc") != SUBMIT_MARKER:
        return None
    if leader is not None and value.get("leader", leader) != leader:
        return None
    token, choice = value.get("token"), value.get("choice")
    if isinstance(token, str) and isinstance(choice, str) and token and choice:
        return token, choice
    return None


def submitted_label(value: object) -> str | None:
    """The label of the chosen option, for `chosen_card`; None when the submit is not ours."""
    parsed = parse_submit(value)
    if parsed is None or not isinstance(value, Mapping):
        return None
    label = value.get("label")
    labels = value.get("labels")
    if not isinstance(label, str) and isinstance(labels, Mapping):
        label = labels.get(parsed[1])
    return label if isinstance(label, str) else None


def chosen_card(question: str, label: str) -> Json:
    """The answered card, without actions: sent with update_activity so a second tap does nothing.

    An empty question (not known after a restart) leaves just the choice.
    """
    body = _question_blocks(question)
    body.append(_text_block(f"\u2713 You chose: **{neutralise(label)}**", spacing="Medium"))
    return _attachment(_card(body))


def shortened(activity: Json) -> Json | None:
    """The activity with its message text and card text blocks cut to a safe size, each cut
    marked; None when nothing was long enough to cut (a 413 then is not about our text).
    Buttons and their data stay whole: the card still works."""
    cut = False

    def trim(text: str, limit: int) -> str:
        nonlocal cut
        if len(text) <= limit:
            return text
        cut = True
        return text[:limit].rstrip() + SHORTENED

    short = dict(activity)
    if isinstance(short.get("text"), str):
        short["text"] = trim(short["text"], SHORT_TEXT)
    attachments = []
    for attachment in short.get("attachments") or []:
        content = attachment.get("content")
        if attachment.get("contentType") != CARD_CONTENT_TYPE or not isinstance(content, dict):
            attachments.append(attachment)
            continue
        body = [
            {**b, "text": trim(b["text"], SHORT_BLOCK)}
            if b.get("type") == "TextBlock" and isinstance(b.get("text"), str)
            else b
            for b in content.get("body") or []
        ]
        attachments.append({**attachment, "content": {**content, "body": body}})
    if attachments:
        short["attachments"] = attachments
    return short if cut else None


def neutralise(text: str) -> str:
    """Text that cannot open HTML or a Teams <at> mention, and still reads the same."""
    return text.translate(_NEUTRAL)


# ---------------------------------------------------------------- markdown messages


def _text_activities(texts: list[str]) -> list[Json]:
    if not texts:
        return []
    text = "\n\n".join(texts)
    return [{"type": "message", "textFormat": "markdown", "text": text}]


def _message_markdown(message: Say | Prompt) -> str:
    text = _markdown(message.text)
    if isinstance(message, Prompt) and message.placeholder:
        text += f"\n\n_{neutralise(_example(message.placeholder))}_"
    return text


def _example(placeholder: str) -> str:
    hint = placeholder.strip()
    return hint if hint.lower().startswith("e.g.") else f"e.g. {hint}"


def _markdown(text: str) -> str:
    """Engine markup as Teams markdown; Teams drops a lone newline, so lines get a blank one."""
    lines = [_markdown_line(line) for line in _lines(text) if line.strip()]
    return "\n\n".join(lines)


def _markdown_line(line: str) -> str:
    if line.startswith(_QUOTE):
        return _QUOTE + neutralise(line[len(_QUOTE) :])
    return neutralise(line)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ---------------------------------------------------------------- cards


def _ask_activity(ask: Ask, leader: str) -> Json:
    body = _question_blocks(ask.text)
    card = _card(body)
    if len(ask.choices) > MAX_BUTTONS:
        body.append(_choice_set(ask.choices))
        card["actions"] = [_submit("Go", _dropdown_data(ask, leader))]
    else:
        card["actions"] = [_submit(c.label, _button_data(ask, c, leader)) for c in ask.choices]
    return {"type": "message", "summary": _summary(ask.text), "attachments": [_attachment(card)]}


def _question_blocks(text: str) -> list[Json]:
    """One TextBlock per line: card markdown has no line breaks or quotes of its own."""
    blocks: list[Json] = []
    gap = False
    for line in _lines(text):
        if not line.strip():
            gap = bool(blocks)
            continue
        quoted = line.startswith(_QUOTE)
        shown = neutralise(line[len(_QUOTE) :] if quoted else line)
        blocks.append(_text_block(shown, spacing="Medium" if gap else None, subtle=quoted))
        gap = False
    return blocks


def _text_block(text: str, *, spacing: str | None = None, subtle: bool = False) -> Json:
    block: Json = {"type": "TextBlock", "text": text, "wrap": True}
    if spacing:
        block["spacing"] = spacing
    if subtle:
        block["isSubtle"] = True
    return block


def _choice_set(choices: Sequence[Choice]) -> Json:
    return {
        "type": "Input.ChoiceSet",
        "id": "choice",
        "style": "compact",
        "placeholder": "Choose…",
        "isRequired": True,
        "errorMessage": "Choose one of the options first.",
        "wrap": True,
        "choices": [{"title": neutralise(c.label), "value": c.id} for c in choices],
    }


def _submit(title: str, data: Json) -> Json:
    return {"type": "Action.Submit", "title": neutralise(title), "data": data}


def _button_data(ask: Ask, choice: Choice, leader: str) -> Json:
    return {**_topic_data(ask, leader), "choice": choice.id, "label": neutralise(choice.label)}


def _dropdown_data(ask: Ask, leader: str) -> Json:
    """No "choice" key: Teams merges the input named "choice" into the submitted value."""
    labels = {c.id: neutralise(c.label) for c in ask.choices}
    return {**_topic_data(ask, leader), "labels": labels}


def _topic_data(ask: Ask, leader: str) -> Json:
    dialogue, _, step = ask.topic.partition("#")
    named = {"leader": leader} if leader else {}
    return {"pc": SUBMIT_MARKER, "token": ask.token, **named, "dialogue": dialogue, "step": step}


def _card(body: list[Json]) -> Json:
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }


def _attachment(card: Json) -> Json:
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


def _summary(text: str) -> str:
    """Plain first line for notifications and clients that cannot show the card."""
    first = next((line for line in _lines(text) if line.strip()), "")
    plain = neutralise(first.removeprefix(_QUOTE).replace("**", "").replace("`", "")).strip()
    if len(plain) <= SUMMARY_LIMIT:
        return plain
    return plain[: SUMMARY_LIMIT - 1].rstrip() + "…"
