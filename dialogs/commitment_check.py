"""Does a commitment say what, who and when? A small rule set a person can follow.

- what: an action someone else could see done: a verb from ACTIONS ("ask", "email", "book"),
  or a question in the leader's words (asking it is the action). Verbs of intention only
  ("think about", "look into", "work on") do not count.
- who: a person or role word from PEOPLE ("Sam's team", "the matron", "my deputy"), a
  pronoun for someone named earlier ("her", "them"), or a capitalised word that is not the
  first word, a day, a month or "I", or a gathering ("Tuesday's huddle", "the review").
  Crowds ("people", "everyone", "someone") do not count.
- when: a day the date reader understands, or a time of day ("at 2pm"); "the 4pm bed
  meeting" names a meeting, not a when.
- A step whose question already names the action ("where and when will you test it?") takes
  an answer with a gathering and a day as the what ("at Wednesday's huddle, Friday").
The wording of the follow-up question for each gap is content (commitments.yaml).
"""

import re
from datetime import date

from dialogs.dates import MONTHS, WEEKDAYS, read_date

Part = str  # "what", "who" or "when"
PARTS = ("what", "who", "when")

ACTIONS = frozenset(
    """
    ask asking prep prepare preparing rehearse practise email emailing call calling ring phone
    text message meet meeting book booking
    send sending write writing draft drafting share sharing invite inviting propose present
    presenting raise raising arrange arranging schedule tell telling talk talking speak
    speaking offer offering thank thanking visit visiting walk walking shadow shadowing
    block protect cancel decline say saying listen listening sit run running hold holding
    bring bringing agree agreeing check checking test testing trial list map mapping plan
    planning note noting record recording pause pausing join joining chair chairing feed
    give giving show showing name naming pick choose delegate attend attending request
    submit circulate introduce post sketch review reviewing reply respond answer catch
    leave leaving stop stopping start starting take taking finish switch turn move put set
    swap drop skip eat go open add change use
    brief briefing chase chasing contact contacting sort sorting fix fixing update updating
    pilot piloting print collect gather
    """.split()  # noqa: SIM905 - a word list reads best as words
)
PEOPLE = frozenset(
    """
    him her them he she they manager managers director directors lead leads leader leaders
    team teams matron matrons chair board colleague colleagues deputy deputies consultant
    consultants nurse nurses doctor doctors registrar registrars clinician clinicians head
    heads boss chief executive exec execs partner partners peer peers mentor coach secretary
    officer officers pa staff sister hr union governor governors commissioner commissioners
    council councils councillor ward wards department gp gps pharmacist surgeon midwife
    midwives therapist therapists supervisor supervisors family husband wife friend friends
    patients patient residents trust ics icb ceo coo cfo cno cmo huddle huddles meeting
    meetings review committee panel forum session handover
    """.split()  # noqa: SIM905
)
GATHERINGS = frozenset(
    "huddle huddles meeting meetings review committee panel forum session handover board".split()  # noqa: SIM905
)
CROWDS = frozenset("people everyone everybody someone somebody anyone anybody others".split())  # noqa: SIM905
TIME_OF_DAY = re.compile(
    r"\b(?:at \d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?|\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|"
    r"first thing|straight away|right away)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NOT_NAMES = {"I", "I'm", "I'll", "I've", "I’d", "I'd", "OK"} | {
    w.capitalize() for w in (*WEEKDAYS, *MONTHS)
}


def missing(text: str, today: date) -> tuple[Part, ...]:
    """The parts a commitment leaves out, in PARTS order; () when it has all three."""
    gaps: list[Part] = []
    if not has_action(text):
        gaps.append("what")
    if not has_person(text):
        gaps.append("who")
    if not has_time(text, today):
        gaps.append("when")
    return tuple(gaps)


QUESTION_WORDS = frozenset(
    "what how who when where why which would could can will is are do does did shall".split()  # noqa: SIM905
)


