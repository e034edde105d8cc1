"""Echoing a leader's earlier answer back inside a later question, the way a person would.

A `{slot}` alone on its line of a question is a quotation: the answer on its own line as a
quote (`> `, as the channels render it), trimmed at a word boundary. A `{slot}` inside a
sentence is an echo: a short answer (a name, a few words) goes in as typed, its first letter
lowered only when its first word is an ordinary sentence starter ("The", "My", "Ask"), so
names keep their capitals; a long one is never pasted mid-sentence, the slot's `refer_as`
phrase ("that change", "the person you named") stands in for it. Shouting is lowered.
An honest "don't know" is not content: it is never quoted (its quotation line and the
"You noted:" before it are left out) and never put in a sentence (`refer_as`, or "them" for
a name, stands in). An answer that starts with the verb the template puts before its slot
("ask {who}" + "ask the ward manager") loses the repeated word. Pure and fast: it runs on
every turn.
"""

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from dialogs.commitment_check import ACTIONS

AnswerKind = Literal["short", "long", "name"]
ANSWER_KINDS: tuple[AnswerKind, ...] = ("short", "long", "name")

ECHO_WORDS = 6  # an answer of at most this many words and characters is echoed inline
ECHO_CHARS = 40
QUOTE_CHARS = 90  # a quotation on its own line is trimmed to about this
FALLBACK = "that"  # a long answer mid-sentence with no `refer_as` (the check warns)
NAME_FALLBACK = "them"  # a "don't know" in a name slot with no `refer_as`

# Honest "don't know" answers: not content. Never quoted back, never used as a name or a
# task mid-sentence (review 12c: "get in touch with i don't know really").
# Review 4: "no idea really", "not a clue", "dunno really", "haven't a clue" and their kin
# ("honestly, no idea", "I've no idea", "haven't got a clue") are all "don't know".
DONT_KNOW = re.compile(
    r"^(?:(?:honestly|really|just|well|erm+|um+|hmm+|tbh|sorry|possibly|to\s+be\s+honest|no|nope)"
    r"[\s,.…]+)*"
    r"(?:(?:i|i'm|im|i've|ive|i\s+have)(?:\s+got)?\s+)?"
    r"(?:really\s+|just\s+|honestly\s+|genuinely\s+|absolutely\s+)?"
    r"(?:(?:do\s*n[o']?t|dont|don't)\s+(?:really\s+)?know|dunno|not\s+(?:really\s+)?sure|"
    r"unsure|no\s+idea|no\s+clue|not\s+a\s+clue|haven'?t(?:\s+got)?\s+a\s+clue|"
    r"can'?t\s+say|can'?t\s+think(?:\s+of\s+(?:one|any(?:thing|one)?|a\s+single\s+one))?|"
    r"nobody|no\s+one|none|nothing|pass|idk|\?+)"
    r"(?:[\s,]+(?:really|yet|at\s+all|to\s+be\s+honest|tbh|sorry|who|what|why|how|either|"
    r"honestly|mate))*"
    r"[\s.!?…]*$",
    re.IGNORECASE,
)
# After a first clause that is a "don't know": words that offer an answer after all.
_OFFERS = frozenset("maybe perhaps possibly probably might could guess except apart but".split())  # noqa: SIM905
_CLAUSE_END = re.compile(r"[.,;:!?…]+\s+|\s+[—–-]\s+")


def _split_clause(said: str) -> tuple[str, str, str]:
    """The first clause of `said`, the mark that ends it ("" if none) and the rest."""
    found = _CLAUSE_END.search(said)
    if found is None:
        return said, "", ""
    return said[: found.start()], found.group(), said[found.end() :]


# Of those, the ones about not knowing (not "nobody", "nothing"): a "Not sure yet" button.
_NOT_KNOWING = re.compile(r"know|sure|idea|clue|dunno|idk|\?", re.IGNORECASE)

