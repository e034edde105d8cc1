"""Working out which choice a leader meant when they type instead of pressing a button."""

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

# Numbers as people type them: shared by choice picking and date reading (dates.py).
CARDINALS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_NUMBER_WORDS = {**CARDINALS, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "i'm",
        "im",
        "it",
        "it's",
        "its",
        "to",
        "of",
        "and",
        "or",
        "for",
        "my",
        "me",
        "is",
        "be",
        "this",
        "that",
        "on",
        "in",
        "with",
        "at",
        # Small linking words carry no choice: "email Sam by Friday" is not "Getting by".
        "by",
        "from",
        "about",
        "up",
        "out",
        "so",
        "as",
        "if",
        "option",
        "choice",
        "number",
        "please",
        "just",
    ]
)
_FUZZY_CUTOFF = 0.8
_OVERLAP_NEEDED = 0.5


_WORD = re.compile(r"[a-z0-9']+(?:-[a-z0-9']+)*")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, words separated by single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_WORD.findall(text))


@lru_cache(maxsize=8192)
def normalised_phrase(phrase: str) -> str:
    """normalise() for content phrases, which never change: worked out once each."""
    return normalise(phrase)


# A plain "yes" typed at a yes-or-no offer ("Shall we? 1. Yes, let's start"): review 12h,
# "ok" got "Which of these comes closest...". Not used where "yes" deletes or sends.
AGREEING = frozenset(
    normalise(phrase)
    for phrase in (
        "yes", "yes please", "yeah", "yep", "yup", "ok", "okay", "ok then", "okay then",
        "sure", "fine", "go on", "go ahead", "go on then", "let's do it", "lets do it",
        "let's go", "let's start", "alright", "all right", "why not", "please",
    )
)  # fmt: skip


def agrees(text: str) -> bool:
    """A short "yes" in any of its everyday forms ("ok", "sure", "go on", "let's do it")."""
    return normalise(text) in AGREEING


def words(text: str) -> list[str]:
    return normalise(text).split()


def match_choice(text: str, options: Sequence[Sequence[str]]) -> int | None:
    """Index of the option meant by `text`; each option is (label, *aliases). None if unsure.

    Tried in order: a number ("2", "two", "option 2"), the label or an alias, a label that
    starts with what was typed, then close spelling or shared words — and only when one
    option clearly wins.
    """
    said = normalise(text)
    if not said:
        return None
    number = _as_number(said)
    if number is not None:
        return number - 1 if 1 <= number <= len(options) else None
    names = [[normalise(name) for name in option] for option in options]
    for test in (_exact, _prefix, _fuzzy):
        hits = {i for i, option in enumerate(names) if test(said, option)}
        if len(hits) == 1:
            return hits.pop()
        if hits:
            return None
    return _best_overlap(said, [option[0] for option in names])


def _as_number(said: str) -> int | None:
    tokens = [t for t in said.split() if t not in _STOP_WORDS]
    if len(tokens) != 1:
        return None
    token = tokens[0].rstrip(".)")
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token)


def _exact(said: str, names: list[str]) -> bool:
    return said in names


def _prefix(said: str, names: list[str]) -> bool:
    return len(said) >= 3 and any(name.startswith(said) for name in names)  # noqa: PLR2004


def _fuzzy(said: str, names: list[str]) -> bool:
    """Typos in a word or two ("infleunce"); never for digits, where 8:30 is not 12:30."""
    if any(ch.isdigit() for ch in said) or len(said) < 4:  # noqa: PLR2004
        return False
    return any(
        difflib.SequenceMatcher(None, said, name).ratio() >= _FUZZY_CUTOFF for name in names
    )


def _best_overlap(said: str, labels: list[str]) -> int | None:
    """The label sharing the most words with what was typed, if it shares at least half of
    its own words and no other label shares as many ("he dismissed me" -> "Dismissing ideas").
    Aliases are left out: they are exact alternatives, often single words like "other"."""
    typed = {stem(w) for w in said.split() if w not in _STOP_WORDS}
    scores: list[int] = []
    for label in labels:
        wanted = {stem(w) for w in label.split() if w not in _STOP_WORDS}
        shared = len(typed & wanted)
        scores.append(shared if wanted and shared / len(wanted) >= _OVERLAP_NEEDED else 0)
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return None
    return scores.index(best)


def stem(word: str) -> str:
    """A rough stem, enough to see that 'dismissed' and 'dismissing' are one word."""
    for suffix in ("ing", "ed", "es", "s", "e"):  # "e": 'undermine' meets 'undermining'
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:  # noqa: PLR2004
            return word[: -len(suffix)]
    return word


def numbers_in(text: str, limit: int) -> list[int] | None:
    """'1 3', '1, 3 and 4' -> [1, 3, 4] (1-based, within limit); None if not just numbers."""
    tokens = [t for t in re.split(r"[\s,;&+]+|\band\b", text.lower()) if t]
    if not tokens or not all(t.isdigit() for t in tokens):
        return None
    picked = [int(t) for t in tokens]
    if not all(1 <= n <= limit for n in picked):
        return None
    return list(dict.fromkeys(picked))


def deletions(word: str) -> set[str]:
    """The word with one letter left out, each way: the index behind one-slip matching."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_slip(typed: str, word: str) -> bool:
    """True when `typed` is `word` with one typing slip: a letter missing, added, wrong, or
    two neighbours swapped ("exhuasted", "hopless"). Equal words are not a slip."""
    if typed == word or abs(len(typed) - len(word)) > 1:
        return False
    if len(typed) == len(word):
        diffs = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1]
        return (
            len(diffs) == 2  # noqa: PLR2004 - a swap changes two neighbouring letters
            and second == first + 1
            and typed[first] == word[second]
            and typed[second] == word[first]
        )
    shorter, longer = sorted((typed, word), key=len)
    return shorter in deletions(longer)
