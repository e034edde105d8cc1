"""Which organisation a leader means: their words matched against content/organisations.yaml.

Pure. An answer matches an organisation by its name, a short name ("LTHT") or ODS code,
ignoring case, punctuation and the words every NHS body shares ("NHS", "Trust",
"Foundation"), or by a close spelling (a typo). An answer that fits no organisation, or
several equally, is kept as the leader typed it; either way `organisation_key` is what two
leaders' organisations are compared by. difflib (standard library) is enough for a list of
a few dozen names: no library is needed for this.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Words that tell NHS bodies apart from nothing: dropped before comparing.
NOISE = frozenset(["nhs", "trust", "foundation", "ft", "the", "of", "and"])
_PHRASES = (("integrated care board", "icb"), ("integrated care system", "ics"))
CLOSE = 0.86  # how alike two keys must be (difflib ratio) to be the same name misspelt
MARGIN = 0.04  # and how far ahead of the next organisation the best one must be
SHORT = 5  # keys this short ("ltht", "rr8") match only exactly: one letter off is another


@dataclass(frozen=True)
class Organisation:
    name: str  # as shown, e.g. "Leeds Teaching Hospitals NHS Trust"
    short_names: tuple[str, ...] = ()  # "LTHT", "Leeds Teaching Hospitals"
    ods: str | None = None  # the ODS code, where known
    region: str | None = None  # the ICS or region

    def match_keys(self) -> tuple[str, ...]:
        found = [organisation_key(n) for n in (self.name, *self.short_names)]
        if self.ods:
            found.append(organisation_key(self.ods))
        return tuple(dict.fromkeys(k for k in found if k))


@dataclass(frozen=True)
class Matched:
    """What an answer came to: the organisation, or None (kept as typed); `several` when
    more than one listed organisation fitted it equally."""

    organisation: Organisation | None
    typed: str
    key: str
    several: bool = False

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation else self.typed


@lru_cache(maxsize=4096)  # the listed names are keyed again at every answer
def organisation_key(text: str) -> str:
    """Lower case, accents, punctuation and the shared words removed: "Leeds Teaching
    Hospitals NHS Trust", "leeds teaching hospitals" and "Leeds Teaching Hospitals (NHS)"
    give one key."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = plain.replace("&", " and ").replace("'", "").replace("\u2019", "")
    plain = re.sub(r"[^a-z0-9]+", " ", plain)
    for phrase, short in _PHRASES:
        plain = re.sub(rf"\b{phrase}\b", short, plain)
    return " ".join(w for w in plain.split() if w not in NOISE)


def tidy(text: str) -> str:
    """An answer as it is kept when it matches nothing: spaces collapsed, ends trimmed."""
    return " ".join(text.split()).strip(" .,;:")


def match_organisation(said: str, organisations: tuple[Organisation, ...]) -> Matched:
    typed = tidy(said)
    key = organisation_key(typed)
    if not key:
        return Matched(None, typed, key)
    exact = [o for o in organisations if key in o.match_keys()]
    if len(exact) == 1:
        return _matched(exact[0])
    if exact:
        return Matched(None, typed, key, several=True)
    within = [o for o in organisations if any(_words_in(key, k) for k in o.match_keys())]
    if len(within) > 1:  # "Leeds": words in the names of several
        return Matched(None, typed, key, several=True)
    if len(key) <= SHORT:
        return Matched(None, typed, key)
    if within:  # "Moorfields": words in one organisation's names only
        return _matched(within[0])
    scored = sorted(((_likeness(key, o), o.name, o) for o in organisations), reverse=True)
    if not scored or scored[0][0] < CLOSE:
        return Matched(None, typed, key)
    if len(scored) > 1 and scored[0][0] - scored[1][0] < MARGIN:
        return Matched(None, typed, key, several=True)
    return _matched(scored[0][2])


def _matched(organisation: Organisation) -> Matched:
    return Matched(organisation, organisation.name, organisation_key(organisation.name))


def _words_in(key: str, name_key: str) -> bool:
    return f" {key} " in f" {name_key} "


def _likeness(key: str, organisation: Organisation) -> float:
    """The best difflib ratio between the answer and any of the organisation's names, or 0
    when none could come within MARGIN of CLOSE (cheap upper bounds skip those)."""
    best = floor = CLOSE - MARGIN
    for name_key in organisation.match_keys():
        matcher = difflib.SequenceMatcher(None, key, name_key)
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return best if best > floor else 0.0
