"""The parts of a commitment (what, who, when) a commitment step still needs, and a step
whose earlier answer already is the whole commitment (`if_dated: keep`). Shared by the
commitment step and the runner, which skips such a step rather than ask it (review 12e:
"ring them both tomorrow", then "By when will you have done it?")."""

import re
import string
from collections.abc import Mapping
from datetime import date

from dialogs.commitment_check import (
    PARTS,
    has_action,
    has_person,
    has_time,
    is_question,
    missing,
    names_gathering,
    names_someone,
    only_crowd,
)
from dialogs.content_model import Dialogue, Step
from dialogs.dates import DateReading, meeting_words, read_date, without
from dialogs.echoes import alone_on_line, is_dont_know, is_short

_WHEN_WORDS = 8  # longer than this, an addition that opens with "by" is more than a when
KEEP = "keep"  # `if_dated: keep`: a dated earlier answer is the commitment, kept at once


def ready(
    dialogue: Dialogue, step: Step, saved: dict[str, str], today: date
) -> tuple[str, DateReading] | None:
    """The earlier answer a `if_dated: keep` step builds on, when it already is a whole
    commitment on a day that needs no question (not past, not far, not after a prep's
    meeting): (its words, the day); else None, and the step is asked as usual."""
    if step.type != "commitment" or step.if_dated != KEEP or not step.builds_on:
        return None
    words = saved.get(step.builds_on, "").strip()
    # The day is the leader's plan only in a few words of their own: "the CQC are in in six
    # weeks" in passing is not ("whether the role is real; ask HR by the 18th" is).
    last = re.split(r"[.;]\s+", words.rstrip(".;"))[-1]
    reading = read_date(last, today) if last and is_short(last) else None
    if reading is None or reading.is_past(today) or reading.is_far(today):
        return None
    if dialogue.kind == "prep":
        return None
    if gaps_in(dialogue, step, words, today, "") or missing(last, today) or only_crowd(words):
        return None
    return words, reading


# ", and by when?" / ", and when will you raise it?" at the end of a commitment question
_WHEN_CLAUSE = re.compile(r",?\s+and\s+(?:by\s+)?when\b[^?]*\?", re.IGNORECASE)


def who_name(dialogue: Dialogue, step: Step) -> str | None:
    """The saved name of the answer that named this commitment's person: a step with
    `answer: name` that the commitment builds on or echoes ("What will you try with {who}")."""
    names = {s.save_as for s in dialogue.steps.values() if s.answer == "name" and s.save_as}
    echoed = sorted(f for _, f, _, _ in string.Formatter().parse(step.text) if f)
    return next((n for n in (step.builds_on, *echoed) if n and n in names), None)


def who_answer(dialogue: Dialogue, step: Step, saved: Mapping[str, str]) -> str:
    """That answer ("Priya, on Thursday"), or ""."""
    name = who_name(dialogue, step)
    return saved.get(name, "").strip() if name else ""


def asked_without_day(
    dialogue: Dialogue, step: Step, saved: tuple[tuple[str, str], ...], today: date
) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """A commitment step's question and the answers it echoes, once the answer that named
    its person gave the day: the question's when clause and that day's words go ("What will
    you try with Priya?", not "…with Priya, on Thursday, and by when?"); else None."""
    reading = who_day(dialogue, step, dict(saved), today)
    name = who_name(dialogue, step)
    if reading is None or name is None:
        return None
    echoed = tuple((k, without(v, reading.words) if k == name else v) for k, v in saved)
    return _WHEN_CLAUSE.sub("?", step.text), echoed


def who_day(
    dialogue: Dialogue, step: Step, saved: Mapping[str, str], today: date
) -> DateReading | None:
    """The day that answer gives ("lunch with Sam on Friday"), where it can be the
    commitment's: not past, not far, and not in a prep (its meeting is tomorrow). Review
    12g: given at "Who is it?", the day was asked for twice more."""
    if step.type != "commitment" or dialogue.kind == "prep":
        return None
    who = who_answer(dialogue, step, saved)
    reading = read_date(who, today) if who else None
    if reading is None or reading.is_past(today) or reading.is_far(today):
        return None
    return reading


