"""A message that says how the leader is ("I'm exhausted", "they keep undermining me") is
met with one human line before any suggestion (review 12f: straight to "That sounds like
a good fit for…", which read like a pitch). The words are content: each dialogue's
`routing: feelings:` (a risk to safety is screened before this); the line is in texts."""

import re
from collections.abc import Sequence
from functools import lru_cache

from dialogs import texts
from dialogs.content_model import Dialogue, Hearing, Step


def acknowledgement(said: str, dialogues: Sequence[Dialogue]) -> str | None:
    """The line that meets what was said, or None for a plain request ("board tomorrow")."""
    pattern = _pattern(tuple(word for d in dialogues for word in d.feelings))
    if pattern is None or not pattern.search(said.replace("’", "'")):
        return None
    return texts.SOUNDS_HARD


def hearing(said: str, step: Step) -> int | None:
    """Which of a text step's `if_heard` entries the answer meets (its index), if any: the
    people who would own it are "burning out", the answer is about the leader ("I want to
    still matter"), not the work."""
    for index, entry in enumerate(step.if_heard):
        pattern = _pattern(entry.words)
        if pattern is not None and pattern.search(said.replace("’", "'")):
            return index
    return None


def entry(step: Step, index: int) -> Hearing:
    """The `if_heard` entry `hearing` found."""
    return step.if_heard[index]


@lru_cache(maxsize=64)  # the feelings and each step's `if_heard` words, per content load
def _pattern(feelings: tuple[str, ...]) -> re.Pattern[str] | None:
    """Every feeling as whole words ("worn out" and "worn  out"), a `*` ending a stem."""
    if not feelings:
        return None
    words = sorted(set(feelings), key=len, reverse=True)
    alternatives = [r"\s+".join(map(_word, w.split())) for w in words]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def _word(word: str) -> str:
    return re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word)