# Words that start a sentence but are not names: the only first words lowered mid-sentence
# (review 12c: "sam's discharge plan"). Any other capital the leader typed is kept: a name,
# an acronym, a capital inside the word (McKenzie), "I", a day or a month.
_ORDINARY = ACTIONS | frozenset(
    word
    for line in (
        "get make find improve reduce stay keep try see look think work help understand",
        "sorting fixing getting more less maybe probably perhaps i'd i'll i'm i've",
        "a an the my our your their his her its this that these those some any one two three",
        "we they it he she you there here what which who how when where why if as at by for",
        "from in into of on to with without about after before over under between through",
        "all every each no not none nobody everyone someone people most more less getting",
        "making moving better being having trying finding keeping working helping taking",
        "asking talking telling doing going using setting building holding letting too very",
        "just only still new old next last first same other another both either neither and",
        "or but so then because while until since although",
    )
    for word in line.split()
)
# Acronyms a shouted answer keeps, in their usual form (elsewhere 2-5 capitals are kept).
_ACRONYMS = {
    word.upper(): word
    for line in (
        "NHS ICS ICB ICP GP GPs PCN PCNs A&E ED ICU CQC HR OD QI IT CEO CFO COO CNO MD NED",
        "PA PAs ONS UK NICE SLT EMT PALS MDT AHP AHPs HCA HCAs",
    )
    for word in line.split()
}
_CALENDAR = frozenset(
    word
    for line in (
        "monday tuesday wednesday thursday friday saturday sunday january february march",
        "april may june july august september october november december christmas easter",
    )
    for word in line.split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'&’-]*")
_QUESTION_WORDS = frozenset("who what how why when where which would could should".split())  # noqa: SIM905
# Endings of ordinary words, not names: "Delayed discharges", "Staffing", "Recruitment".
_ORDINARY_ENDS = ("ed", "ing", "ly", "tion", "tions", "ment", "ments", "ness", "ity", "ies")
_SUFFIX_MIN = 4
_SHOUT_MIN_WORDS = 3
_ACRONYM_LEN = (2, 5)


@dataclass(frozen=True)
class Slot:
    """What a dialogue says about one `save_as` name: the kind of answer it asks for, and
    the phrase that stands in for a long answer mid-sentence."""

    answer: AnswerKind = "long"
    refer_as: str | None = None
    # A choice step's button labels: our own sentence case, so mid-sentence their first
    # capital goes ("get in touch with occupational health"), unless it opens an acronym.
    labels: frozenset[str] = frozenset()


def fill(template: str, saved: Mapping[str, str], slots: Mapping[str, Slot]) -> str:
    """`template` with every `{name}` filled from `saved` (a missing one reads "that")."""
    lines = template.split("\n")
    out: list[str] = []
    for line in lines:
        alone = _alone(line)
        if alone is not None:
            value = saved.get(alone)
            if value and is_dont_know(value):
                if out and out[-1].rstrip().endswith(":"):
                    out.pop()  # "You noted:" with nothing to quote after it
                continue
            out.append(f"> {quote(value)}" if value else FALLBACK.capitalize())
            continue
        out.append(_fill_line(line, saved, slots))
    return "\n".join(out)


def is_dont_know(text: str) -> bool:
    """An honest "don't know" ("i don't know really", "dunno", "not sure"): not content.
    So is one whose first clause is ("dont know, cant think of one", "can't think of one.
    they're 30% vacancy", review 12h) unless the rest offers something ("not sure, maybe
    Sam", "no idea, ask Sam"): a reason why not is not an answer to quote back."""
    said = " ".join(text.replace("’", "'").split())
    if DONT_KNOW.match(said) is not None:
        return True
    head, cut, rest = _split_clause(said)
    if not cut or DONT_KNOW.match(head) is None:
        return False
    words = {w.lower() for w in _WORD.findall(rest)}
    return not words & (_OFFERS | ACTIONS) and not any(w[:1].isupper() for w in rest.split()[1:])


def is_not_knowing(text: str) -> bool:
    """A "don't know" about knowing ("no idea", "not sure yet"), not "nobody" or "nothing":
    what a "Not sure yet" option stands for."""
    return is_dont_know(text) and _NOT_KNOWING.search(text) is not None


def _fill_line(line: str, saved: Mapping[str, str], slots: Mapping[str, Slot]) -> str:
    """One line with its `{name}`s echoed; an answer that starts with the verb the line puts
    just before its slot loses that word ("ask {who}" + "ask the ward manager")."""
    parts: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(line):
        parts.append(literal)
        if name is None:
            continue
        value = saved.get(name)
        before = _WORD.findall(literal)
        slot = slots.get(name, Slot())
        if value and before:
            value = _without_repeated_verb(value, before[-1])
            if _wants_article(value, before[-1], slot):
                parts.append(slot.refer_as or FALLBACK)
                continue
        parts.append(echo(value, slot))
    return "".join(parts)


# After these, a thing typed without its article reads as a slip ("Thinking about single
# discharge hub", review 12h); the step's `refer_as` ("that change") stands in instead.
_PREPOSITIONS = frozenset({"about", "on", "for", "of", "with", "into", "from"})
_DETERMINERS = frozenset(
    {
        "a",
        "an",
        "the",
        "our",
        "my",
        "your",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "each",
        "every",
        "no",
        "one",
        "two",
        "three",
        "another",
        "both",
        "all",
    }
)


def _wants_article(value: str, before: str, slot: Slot) -> bool:
    """A short typed thing (not a name, not a button) with no article or plural of its own,
    straight after "about", "for", "with"...: "single discharge hub", not "delayed
    discharges", "winter planning", "the hub", "Sam's team" or "ICS flow"."""
    if before.lower() not in _PREPOSITIONS or slot.answer != "short" or value in slot.labels:
        return False
    found = _WORD.findall(_tidy(value))
    if not found or not is_short(value):
        return False
    first, last = found[0], found[-1].lower()
    if first.lower() in _DETERMINERS or "'" in first or any(ch.isdigit() for ch in value):
        return False  # "ward 7", "team 2": named by their number
    if not all(word.islower() for word in found):  # a name or an acronym: "Sam's", "ICS"
        return False
    return not last.endswith(("s", "ing"))


def _without_repeated_verb(value: str, verb: str) -> str:
    first, _, rest = value.strip().partition(" ")
    if rest and first.lower() == verb.lower():
        return rest
    return value


def names_in(text: str) -> list[str]:
    """The placeholder names of `text`, in order, each once."""
    found = [name for _, name, _, _ in string.Formatter().parse(text) if name]
    return list(dict.fromkeys(found))


def alone_on_line(template: str) -> set[str]:
    """The names that stand alone on a line of `template` (quoted, not echoed)."""
    return {name for line in template.split("\n") if (name := _alone(line)) is not None}


def echo(value: str | None, slot: Slot) -> str:
    """A saved answer as it reads inside a sentence."""
    if not value:
        return slot.refer_as or FALLBACK
    if is_dont_know(value):
        return slot.refer_as or (NAME_FALLBACK if slot.answer == "name" else FALLBACK)
    if value in slot.labels:
        first = value.split(" ", 1)[0]
        ours = first[1:].islower() or (len(first) == 1 and first != "I")
        return value[0].lower() + value[1:] if ours else value
    text = _tidy(value)
    if slot.answer == "name":
        text = _without_aside(_unshout(text))
    if not is_short(text) or (
        slot.answer == "name" and (_reads_as_question(value) or _reads_as_plan(value))
    ):  # "invite who would you be keeping out", "get in touch with I'll speak to Sam"
        return slot.refer_as or (NAME_FALLBACK if slot.answer == "name" else FALLBACK)
    return _lower_first(_unshout(text))


def _without_aside(text: str) -> str:
    """A name answer's words after one comma are an aside, left out mid-sentence (review
    12h: "What will you try with the CQC lead, priya, and by when?"; "Sam, our deputy chief
    nurse" reads "Sam"); a list ("Sam, Priya and Jo", "their secretary, or the AMU
    matron") is kept whole."""
    head, comma, rest = text.partition(",")
    if not comma or "," in rest or re.search(r"\b(?:and|or)\b|&", rest) or not head.strip():
        return text
    return head.strip()


def quote(value: str, limit: int = QUOTE_CHARS) -> str:
    """A saved answer as it reads quoted on its own line: trimmed at a word boundary."""
    text = _unshout(_tidy(value))
    if _is_shouted(_tidy(value)):
        text = text[:1].upper() + text[1:]
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:—–- ") + "…"


def is_short(text: str) -> bool:
    """Short enough to sit inside a sentence: a name or a few words, in one sentence (review
    4: "ED flow across the ICS. stalled" pasted in, full stop and all)."""
    text = _tidy(text)
    if _SENTENCE_BREAK.search(text):
        return False
    return len(text.split()) <= ECHO_WORDS and len(text) <= ECHO_CHARS


_SENTENCE_BREAK = re.compile(r"(?<!\b(?:Dr|Mr|Ms|St))(?<!\bMrs)(?<!\bProf)[.!?;]\s+\S")


def _alone(line: str) -> str | None:
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        name = stripped[1:-1]
        if name and all(ch not in name for ch in "{}!:[]."):
            return name
    return None


_PLAN_OPENERS = frozenset("i i'll i'd i'm ill we we'll".split())  # noqa: SIM905 - not 'will': a name


def _reads_as_plan(text: str) -> bool:
    """A sentence about what the leader will do, typed where a name was asked for."""
    first = text.strip().replace("’", "'").split(maxsplit=1)
    return bool(first) and first[0].lower().rstrip(",.") in _PLAN_OPENERS


def _reads_as_question(text: str) -> bool:
    """A question typed where a name was asked for: it cannot stand in a sentence as one."""
    first = _WORD.match(text.strip())
    return "?" in text or (first is not None and first[0].lower() in _QUESTION_WORDS)


def _tidy(text: str) -> str:
    return " ".join(text.split()).rstrip(".!?;:, ")


def _is_shouted(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or any(ch.islower() for ch in letters):
        return False
    words = _WORD.findall(text)
    return len(words) >= _SHOUT_MIN_WORDS or any(len(w) > _ACRONYM_LEN[1] for w in words)


def _unshout(text: str) -> str:
    if not _is_shouted(text):
        return text
    return _WORD.sub(lambda m: _unshout_word(m[0]), text)


def _unshout_word(word: str) -> str:
    """One word of a shouted answer: known acronyms, "I" and days and months keep a capital."""
    if word in _ACRONYMS:
        return _ACRONYMS[word]
    low = word.lower()
    stem = re.sub(r"['’]s$", "", low)
    if low == "i" or low.startswith(("i'", "i’")) or stem in _CALENDAR:
        return word[0] + low[1:]
    return low


def _keeps_capital(word: str) -> bool:
    letters = re.sub(r"['’]s$", "", word)
    low, high = _ACRONYM_LEN
    if letters.isupper() and low <= len(letters) <= high:
        return True  # ICS, NHS, GP
    if word == "I" or word.startswith(("I'", "I’")):
        return True
    if any(ch.isupper() for ch in letters[1:]):
        return True  # McKenzie, NHSmail
    if letters.lower() in _CALENDAR:
        return True  # Tuesday's board, March
    lowered = word.lower()
    ending = len(lowered) > _SUFFIX_MIN and lowered.endswith(_ORDINARY_ENDS)
    return lowered not in _ORDINARY and not ending


def _lower_first(text: str) -> str:
    match = _WORD.match(text)
    if match is None or not match[0][0].isupper() or _keeps_capital(match[0]):
        return text
    return text[0].lower() + text[1:]