def whole_from_who(
    dialogue: Dialogue, step: Step, saved: Mapping[str, str], today: date
) -> tuple[str, DateReading] | None:
    """That answer, when it already is the whole commitment on its day (what the step's
    question asks is in it, or given): (its words, the day); else None."""
    reading = who_day(dialogue, step, saved, today)
    if reading is None:
        return None
    words = who_answer(dialogue, step, saved)
    if gaps_in(dialogue, step, words, today, "") or only_crowd(words):
        return None
    return words, reading


def dated(step: Step, saved: dict[str, str], today: date) -> bool:
    """A day is already given: in the answer a commitment step builds on, or for any other
    step in an earlier answer of this conversation ("consultation closes on the 18th")."""
    if step.builds_on:
        return read_date(saved.get(step.builds_on, ""), today) is not None
    return any(
        read_date(value, today) is not None
        for name, value in saved.items()
        if not name.startswith("_")
    )


def gaps_in(
    dialogue: Dialogue, step: Step, words: str, today: date, before: str
) -> tuple[str, ...]:
    """What the commitment leaves out, less what the conversation gives (a prep's who and
    when are its meeting tomorrow); a step that expects a question wants one. The when
    comes from the leader's own commitment (see own_words), never from a long earlier answer it
    builds on: "the CQC are in in six weeks" there is not the day of this step. Nor does a
    person in that answer ("after the Tuesday board") make "I'll talk to people about it"
    name someone."""
    given = given_parts(dialogue, step)
    found = set(missing(words, today))
    if "when" in missing(own_words(words, before), today):
        found.add("when")
    if only_crowd(own_words(words, before, always=True)):
        found.add("who")
    found_in_order = tuple(p for p in PARTS if p in found)
    gaps = tuple(g for g in found_in_order if g not in given)
    if "who" in gaps and named_alone(step, own_words(words, before, always=True)):
        gaps = tuple(g for g in gaps if g != "who")
    if "what" in gaps and _action_in_question(step, words, today):
        gaps = tuple(g for g in gaps if g != "what")
    if step.expects == "question" and not is_question(words):
        gaps = ("question", *(g for g in gaps if g != "what"))
    return gaps


def asks_who(step: Step) -> bool:
    """The step's question asks who ("Who is the one person you need onside…?")."""
    return re.search(r"\bwho(?:m)?\b", step.text, re.IGNORECASE) is not None


def named_alone(step: Step, words: str) -> bool:
    """A part of the leader's words at this step that starts with a name or is one ("Sam",
    "Priya in finance"): at a question asking who, or at the follow-up, which asks who
    where the who is missing. Not where the only person is a crowd ("people")."""
    if only_crowd(words):
        return False
    pieces = words.split(" — ")
    return any(names_someone(p) and (i > 0 or asks_who(step)) for i, p in enumerate(pieces))


def names_nobody(step: Step, words: str, before: str) -> bool:
    """No person in the commitment, nor a name typed alone, nor only a crowd."""
    own = own_words(words, before, always=True)
    return (not has_person(words) or only_crowd(words)) and not named_alone(step, own)


def given_parts(dialogue: Dialogue, step: Step) -> set[str]:
    """The parts the conversation gives: the step's `given`, else a prep's who and when."""
    if step.given is not None:
        return set(step.given)
    return {"who", "when"} if dialogue.kind == "prep" else set()


def _action_in_question(step: Step, words: str, today: date) -> bool:
    """The question names the action ("where and when will you test it?") and the answer
    says where and when: "at Wednesday's huddle, looking back Friday" is the plan."""
    return has_action(step.text) and names_gathering(words) and has_time(words, today)


