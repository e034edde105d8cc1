"""Hearing distress the way leaders type it: the word-pattern matcher behind safety.yaml.

Explainable on purpose: a message matches a pattern when the pattern's words appear in
order with few words between them, after folding contractions and other spellings of a
word, allowing simple endings and, for longer words, one typing slip. An `ordinary` pattern
on the same words (an everyday saying) cancels the match. The result names the rule that
matched, so tests and people can see why; the text itself is never kept or logged.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from dialogs.matching import deletions, normalise, one_slip

Level = Literal["crisis", "concern"]
_GAP_NOTE = re.compile(r"\s*\(gap (\d)\)$")
_PATTERN_WORD = re.compile(r"^(?:@[a-z]+|[a-z0-9]+\*?)(?:\|(?:@[a-z]+|[a-z0-9]+\*?))*$")
_LEVELS: tuple[Level, ...] = ("crisis", "concern")
_CACHE_LIMIT = 20_000
_VOWELS = "aeiou"


@dataclass(frozen=True)
class Pattern:
    """One rule as written in content, and its slots: the words each position accepts."""

    text: str
    slots: tuple[frozenset[str], ...]
    gap: int


@dataclass(frozen=True)
class Screening:
    """What a message triggered: the level and the rule (as written in safety.yaml)."""

    level: Level
    rule: str


@dataclass(frozen=True)
class MatchSettings:
    gap: int
    typo_length: int
    same: Mapping[str, tuple[str, ...]]  # canonical word -> other ways of writing it
    personal: frozenset[str]  # words an `ordinary` pattern may not stretch across
    not_typos: frozenset[str]


def parse_pattern(
    text: str, words: Mapping[str, tuple[str, ...]], gap: int, single: Mapping[str, str]
) -> Pattern | str:
    """A Pattern, or the reason it cannot be one (for `content check`); `single` folds a
    word written another way ("cannot") into the one messages are folded to ("cant")."""
    note = _GAP_NOTE.search(text)
    if note:
        gap = int(note.group(1))
        text = text[: note.start()]
    slots: list[frozenset[str]] = []
    for part in text.replace("'", "").split():
        if not _PATTERN_WORD.match(part):
            return f"{part!r} is not a word, `a|b` or `@list`; use lowercase letters and digits"
        alternatives: set[str] = set()
        for word in part.split("|"):
            if word.startswith("@"):
                if word[1:] not in words:
                    known = ", ".join(f"@{name}" for name in words) or "none yet"
                    return f"list {word!r} is not under `words:` (known: {known})"
                alternatives.update(words[word[1:]])
            else:
                alternatives.add(single.get(word, word))
        slots.append(frozenset(alternatives))
    if not slots:
        return "the pattern has no words"
    return Pattern(text + (note.group(0) if note else ""), tuple(slots), gap)


def single_folds(same: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """One-word foldings of `same` ("cannot" -> "cant"), for patterns written that way."""
    return {
        other.replace("'", ""): canonical
        for canonical, others in same.items()
        for other in others
        if " " not in other
    }


@dataclass
class Screener:
    """Patterns of each level compiled once per content load; `screen()` runs per message."""

    settings: MatchSettings
    crisis: tuple[Pattern, ...]
    concern: tuple[Pattern, ...]
    ordinary: tuple[Pattern, ...]
    _single: dict[str, str] = field(default_factory=dict)
    _multi: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    _forms: dict[str, set[str]] = field(default_factory=dict)  # form -> words it is
    _slips: dict[str, set[str]] = field(default_factory=dict)  # deletion -> forms
    _slip_forms: set[str] = field(default_factory=set)  # forms of words long enough
    _prefixes: tuple[str, ...] = ()
    _starts: dict[str, list[tuple[Level | None, Pattern]]] = field(default_factory=dict)
    _known: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._fold_tables()
        words: set[str] = set()
        for level, patterns in self._levels():
            for pattern in patterns:
                for slot in pattern.slots:
                    words |= slot
                for word in pattern.slots[0]:
                    self._starts.setdefault(word, []).append((level, pattern))
        self._prefixes = tuple(sorted(w for w in words if w.endswith("*")))
        for word in words - set(self._prefixes):
            for form in forms_of(word):
                self._forms.setdefault(form, set()).add(word)
                if len(word) >= self.settings.typo_length:
                    self._slip_forms.add(form)
                    for slip in deletions(form):
                        self._slips.setdefault(slip, set()).add(form)

    def screen(self, text: str) -> Screening | None:
        """The first crisis rule that matches, else the first concern rule, else None."""
        tokens = self.tokens(text)
        keys = [self._keys_of(t) for t in tokens]
        found: dict[Level, list[tuple[Pattern, tuple[int, ...]]]] = {"crisis": [], "concern": []}
        for position, here in enumerate(keys):
            for word in here:
                for level, pattern in self._starts.get(word, ()):
                    if level is None:
                        continue
                    hit = _match_at(pattern, keys, tokens, position, frozenset())
                    if hit is not None:
                        found[level].append((pattern, hit))
        if not found["crisis"] and not found["concern"]:
            return None
        cancelled = self._ordinary_positions(tokens, keys)
        for level in _LEVELS:
            for pattern, hit in found[level]:
                if cancelled.isdisjoint(hit):
                    return Screening(level, pattern.text)
        return None

    def tokens(self, text: str) -> list[str]:
        """Words of the text: lower case, no apostrophes, hyphens split, spellings folded."""
        raw = normalise(text).replace("'", "").replace("-", " ").split()
        folded: list[str] = []
        index = 0
        while index < len(raw):
            token = raw[index]
            for words, canonical in self._multi.get(token, ()):
                if tuple(raw[index : index + len(words)]) == words:
                    folded.append(canonical)
                    index += len(words)
                    break
            else:
                folded.append(self._single.get(token, token))
                index += 1
        return folded

    def _levels(self) -> Iterable[tuple[Level | None, tuple[Pattern, ...]]]:
        return (("crisis", self.crisis), ("concern", self.concern), (None, self.ordinary))

    def _fold_tables(self) -> None:
        for canonical, others in self.settings.same.items():
            for other in others:
                words = tuple(normalise(other).replace("'", "").split())
                if len(words) == 1:
                    self._single[words[0]] = canonical
                elif words:
                    self._multi.setdefault(words[0], []).append((words, canonical))
        for entries in self._multi.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)

    def _keys_of(self, token: str) -> frozenset[str]:
        """The pattern words a typed word can stand for; worked out once per distinct word."""
        known = self._known.get(token)
        if known is not None:
            return known
        found = set(self._forms.get(token, ()))
        found.update(p for p in self._prefixes if token.startswith(p[:-1]))
        if not found and self._may_be_slip(token):
            for form in self._slip_candidates(token):
                if form[0] == token[0] and one_slip(token, form):
                    found |= self._forms[form]
        if len(self._known) >= _CACHE_LIMIT:
            self._known.clear()
        self._known[token] = keys = frozenset(found)
        return keys

    def _may_be_slip(self, token: str) -> bool:
        return (
            len(token) >= self.settings.typo_length - 1
            and token.isalpha()
            and token not in self.settings.not_typos
        )

    def _slip_candidates(self, token: str) -> set[str]:
        candidates = set(self._slips.get(token, ()))  # a letter missing
        for shorter in deletions(token):
            if shorter in self._slip_forms:
                candidates.add(shorter)  # a letter too many
            candidates.update(self._slips.get(shorter, ()))  # a letter wrong or swapped
        return candidates

    def _ordinary_positions(self, tokens: list[str], keys: list[frozenset[str]]) -> set[int]:
        """Positions covered by everyday sayings; a match touching one of them is cancelled."""
        covered: set[int] = set()
        personal = self.settings.personal
        for position, here in enumerate(keys):
            for word in here:
                for level, pattern in self._starts.get(word, ()):
                    if level is not None:
                        continue
                    hit = _match_at(pattern, keys, tokens, position, personal)
                    if hit is not None:
                        covered.update(range(hit[0], hit[-1] + 1))
        return covered


def _match_at(
    pattern: Pattern,
    keys: list[frozenset[str]],
    tokens: list[str],
    start: int,
    stops: frozenset[str],
) -> tuple[int, ...] | None:
    """Positions of the pattern's words from `start`, each within `gap` words of the last;
    a gap may not hold a word of `stops` ("the ward and I can't cope" is not about the ward)."""
    hit = [start]
    for slot in pattern.slots[1:]:
        last = hit[-1]
        for position in range(last + 1, min(last + pattern.gap + 2, len(keys))):
            if not slot.isdisjoint(keys[position]):
                hit.append(position)
                break
            if tokens[position] in stops:
                return None
        else:
            return None
    return tuple(hit)


def forms_of(word: str) -> set[str]:
    """A word and its simple endings: cry -> cries, cried, crying; cope -> coping, coped;
    stop -> stopped; die -> dying."""
    forms = {word, word + "s", word + "es", word + "ed", word + "ing", word + "d"}
    if word.endswith("e"):
        forms.add(word[:-1] + "ing")
    if word.endswith("ie"):
        forms.add(word[:-2] + "ying")
    if len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if (
        len(word) >= 3  # noqa: PLR2004 - consonant, vowel, consonant
        and word[-1] not in _VOWELS + "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms
