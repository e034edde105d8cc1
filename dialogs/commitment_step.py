"""How a dialogue's commitment step ends: what, who and when, and a check-in on the right day.

1. The leader's commitment is checked for an action, a person and a time
   (commitment_check); not for the parts the step says the conversation already gives
   (`given: [who]`; a `kind: prep`'s meeting tomorrow is the who and the when, unless the
   step says otherwise: `given: []` where it asks who to see before the meeting). A step
   whose question names the action ("Who will you see on their own first, and when?") gives
   the what (`given: [what]`): "the ED sister, monday" is the whole answer. A step that
   `builds_on` an earlier answer ("the change you want to try") starts the commitment from
   it, so it asks only for what is left. A step that `expects: question` wants the question
   as the leader will say it. For the parts left out, one question is asked, once; the
   answer is added to the commitment, and "that's it" (or a "don't know") keeps it as it was.
   A step may word that question itself (`follow_up`: "Which meeting will you try it in,
   and on what day?"), where the generic one would turn its step into another.
2. The check-in day is read from the leader's words (dates): the first working day after
   the day they named. A day in the past or more than 90 days away is questioned once, and
   so is, in a prep, a day after tomorrow's meeting ("by Friday": before it, when?; said
   as the reason of the one question where one is asked anyway); but not at a prep's
   question to ask in the meeting, whose day is the meeting's: its check-in is the working
   day after it;
   with no day named, the dialogue's `follow_up_days` apply, moved to a working day.
   Working days are the days of the leader's nudge schedules (Monday to Friday without
   one), and the check-in comes at their earliest schedule's time: the services pass
   both in (`WorkingWeek`), as the schedules are not in the state the engine sees.
3. The closing line says the date, and after a commitment left vague it says it was kept
   as written rather than anything that claims it is clear. With no day named the closing
   says a day was picked. Kept with no action, or with neither a person nor a day, there is
   nothing to check in on: the words go to the journal as a note, no check-in is set, and
   the dialogue's own closing (which would thank them for a step) gives way to one that
   says so; so are words that give none of the three where the question gives the what and
   the who ("think about it"). A crowd ("people", "everyone") is no person, even in a
   conversation that has named one: `given: [who]` spares the leader the question, not the
   commitment the check.
   Nor does a follow-up answer that gives the missing what or who only as a crowd ("I'll
   talk to people about it" after "What is the first step, and by when?"): still vague
   after the one question, it is a note, never a step with a day picked for it.

While a question is open its state is kept in the dialogue's saved answers under names
that start with "_" (no content placeholder can use them), so that it survives a restart
and an interruption re-asks the same question.
"""

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from dialogs import runner
from dialogs.commitment_check import (
    PARTS,
    has_action,
    has_time,
    is_bare_name,
    is_junk,
    missing,
    names_someone,
    only_crowd,
)
from dialogs.commitment_close import (
    DONE,
    YES,
    as_note,
    done_words,
    in_the_meeting,
    keep,
    nothing,
)
from dialogs.commitment_parts import (
    asks_who,
    gaps_in,
    given_parts,
    joined,
    names_nobody,
    own_words,
    who_day,
    with_what_was_quoted,
)
from dialogs.content_commitments import CommitmentCopy
from dialogs.content_model import Content, Dialogue, Step
from dialogs.dates import DateReading, next_meeting, read_date
from dialogs.draft import Draft
from dialogs.echoes import is_dont_know, is_short
from dialogs.timetext import local_date, short_date

SO_FAR = "_commitment"  # the commitment as written so far
# "gap": the what/who/when question was asked; "date": the day was questioned (past, far);
# "meeting": a prep's day after tomorrow's meeting was questioned (the answer adds to it);
# "day": which day a meeting named without one is ("before the next board")
ASKED = "_asked"
DAY = "_day"  # the questioned day (ISO), kept if the leader says "that's fine"
AGAIN = "_again"  # the follow-up was asked again after a bare number or a "don't know"
UNSURE = "_unsure"  # the first answer was a "don't know": dropped from the words kept
QUESTION = runner.PENDING_QUESTION  # the question on screen, re-asked after an interruption
PLACEHOLDER = runner.PENDING_PLACEHOLDER
_REFERS_BACK = re.compile(r"\b(?:it|them|those|these|that|this)\b", re.IGNORECASE)
RESERVED = (SO_FAR, ASKED, DAY, AGAIN, UNSURE, QUESTION, PLACEHOLDER)


