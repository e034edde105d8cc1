"""Engine messages as terminal text: numbered choices, **bold** as ANSI bold or plain."""

import re
from collections.abc import Iterable

from dialogs.model import Ask, Message, Prompt, Say

_BOLD = re.compile(r"\*\*(.+?)\*\*")
BOLD_ON, BOLD_OFF, DIM_ON = "\033[1m", "\033[0m", "\033[2m"


def to_text(messages: Iterable[Message], *, colour: bool = False) -> str:
    """All messages of a turn, each prefixed so a transcript reads like a chat."""
    blocks = [_one(m, colour) for m in messages]
    return "\n".join(f"coach> {block}" for block in blocks if block)


def _one(message: Message, colour: bool) -> str:
    match message:
        case Say(text=text):
            return _markup(text, colour)
        case Ask(text=text, choices=choices):
            lines = [_markup(text, colour)]
            lines += [f"   {i}. {choice.label}" for i, choice in enumerate(choices, 1)]
            return "\n".join(lines)
        case Prompt(text=text, placeholder=placeholder):
            hint = f"\n   ({placeholder})" if placeholder else ""
            if hint and colour:
                hint = f"{DIM_ON}{hint}{BOLD_OFF}"
            return _markup(text, colour) + hint
    return ""


def _markup(text: str, colour: bool) -> str:
    text = text.replace("\n", "\n       ")  # continue under the "coach> " prefix
    if colour:
        return _BOLD.sub(lambda m: f"{BOLD_ON}{m.group(1)}{BOLD_OFF}", text)
    return _BOLD.sub(r"\1", text)
