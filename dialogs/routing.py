"""Suggesting a dialogue for free text, from phrases and keywords declared in content."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from dialogs.content_model import Dialogue
from dialogs.matching import normalise, normalised_phrase, stem

PHRASE_SCORE = 3  # the phrase itself
LOOSE_SCORE = 2  # its words in order, a few others between ("get the trusts on board")
KEYWORD_SCORE = 1
ENOUGH = 2  # one phrase, or two keywords
GAP = 3  # extra words allowed inside a loosely matched phrase
_FILLER = frozenset(
    {
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "we",
        "us",
        "our",
        "you",
        "your",
        "they",
        "them",
        "their",
        "it",
        "its",
        "on",
        "in",
        "of",
        "to",
        "with",
        "for",
        "at",
        "is",
        "am",
        "are",
        "be",
        "been",
    }
)


def score(text: str, dialogue: Dialogue) -> int:
    return _score(_Said.of(text), dialogue)


def suggest(text: str, dialogues: Iterable[Dialogue]) -> Dialogue | None:
    """The best-scoring dialogue if it scores enough; the earliest wins a tie."""
    said = _Said.of(text)  # normalised and stemmed once, not once per dialogue
    best: tuple[int, Dialogue] | None = None
    for dialogue in dialogues:
        points = _score(said, dialogue)
        if points >= ENOUGH and (best is None or points > best[0]):
            best = (points, dialogue)
    return best[1] if best else None


@dataclass(frozen=True)
class _Said:
    padded: str  # normalised, a space each side, for whole-phrase search
    tokens: list[str]  # stemmed words, in order
    present: frozenset[str]

    @classmethod
    def of(cls, text: str) -> "_Said":
        said = normalise(text)
        tokens = [stem(t) for t in said.split()]
        return cls(f" {said} ", tokens, frozenset(tokens))


def _score(said: _Said, dialogue: Dialogue) -> int:
    if said.present.isdisjoint(_vocabulary(dialogue.phrases, dialogue.keywords)):
        return 0  # no word in common, so no phrase, loose phrase or keyword can match
    total = 0
    for phrase in dialogue.phrases:
        if f" {normalised_phrase(phrase)} " in said.padded:
            total += PHRASE_SCORE
            continue
        words = _meaningful(phrase)
        if said.present.issuperset(words) and _in_order(words, said.tokens, _span(phrase)):
            total += LOOSE_SCORE
    return total + sum(KEYWORD_SCORE for k in dialogue.keywords if _keyword(k) in said.present)


@lru_cache(maxsize=1024)
def _vocabulary(phrases: tuple[str, ...], keywords: tuple[str, ...]) -> frozenset[str]:
    """Every stemmed word a dialogue's phrases and keywords hold. A phrase found whole in the
    text has each of its words among the text's own (both are normalised to single-spaced
    words), a loose phrase needs its meaningful words there, and a keyword itself: so text
    sharing none of these scores 0, and most messages ("hello") are settled by one set
    test per dialogue instead of a search for every phrase (a newcomer's first message is
    routed: review 12e)."""
    found = {stem(w) for p in phrases for w in normalised_phrase(p).split()}
    return frozenset(found | {_keyword(k) for k in keywords})


@lru_cache(maxsize=4096)
def _span(phrase: str) -> int:
    return len(phrase.split()) + GAP


@lru_cache(maxsize=4096)
def _keyword(keyword: str) -> str:
    return stem(normalised_phrase(keyword))


@lru_cache(maxsize=4096)
def _meaningful(phrase: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in normalised_phrase(phrase).split() if w not in _FILLER)


def _in_order(words: tuple[str, ...], tokens: list[str], span: int) -> bool:
    """All `words` appear in `tokens` in order, within `span` tokens of the first."""
    if len(words) < 2:  # noqa: PLR2004 - a single word is a keyword's job
        return False
    for start, token in enumerate(tokens):
        if token != words[0]:
            continue
        position, found = start, 1
        window_end = start + span
        for index in range(start + 1, min(len(tokens), window_end)):
            if found < len(words) and tokens[index] == words[found]:
                found, position = found + 1, index
        if found == len(words) and position < window_end:
            return True
    return False