def answer(draft: Draft, content: Content, dialogue: Dialogue, text: str, at: datetime) -> None:
    """The leader's words at a commitment step: ask once for what is missing, or keep it."""
    progress = draft.state.dialogue
    assert progress is not None
    saved = dict(progress.saved)
    today = local_date(at, draft.state.profile.timezone)
    copy = content.commitments
    asked = saved.get(ASKED, "")
    step = dialogue.steps[progress.step]
    done = DONE.match(text.strip().replace("’", "'")) is not None or is_dont_know(text)
    before = saved.get(step.builds_on or "", "")
    if not asked and ((is_dont_know(text) and not done_words(text)) or is_junk(text)):
        saved[UNSURE] = "1"  # never the step (review 12h: "not sure — next week")
        text = ""
    if not asked and _catch_first(dialogue, step, text):
        words = copy.get("before_meeting_catch").format(who=text.strip(" .!"))
        keep(draft, content, (dialogue, step), (words, None, None), at)
        return
    if not asked:
        words = joined(before, text)
        gaps = _gaps(dialogue, step, saved, (words, before), today)
        if UNSURE in saved and not has_action(words) and "what" not in gaps:
            gaps = ("what", *gaps)  # after a "not sure", the step itself is what is missing
        if gaps:
            stage, question, late = _gap_question(content, dialogue, step, gaps, (words, today))
            placeholder = copy.get("placeholder" if stage == "gap" else "date_placeholder")
            _ask(draft, saved, (words, stage, question, placeholder), late)
            return
    elif asked == "gap" and nothing(text):
        _nothing_said(draft, content, dialogue, saved, (text, at))
        return
    elif asked in ("gap", "meeting", "day"):  # the answer adds to the commitment
        adds = not done and (asked != "day" or read_date(text, today) is not None)
        # neither a time, an action nor a person is not part of the step ("x"; "she'll want
        # to know it won't wreck her ED numbers")
        adds = adds and (has_time(text, today) or has_action(text) or names_someone(text))
        words = joined(saved[SO_FAR], text) if adds else saved[SO_FAR]
    else:
        words = saved[SO_FAR]
    reading = _day_named(dialogue, step, saved, (text, own_words(words, before)), today, done=done)
    if asked in ("", "gap", "day") and reading is not None:
        doubt = _doubt(dialogue, reading, today)
        if doubt is not None:
            _question_day(draft, copy, saved, (words, doubt), (reading, today))
            return
    crowd_only = asked == "gap" and not done and _crowd_answer(dialogue, step, saved, text, today)
    _settle(draft, content, (dialogue, step), saved, (words, reading), crowd_only=crowd_only)


def _settle(
    draft: Draft,
    content: Content,
    where: tuple[Dialogue, Step],
    saved: dict[str, str],
    kept: tuple[str, DateReading | None],
    *,
    crowd_only: bool,
) -> None:
    """Keep the step with its check-in, or the words as a note where there is nothing a
    check-in could ask about."""
    dialogue, step = where
    words, reading = kept
    copy = content.commitments
    at = draft.now
    today = local_date(at, draft.state.profile.timezone)
    before = saved.get(step.builds_on or "", "")
    gaps = _gaps(dialogue, step, saved, (words, before), today)
    unsure = UNSURE in saved
    _clear(draft)
    dated = reading is not None and not reading.is_past(today)
    # "people" is nobody, even where one was named; and a follow-up answer that gives the
    # missing what or who only as "talk to people" leaves the commitment as vague as before.
    nobody = "who" in gaps or only_crowd(words) or crowd_only
    # Where the question gives the what and the who, words that give none of the three
    # ("think about it") are still nothing a check-in could ask about.
    empty = len(missing(own_words(words, before, always=True), today)) == len(PARTS)
    vague = "what" in gaps or "question" in gaps or (nobody and "when" in gaps)
    # A "don't know" dropped, what is left with no action is not a step ("next week"); nor
    # is one with neither an action nor a person, where the question does not give the who.
    no_step = not has_action(words) and (
        unsure or ("who" not in given_parts(dialogue, step) and names_nobody(step, words, before))
    )
    if no_step or (not dated and (vague or ("when" in gaps and empty))):
        as_note(draft, content, dialogue, words, at)  # nothing a check-in could ask
        return
    note = copy.get("as_written") if gaps else None
    if not dated and "when" in gaps:
        note = copy.get("day_picked")
    words = with_what_was_quoted(where, saved, _without_long_before(words, before), today)
    keep(draft, content, (dialogue, step), (words, reading if dated else None, note), at)