def own_words(words: str, before: str, *, always: bool = False) -> str:
    """The commitment without the earlier answer it was joined to (see joined), where that
    answer is long: a day in passing there ("the CQC are in in six weeks") is not the day of
    this step, but one in a few words ("I'll speak to Sam by Friday", typed where a name
    was asked) is the leader's own plan, and is not asked for again (review 4). `always`:
    the words typed at this step, whatever the earlier answer."""
    if is_short(before) and not always:
        return words
    prefix = f"{before.strip().rstrip('.')} — " if before.strip() else ""
    return words[len(prefix) :] if prefix and words.startswith(prefix) else words


# An addition that only says when ("before the next board", "by Friday", "wednesday") reads
# on from the step as one sentence, not after a dash (review 8: "… card — before the next
# board" was quoted back at the check-in).
_WHEN_LEAD = re.compile(
    r"(?:by|before|on|at|after|until|till|from|over|during|in|next|this|tomorrow|today|"
    r"tonight|end of|first thing|later)\b",
    re.IGNORECASE,
)
_BARE_DAY = re.compile(
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day(?: week| morning| afternoon)?[.!]*",
    re.IGNORECASE,
)


def joined(before: str, text: str) -> str:
    """An earlier answer and what the leader adds to it, as one commitment."""
    before, text = before.strip().rstrip("."), text.strip()
    if not (before and text):
        return before or text
    if _BARE_DAY.fullmatch(text):
        return f"{before} on {text[0].upper()}{text[1:].rstrip('.!')}"
    if _WHEN_LEAD.match(text) and len(text.split()) <= _WHEN_WORDS:
        return f"{before} {text[0].lower()}{text[1:]}"
    return f"{before} — {text}"


def before_the_meeting(words: str, today: date, step_line: str) -> str:
    """A prep's step with its day after tomorrow's meeting taken out, which never stands
    there: what is left, with `step_line` ("{step} — before the meeting") where no time
    before it is left either; "" if nothing is (review 12g: "by Friday — Sam, the council's
    lead, catch her by Friday" was kept on Friday)."""
    tomorrow = date.fromordinal(today.toordinal() + 1)
    left = words
    for _ in range(8):  # each pass takes out one day phrase
        reading = read_date(left, today)
        if reading is None or reading.day <= tomorrow:
            break
        pieces = (without(piece, reading.words) for piece in left.split(" — "))
        left = " — ".join(piece for piece in pieces if piece)
    if left == words or not left or has_time(left, today):
        return left
    return step_line.format(step=left)


_WHEN_ONLY_LEFT = re.compile(
    r"(?:(?:before|after|at|by|on|in|for|until|till|the|our|my|next|\s|,|\.)+)?", re.IGNORECASE
)


def only_when(words: str, today: date) -> bool:
    """Words that say only when ("before the next board on Thursday", "on Tuesday")."""
    left = words
    meeting = meeting_words(left) or ""
    if meeting:
        left = left.replace(meeting, " ")
    for _ in range(3):
        reading = read_date(left, today)
        if reading is None:
            break
        left = left.replace(reading.words, " ")
    return bool(meeting or left != words) and _WHEN_ONLY_LEFT.fullmatch(left) is not None


def with_what_was_quoted(
    where: tuple[Dialogue, Step], saved: dict[str, str], words: str, today: date
) -> str:
    """Words with no action ("before the next board"), at a step whose question gives the
    action and quotes what it is about on its own line ("You want to say: > …"), are kept
    with that quote in front: the check-in can then ask about the step, not only its day
    (review 8: "before the next board" alone was kept, and quoted back at the check-in)."""
    dialogue, step = where
    if not only_when(words, today) or "what" not in given_parts(dialogue, step):
        return words  # "HR, by Friday" at dialogue 9's finding-out step is the step
    quoted = [saved.get(name, "") for name in sorted(alone_on_line(step.text))]
    said = next((q for q in quoted if q and not is_dont_know(q)), "")
    return joined(said, words) if said and said not in words else words
