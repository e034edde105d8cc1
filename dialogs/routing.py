"""Suggesting a dialogue for free text, from phrases and keywords declared in content."""

from collections.abc import Iterable

from dialogs.content_model import Dialogue
from dialogs.matching import normalise

PHRASE_SCORE = 3
KEYWORD_SCORE = 1
ENOUGH = 2  # one phrase, or two keywords


def score(text: str, dialogue: Dialogue) -> int:
    said = f" {normalise(text)} "
    tokens = set(said.split())
    total = sum(PHRASE_SCORE for p in dialogue.phrases if f" {normalise(p)} " in said)
    for keyword in dialogue.keywords:
        forms = {keyword, keyword + "s", keyword + "es", keyword + "ing", keyword + "ed"}
        if tokens & forms:
            total += KEYWORD_SCORE
    return total


def suggest(text: str, dialogues: Iterable[Dialogue]) -> Dialogue | None:
    """The best-scoring dialogue if it scores enough; the earliest wins a tie."""
    best: tuple[int, Dialogue] | None = None
    for dialogue in dialogues:
        points = score(text, dialogue)
        if points >= ENOUGH and (best is None or points > best[0]):
            best = (points, dialogue)
    return best[1] if best else None
