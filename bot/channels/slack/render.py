"""Engine messages as Slack Block Kit: pure functions, and every echoed word made inert.

Messages quote the leader's own words back, so all engine text is escaped and sent with
`verbatim: true`: nothing may ping a channel, mention a person or form a link.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogs.model import Ask, Choice, Message, Prompt

Block = dict[str, Any]

SECTION_LIMIT = 2_900  # Slack allows 3,000 per text object; the margin absorbs late edits
TEXT_LIMIT = 3_000
MAX_BLOCKS = 50
LABEL_LIMIT = 75
MAX_BUTTONS = 6
MAX_OPTIONS = 100
VALUE_LIMIT = 150  # a static_select option value; buttons allow more, one rule is simpler
ITEM_LIMIT = 200
MAX_ITEMS = 10

ASK_BLOCK_ID = "pc_ask"
CHOICE_ACTION_PREFIX = "pc_choice_"
SELECT_ACTION_ID = "pc_select"

EMPTY_FALLBACK = "A message from peercoach"
REPLY_HINT = "Reply here in your own words"
SHORTENED = "_Part of this message was too long for Slack and was left out._"
NO_NUDGE = "No nudges scheduled"
DM_POINTER = (
    "Coaching conversations stay private, so I only talk in a direct message. "
    "Open a DM with *peercoach* (under *Apps* in the sidebar) or type `/coach` to begin."
)

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`\n]+)`")
_ESCAPED_QUOTE = re.compile(r"^&gt;(?= |$)", re.MULTILINE)
_QUOTE_LINE = re.compile(r"^> (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class SlackPayload:
    """Arguments for chat.postMessage: `text` is the notification and screen-reader fallback."""

    text: str
    blocks: list[Block]


@dataclass(frozen=True)
class HomeData:
    """What the App Home shows one leader; strings are plain text, escaped here."""

    next_nudge: str | None = None
    schedules: tuple[str, ...] = ()
    commitments: tuple[str, ...] = ()
    nudges_answered: int = 0
    conversations_completed: int = 0
    commitments_acted_on: int = 0
    paused: bool = False
    coach: bool = False  # coaches also get a button to set a leader's schedule


# ---------------------------------------------------------------- text


def escape(text: str) -> str:
    """Slack's three control characters as entities, so echoed words never ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Each pattern runs only when its marker is in the text: most lines have no markup, and a
# substring test costs a fraction of a regex pass (rendering is on every turn's path).


def to_mrkdwn(text: str) -> str:
    """Engine markup as Slack mrkdwn; "> " quotes survive escaping because Slack needs them raw."""
    text = escape(text)
    if "&gt;" in text:
        text = _ESCAPED_QUOTE.sub(">", text)
    return _BOLD.sub(r"*\1*", text) if "**" in text else text