def _without_long_before(words: str, before: str) -> str:
    """The step without a long earlier answer it builds on, where the leader's own words
    at the step are the action: the check-in quotes the step and its day, not a reflection
    (review 12h: "honestly the ICB quality team, they keep reinventing… — ask the ICB
    director of nursing for 20 minutes — by Friday")."""
    if not before.strip() or is_short(before):
        return words
    own = own_words(words, before, always=True)
    # "ask the chair for them at Thursday's board": "them" is that answer, which stays
    refers_back = _REFERS_BACK.search(own) is not None
    return own if own and has_action(own) and not refers_back else words


def _catch_first(dialogue: Dialogue, step: Step, text: str) -> bool:
    """A name typed alone at a prep's "Who is the one person you need onside, and when…?":
    the step is catching them before the meeting, and it is whole (review 12h: "Sam")."""
    prep_who = dialogue.kind == "prep" and "what" in given_parts(dialogue, step)
    return prep_who and asks_who(step) and is_bare_name(text)


def _question_day(
    draft: Draft,
    copy: CommitmentCopy,
    saved: dict[str, str],
    doubted: tuple[str, tuple[str, str]],
    day: tuple[DateReading, date],
) -> None:
    """Question the day named, once: past, far, or after a prep's meeting; in a prep whose
    gap question already said why, only "When tomorrow, before it starts?"."""
    words, (stage, key) = doubted
    reading, today = day
    question = copy.get(key).format(day=short_date(reading.day, today))
    if stage == "meeting" and DAY in saved:
        question = copy.get("before_meeting_when")
    placeholder = copy.get("time_placeholder" if stage == "meeting" else "date_placeholder")
    _ask(draft, saved, (words, stage, question, placeholder), reading.day)


def _nothing_said(
    draft: Draft,
    content: Content,
    dialogue: Dialogue,
    saved: dict[str, str],
    said: tuple[str, datetime],
) -> None:
    """The first time, one line and the follow-up question again; the second time, the
    words so far go to the journal as a note with no check-in (review 12f: "3" was kept
    "in your own words" with a check-in)."""
    text, at = said
    copy = content.commitments
    progress = draft.state.dialogue
    assert progress is not None
    if AGAIN not in saved:
        saved[AGAIN] = "1"
        draft.update(dialogue=replace(progress, saved=tuple(saved.items())))
        if runner.BARE_NUMBER.match(text.strip()) is not None:
            draft.say(copy.get("gap_number"))
        elif YES.match(text.strip()) is not None:
            draft.say(copy.get("gap_yes"))
        else:
            draft.say(copy.get("gap_dont_know"))
        draft.prompt(saved[QUESTION], saved.get(PLACEHOLDER))
        return
    _clear(draft)
    as_note(draft, content, dialogue, saved[SO_FAR], at)


def _day_named(
    dialogue: Dialogue,
    step: Step,
    saved: dict[str, str],
    said: tuple[str, str],
    today: date,
    *,
    done: bool,
) -> DateReading | None:
    """The day the commitment names, from `said` = (the newest answer, the leader's own
    words so far); at a question to ask in tomorrow's meeting, none."""
    text, words = said
    asked = saved.get(ASKED, "")
    if in_the_meeting(dialogue, step):
        return None
    if asked == "gap" and DAY in saved:  # that day was questioned with the gap: not again
        return read_date(text, today)
    reading = _reading(text, words, today, asked)
    if reading is None and asked in ("date", "meeting") and done and DAY in saved:
        questioned = date.fromisoformat(saved[DAY])
        reading = DateReading(questioned, "") if questioned >= today else None
    return reading or who_day(dialogue, step, saved, today)


