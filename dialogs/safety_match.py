"""Hearing distress the way leaders type it: the word-pattern matcher behind safety.yaml.

Explainable on purpose: a message matches a pattern when the pattern's words appear in
order with few words between them, after folding contractions and other spellings of a
word, allowing simple endings and, for longer words, one typing slip. An `ordinary` pattern
on the same words (an everyday saying) cancels the match. The result names the rule that
matched, so tests and people can see why; the text itself is never kept or logged.

Talk about someone else's crisis ("the consultant said he wanted to die") is the leader's
work, not the leader's crisis: a match whose subject is one of `someone_else`, close before
it with no personal or clause word between, is set aside, but only when the match holds no
personal word and nothing in the message says how the leader feels (`own_feeling`).

A remark about others that an `ordinary` saying would set aside ("the team is burning out")
counts as about the leader when a `same_as_them` phrase follows it ("…and so am i", "me
too"): review 12g. The list is narrow on purpose; "i feel terrible for the team" is not one.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from dialogs.matching import deletions, normalise, one_slip

Level = Literal["crisis", "concern"]
_GAP_NOTE = re.compile(r"\s*\(gap (\d)\)$")
_PATTERN_WORD = re.compile(r"^(?:@[a-z]+|[a-z0-9]+\*?)(?:\|(?:@[a-z]+|[a-z0-9]+\*?))*$")
_LEVELS: tuple[Level, ...] = ("crisis", "concern")
_CACHE_LIMIT = 20_000
_VOWELS = "aeiou"
_CLAUSE_MARK = re.compile(r"[.,;:!?()\n\u2013\u2014]+")  # punctuation that ends a thought


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
    someone_else: frozenset[str] = frozenset()  # subjects that are not the leader, all forms
    clause: frozenset[str] = frozenset()  # words that start another thought ("but")
    reach: int = 4  # how many words before a match its subject may be


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
    """Patterns of each level compiled once per content load; `screen()` runs per message.

    Each pattern is filed under the words of its anchor (its slot of longest words, which
    are the rarest), so a message wakes only the few patterns whose anchor it holds; what a
    typed word stands for is worked out once per distinct word and remembered."""

    settings: MatchSettings
    crisis: tuple[Pattern, ...]
    concern: tuple[Pattern, ...]
    ordinary: tuple[Pattern, ...]
    own_feeling: tuple[Pattern, ...] = ()
    same_as_them: tuple[Pattern, ...] = ()  # "so am i": what others feel, the leader too
    _folds: dict[str, str] = field(default_factory=dict)  # "can not" -> "cant"
    _fold: re.Pattern[str] | None = None
    _forms: dict[str, set[str]] = field(default_factory=dict)  # form -> words it is
    _slips: dict[str, set[str]] = field(default_factory=dict)  # deletion -> forms
    _slip_forms: set[str] = field(default_factory=set)  # forms of words long enough
    _prefixes: tuple[str, ...] = ()
    _rules: list[tuple[Level, Pattern]] = field(default_factory=list)  # crisis first
    _anchors: dict[str, list[int]] = field(default_factory=dict)  # word -> rule numbers
    _ordinary_anchors: dict[str, list[int]] = field(default_factory=dict)
    _feeling_anchors: dict[str, list[int]] = field(default_factory=dict)
    _same_anchors: dict[str, list[int]] = field(default_factory=dict)
    _known: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._fold_tables()
        self._rules = [
            *(("crisis", p) for p in self.crisis),
            *(("concern", p) for p in self.concern),
        ]
        for number, (_, pattern) in enumerate(self._rules):
            for word in _anchor(pattern):
                self._anchors.setdefault(word, []).append(number)
        for number, pattern in enumerate(self.ordinary):
            for word in _anchor(pattern):
                self._ordinary_anchors.setdefault(word, []).append(number)
        for number, pattern in enumerate(self.own_feeling):
            for word in _anchor(pattern):
                self._feeling_anchors.setdefault(word, []).append(number)
        for number, pattern in enumerate(self.same_as_them):
            for word in _anchor(pattern):
                self._same_anchors.setdefault(word, []).append(number)
        everything = (
            *self.crisis,
            *self.concern,
            *self.ordinary,
            *self.own_feeling,
            *self.same_as_them,
        )
        words = {w for p in everything for s in p.slots for w in s}
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
        known = self._known
        keys = [k if (k := known.get(t)) is not None else self._keys_of(t) for t in tokens]
        woken = sorted(_woken(self._anchors, keys))
        if not woken:
            return None
        cancelled: set[int] | None = None
        own: bool | None = None
        starts: frozenset[int] | None = None
        for number in woken:
            level, pattern = self._rules[number]
            for hit in _matches(pattern, keys, tokens, frozenset()):
                if cancelled is None:
                    cancelled = self._ordinary_positions(tokens, keys)
                if not cancelled.isdisjoint(hit) and not self._same_after(tokens, keys, hit):
                    continue
                if starts is None:
                    starts = self._clause_starts(text, tokens)
                if self._about_someone_else(tokens, hit, starts):
                    if own is None:
                        own = self._says_own_feeling(tokens, keys)
                    if not own:
                        continue
                return Screening(level, pattern.text)
        return None

    def tokens(self, text: str) -> list[str]:
        """Words of the text: lower case, no apostrophes, hyphens split, spellings folded."""
        plain = normalise(text).replace("'", "").replace("-", " ")
        if self._fold is not None:
            plain = self._fold.sub(self._folded_word, plain)
        return plain.split()

    def _folded_word(self, found: re.Match[str]) -> str:
        return self._folds[found.group()]

    def _fold_tables(self) -> None:
        """One regular expression for every other way of writing a word ("can not", "cannot"),
        longest first, so a message is folded in one pass."""
        for canonical, others in self.settings.same.items():
            for other in others:
                words = " ".join(normalise(other).replace("'", "").replace("-", " ").split())
                if words:
                    self._folds[words] = canonical
        if self._folds:
            spellings = sorted(self._folds, key=len, reverse=True)
            self._fold = re.compile(r"\b(?:" + "|".join(map(re.escape, spellings)) + r")\b")

    def _keys_of(self, token: str) -> frozenset[str]:
        """The pattern words a typed word can stand for; worked out once per distinct word."""
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

    def _clause_starts(self, text: str, tokens: list[str]) -> frozenset[int]:
        """Positions of the words that begin a sentence or clause ("he left, want to die");
        every position when the pieces do not line up with the message's words, so that
        nothing is set aside on a guess."""
        starts: set[int] = set()
        words: list[str] = []
        for piece in _CLAUSE_MARK.split(text):
            part = self.tokens(piece)
            if part:
                starts.add(len(words))
                words.extend(part)
        return frozenset(starts) if words == tokens else frozenset(range(len(tokens)))

    def _about_someone_else(
        self, tokens: list[str], hit: tuple[int, ...], starts: frozenset[int]
    ) -> bool:
        """The match's subject is another person: one of `someone_else` within `reach` words
        before it in the same clause, with no personal or clause word between, and no
        personal word in the match itself."""
        personal = self.settings.personal
        if any(tokens[p] in personal for p in range(hit[0], hit[-1] + 1)):
            return False
        for position in range(hit[0] - 1, max(-1, hit[0] - 1 - self.settings.reach), -1):
            if position + 1 in starts:
                return False
            word = tokens[position]
            if word in personal or word in self.settings.clause:
                return False
            if word in self.settings.someone_else:
                return True
        return False

    def _says_own_feeling(self, tokens: list[str], keys: list[frozenset[str]]) -> bool:
        """The message says how the leader feels ("and i feel the same"), anywhere in it."""
        return any(
            _matches(self.own_feeling[number], keys, tokens, frozenset())
            for number in _woken(self._feeling_anchors, keys)
        )

    def _same_after(
        self, tokens: list[str], keys: list[frozenset[str]], hit: tuple[int, ...]
    ) -> bool:
        """A `same_as_them` phrase after the match: "the team is burnt out, and so am i"."""
        return any(
            found[0] > hit[-1]
            for number in _woken(self._same_anchors, keys)
            for found in _matches(self.same_as_them[number], keys, tokens, frozenset())
        )

    def _ordinary_positions(self, tokens: list[str], keys: list[frozenset[str]]) -> set[int]:
        """Positions covered by everyday sayings; a match touching one of them is cancelled."""
        covered: set[int] = set()
        for number in _woken(self._ordinary_anchors, keys):
            for hit in _matches(self.ordinary[number], keys, tokens, self.settings.personal):
                covered.update(range(hit[0], hit[-1] + 1))
        return covered


def _anchor(pattern: Pattern) -> frozenset[str]:
    """The slot a pattern is filed under: the one whose shortest word is longest."""
    return max(pattern.slots, key=lambda slot: min(len(w.rstrip("*")) for w in slot))


def _woken(anchors: dict[str, list[int]], keys: list[frozenset[str]]) -> set[int]:
    woken: set[int] = set()
    for here in keys:
        for word in here:
            numbers = anchors.get(word)
            if numbers:
                woken.update(numbers)
    return woken


def _matches(
    pattern: Pattern, keys: list[frozenset[str]], tokens: list[str], stops: frozenset[str]
) -> list[tuple[int, ...]]:
    """Every place the pattern matches, by where its first word is."""
    first = pattern.slots[0]
    found: list[tuple[int, ...]] = []
    for start, here in enumerate(keys):
        if here and not first.isdisjoint(here):
            hit = _match_at(pattern, keys, tokens, start, stops)
            if hit is not None:
                found.append(hit)
    return found


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