def is_question(text: str) -> bool:
    """A question as the leader will ask it: a question mark, or a question word first."""
    words = _WORD.findall(text)
    return "?" in text or (bool(words) and _bare(words[0]) in QUESTION_WORDS)


def has_action(text: str) -> bool:
    if "?" in text:
        return True  # a question in their own words: asking it is the action
    return any(_bare(w) in ACTIONS for w in _WORD.findall(text))


def has_person(text: str) -> bool:
    words = _WORD.findall(text)
    for index, word in enumerate(words):
        bare = _bare(word)
        if bare in CROWDS:
            continue
        if bare in PEOPLE:
            return True
        if index > 0 and word[0].isupper() and word.rstrip("'’s") not in _NOT_NAMES:
            return True  # a name: "Sam", "Priya's", "the ICS"
    return False


def only_crowd(text: str) -> bool:
    """A crowd ("people", "everyone") and no person: a who that names nobody, even where the
    conversation has named someone ("I'll talk to people about it" after naming Sam)."""
    return any(_bare(w) in CROWDS for w in _WORD.findall(text)) and not has_person(text)


def has_time(text: str, today: date) -> bool:
    """A day, or a time of day that is a when: "the 4pm bed meeting" names a meeting."""
    if read_date(text, today) is not None:
        return True
    return any(
        not re.search(r"\bthe\s*$", text[: m.start()], re.IGNORECASE)
        for m in TIME_OF_DAY.finditer(text)
    )


def names_gathering(text: str) -> bool:
    """A meeting the step can happen at: "Wednesday's huddle", "the board"."""
    return any(_bare(w) in GATHERINGS for w in _WORD.findall(text))


def _bare(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word


PRONOUNS = frozenset("him her them he she they".split())  # noqa: SIM905
_NOT_A_NAME = CROWDS | frozenset(
    "nobody none nothing no yes fine thanks maybe dunno later soon today tomorrow".split()  # noqa: SIM905
)
NAME_WORDS = 2  # "Priya Shah"
_NAME = re.compile(r"^[A-Z][a-z'’-]+$|^[A-Z]{2,4}$")


_STARTERS = (
    _NOT_A_NAME
    | ACTIONS
    | PEOPLE
    | QUESTION_WORDS
    | frozenset(
        """
        the a an at on by in after before just probably it this that we my our not i next
        last every some any all both each first once then when hopefully lunch coffee
        """.split()  # noqa: SIM905
    )
)


def is_bare_name(text: str) -> bool:
    """A name typed alone at a question asking who: one or two capitalised words ("Sam",
    "Priya Shah"), none a day, a month, an action or a "nobody" (review 12h: "Sam" at a
    prep's "Who is the one person you need onside…?" was asked who again)."""
    words = text.strip(" .!").split()
    if not 1 <= len(words) <= NAME_WORDS or not all(_NAME.match(w) for w in words):
        return False
    return not any(
        w in _NOT_NAMES or _bare(w) in _NOT_A_NAME or _bare(w) in ACTIONS for w in words
    )


def names_someone(text: str) -> bool:
    """A person an answer to "who?" gives: a bare name, a role ("the matron"), or a name in
    a sentence; not only a pronoun or an acronym ("she'll want to know it won't wreck her ED
    numbers" names nobody new)."""
    if is_bare_name(text):
        return True
    words = _WORD.findall(text)
    for index, word in enumerate(words):
        bare = _bare(word)
        if bare in PEOPLE and bare not in PRONOUNS:
            return True
        first = index > 0 or ("'" not in bare and bare not in _STARTERS)  # "Priya in finance"
        named = first and word[0].isupper() and not word.isupper()
        if named and word.rstrip("'’s") not in _NOT_NAMES:
            return True
    return False


def is_junk(text: str) -> bool:
    """No words to keep: a letter, a code ("x", "A3"), or letters with no vowel, unless they
    name someone ("HR")."""
    words = [w for w in _WORD.findall(text) if len(w) > 1 and re.search(r"[aeiouy]", w, re.I)]
    return not words and not has_person(f"- {text}")