def _gaps(
    dialogue: Dialogue,
    step: Step,
    saved: dict[str, str],
    words_before: tuple[str, str],
    today: date,
) -> tuple[str, ...]:
    """What the commitment leaves out (gaps_in), less the when where the answer that named
    its person gave a day ("Priya, on Thursday" at "Who else could lead this?")."""
    words, before = words_before
    gaps = gaps_in(dialogue, step, words, today, before)
    if "when" in gaps and who_day(dialogue, step, saved, today) is not None:
        return tuple(g for g in gaps if g != "when")
    return gaps


def _gap_question(
    content: Content,
    dialogue: Dialogue,
    step: Step,
    gaps: tuple[str, ...],
    words_today: tuple[str, date],
) -> tuple[str, str, date | None]:
    """The one question for what is missing (stage, question), and, in a prep, the day
    given when it is after tomorrow's meeting: the question then says why it asks ("Fri 4
    Dec is after tomorrow's meeting, so who..."), and that day is not questioned a second
    time. Where only the day is missing and a meeting is named without one ("before the
    next board"), the question is which day that is (stage "day")."""
    copy = content.commitments
    words, today = words_today
    prep = dialogue.kind == "prep"
    meeting = next_meeting(words, today) if gaps == ("when",) and not prep else None
    if meeting is not None:
        return "day", copy.get("ask_meeting_day").format(meeting=f"the next {meeting}"), None
    question = step.follow_up or copy.gap(gaps, prep=prep)
    reading = read_date(words, today) if prep and "question" not in gaps else None
    if reading is None or reading.day <= today + timedelta(days=1):
        return "gap", question, None
    if not step.follow_up:  # the reason, in the same line
        question = copy.get("before_meeting_dated").format(day=short_date(reading.day, today))
    return "gap", question, reading.day


def _doubt(dialogue: Dialogue, reading: DateReading, today: date) -> tuple[str, str] | None:
    """Why a day named is questioned, once: (stage, wording key), or None if it stands. In a
    prep, a day after tomorrow's meeting is after the point ("by Friday" for a Thursday
    board)."""
    if reading.is_past(today):
        return "date", "date_past"
    if dialogue.kind == "prep" and reading.day > today + timedelta(days=1):
        return "meeting", "date_after_meeting"
    if reading.is_far(today):
        return "date", "date_far"
    return None


def _crowd_answer(
    dialogue: Dialogue, step: Step, saved: dict[str, str], text: str, today: date
) -> bool:
    """The follow-up asked for a what or a who, and the answer's only person is a crowd:
    "I'll talk to people about it" after "What is the first step, and by when?"."""
    if not only_crowd(text):
        return False
    before = saved.get(step.builds_on or "", "")
    asked_for = gaps_in(dialogue, step, saved[SO_FAR], today, before)
    # where the question gives the what, the who it asked for is in the answer or nowhere
    return "what" in asked_for or "who" in asked_for or "what" in given_parts(dialogue, step)


def _reading(text: str, words: str, today: date, asked: str) -> DateReading | None:
    """The day named: in the newest answer first, else anywhere in the commitment."""
    if asked in ("date", "meeting", "day"):
        return read_date(text, today)
    return read_date(text, today) or read_date(words, today)


def _ask(
    draft: Draft, saved: dict[str, str], asking: tuple[str, str, str, str], day: date | None = None
) -> None:
    """Ask `asking` = (commitment so far, stage, question, placeholder) and remember it."""
    words, stage, question, placeholder = asking
    saved.update({SO_FAR: words, ASKED: stage, QUESTION: question, PLACEHOLDER: placeholder})
    if day is not None:
        saved[DAY] = day.isoformat()
    progress = draft.state.dialogue
    assert progress is not None
    draft.update(dialogue=replace(progress, saved=tuple(saved.items())))
    draft.prompt(question, placeholder)


def _clear(draft: Draft) -> None:
    progress = draft.state.dialogue
    assert progress is not None
    kept = tuple((k, v) for k, v in progress.saved if k not in RESERVED)
    draft.update(dialogue=replace(progress, saved=kept))