def plain(text: str) -> str:
    """The words without markup, still escaped: Slack parses the fallback `text` as well."""
    if "> " in text:
        text = _QUOTE_LINE.sub(r"“\1”", text)
    if "**" in text:
        text = _BOLD.sub(r"\1", text)
    if "`" in text:
        text = _CODE.sub(r"\1", text)
    return escape(text)


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in "…", never cutting an entity such as &amp; in two."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain_text(text: str) -> Block:
    return {"type": "plain_text", "text": _clip(text, LABEL_LIMIT), "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(_clip(text, SECTION_LIMIT))}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(_clip(text, SECTION_LIMIT))]}


# ---------------------------------------------------------------- long text


def _chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Rendered pieces within Slack's limit, cut at lines, then words, then characters."""
    pieces = [piece for line in text.split("\n") for piece in _split_line(line, limit)]
    return [chunk for chunk in _pack(pieces, limit, "\n") if chunk.strip()]


def _split_line(line: str, limit: int) -> list[str]:
    # Rendering each piece of source (not cutting rendered text) keeps entities whole.
    rendered = to_mrkdwn(line)
    if len(rendered) <= limit:
        return [rendered]
    words = [piece for word in line.split(" ") for piece in _split_word(word, limit)]
    return _pack(words, limit, " ")


def _split_word(word: str, limit: int) -> list[str]:
    rendered = to_mrkdwn(word)
    if len(rendered) <= limit:
        return [rendered]
    pieces: list[str] = []
    current = ""
    for char in word:
        if len(current) + len(escape(char)) > limit:
            pieces.append(current)
            current = ""
        current += escape(char)
    return [*pieces, current]


def _pack(pieces: list[str], limit: int, sep: str) -> list[str]:
    """Greedily join pieces (each within `limit`) into as few chunks as fit."""
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + len(sep) + len(piece) <= limit:
            chunks[-1] += sep + piece
        else:
            chunks.append(piece)
    return chunks


# ---------------------------------------------------------------- a turn


def render_turn(messages: Sequence[Message], leader: str = "") -> SlackPayload:
    """One Slack message per turn; only the last Ask gets buttons, as its token alone is live.
    Its buttons name `leader` (`UserKey.hashed`), whose question it is."""
    last_ask = max((i for i, m in enumerate(messages) if isinstance(m, Ask)), default=-1)
    blocks = [b for i, m in enumerate(messages) for b in _blocks_of(m, i == last_ask, leader)]
    return SlackPayload(text=_fallback(messages), blocks=_fit(blocks))


def _blocks_of(message: Message, live: bool, leader: str) -> list[Block]:
    sections = [_section(chunk) for chunk in _chunks(message.text)]
    match message:
        case Prompt(placeholder=placeholder):
            return [*sections, _reply_hint(placeholder)]
        case Ask(choices=choices) if live and choices:
            return [*sections, _ask_block(message, leader)]
    return sections


def _reply_hint(placeholder: str | None) -> Block:
    example = f" — e.g. “{escape(placeholder)}”" if placeholder else ""
    return _context(REPLY_HINT + example)


def _fallback(messages: Sequence[Message]) -> str:
    texts = (plain(m.text) for m in messages)
    return _clip("\n".join(t for t in texts if t.strip()), TEXT_LIMIT) or EMPTY_FALLBACK


def _fit(blocks: list[Block]) -> list[Block]:
    """At most 50 blocks: keep the start, the buttons and the question just above them."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    ask = next((i for i, b in enumerate(blocks) if b.get("block_id") == ASK_BLOCK_ID), None)
    reserved = set() if ask is None else set(range(max(0, ask - 2), ask + 1))
    room = MAX_BLOCKS - 1 - len(reserved)
    keep = reserved | set([i for i in range(len(blocks)) if i not in reserved][:room])
    fitted: list[Block] = []
    noted = False
    for i, block in enumerate(blocks):
        if i in keep:
            fitted.append(block)
        elif not noted:
            fitted.append(_context(SHORTENED))
            noted = True
    return fitted


# ---------------------------------------------------------------- choices


_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps with options builds one per call


def action_value(token: str, choice_id: str, topic: str, leader: str = "") -> str:
    """Compact JSON for a button or option; the topic is dropped if it would not fit. Tokens
    are per leader (`q3`, `f:c8`), so the value names the leader whose question it is: a
    click by anyone else is not theirs to answer."""
    named = {"l": leader} if leader else {}
    value = _COMPACT.encode({"t": token, "c": choice_id, **named, "p": topic})
    if len(value) > VALUE_LIMIT:
        value = _COMPACT.encode({"t": token, "c": choice_id, **named})
    if len(value) > VALUE_LIMIT:
        raise ValueError(
            f"action value {value!r} is over Slack's {VALUE_LIMIT} characters: "
            "keep question tokens and choice ids short"
        )
    return value


def parse_action_value(value: str, leader: str | None = None) -> tuple[str, str, str] | None:
    """(token, choice_id, topic) from a clicked value; None for anything we did not write, or
    (given the clicking `leader`) a value naming another leader. Values of releases before
    they named one are still read."""
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    token, choice, topic = data.get("t"), data.get("c"), data.get("p", "")
    if leader is not None and data.get("l", leader) != leader:
        return None
    if not (isinstance(token, str) and isinstance(choice, str) and isinstance(topic, str)):
        return None
    return (token, choice, topic) if token and choice else None


def _ask_block(ask: Ask, leader: str) -> Block:
    if len(ask.choices) <= MAX_BUTTONS:
        elements = [
            {
                "type": "button",
                "action_id": f"{CHOICE_ACTION_PREFIX}{i}",
                **_option(ask, c, leader),
            }
            for i, c in enumerate(ask.choices)
        ]
    else:
        elements = [_select(ask, leader)]
    return {"type": "actions", "block_id": ASK_BLOCK_ID, "elements": elements}


def _option(ask: Ask, choice: Choice, leader: str) -> Block:
    return {
        "text": _plain_text(choice.label),
        "value": action_value(ask.token, choice.id, ask.topic, leader),
    }


def _select(ask: Ask, leader: str) -> Block:
    return {
        "type": "static_select",
        "action_id": SELECT_ACTION_ID,
        "placeholder": _plain_text("Choose…"),
        "options": [_option(ask, c, leader) for c in ask.choices[:MAX_OPTIONS]],
    }


def chosen(blocks: list[Block], label: str) -> list[Block]:
    """The answered message for chat.update: the buttons give way to the choice made."""
    note = _context(f"✓ You chose: *{escape(_clip(label, LABEL_LIMIT))}*")
    return [note if block.get("block_id") == ASK_BLOCK_ID else block for block in blocks]


# ---------------------------------------------------------------- App Home


def home_view(data: HomeData) -> Block:
    """The App Home tab for views.publish: what is coming, what is open, what to do next."""
    next_nudge = escape(_clip(data.next_nudge, ITEM_LIMIT)) if data.next_nudge else NO_NUDGE
    blocks = [
        {"type": "header", "text": _plain_text("Your peer coaching")},
        _section(f"*Next nudge*\n{next_nudge}"),
        _list_section("Schedules", data.schedules, "No schedules yet"),
        _list_section("Open commitments", data.commitments, "Nothing open right now"),
        _counts(data),
        {
            "type": "actions",
            "block_id": "home_actions",
            "elements": _home_buttons(data.paused, coach=data.coach),
        },
    ]
    return {"type": "home", "blocks": blocks}


def _list_section(title: str, items: tuple[str, ...], empty: str) -> Block:
    lines = [f"• {escape(_clip(item, ITEM_LIMIT))}" for item in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        lines.append(f"…and {len(items) - MAX_ITEMS} more")
    return _section(f"*{title}*\n" + ("\n".join(lines) or empty))


def _counts(data: HomeData) -> Block:
    counts = (
        (data.nudges_answered, "nudges answered"),
        (data.conversations_completed, "conversations completed"),
        (data.commitments_acted_on, "commitments acted on"),
    )
    fields = [_mrkdwn(f"*{number}*\n{what}") for number, what in counts]
    return {"type": "section", "text": _mrkdwn("*Last 30 days*"), "fields": fields}


def _home_buttons(paused: bool, *, coach: bool = False) -> list[Block]:
    toggle = ("home_resume", "Resume nudges") if paused else ("home_pause", "Pause nudges")
    buttons = [("home_start", "Start a conversation"), ("home_nudge", "Get a nudge now"), toggle]
    if coach:
        buttons.append(("home_plan", "Set a leader's schedule"))
    elements = [
        {"type": "button", "action_id": action_id, "text": _plain_text(label)}
        for action_id, label in buttons
    ]
    elements[0]["style"] = "primary"
    return elements
