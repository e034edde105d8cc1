"""How a commitment step closes: the step kept with its check-in day, or the leader's words
kept as a note with no check-in (see commitment_step for the rules); and the short answers
("that's it", a bare "yes") the step and the check-ins read."""

import re
from datetime import date, datetime, timedelta

from dialogs import runner
from dialogs.commitment_check import is_junk
from dialogs.commitment_parts import before_the_meeting
from dialogs.content_model import Content, Dialogue, Step
from dialogs.dates import DateReading, check_in_day, read_date, without, working_day_from
from dialogs.draft import Draft
from dialogs.echoes import is_dont_know
from dialogs.timetext import local_date

YES = re.compile(r"^(?:yes|yeah|yep|yup|yes please|sure|aye|y)[.!]*$", re.IGNORECASE)
DONE = re.compile(
    r"^(?:no|nope|none|nothing(?: else| more)?|that'?s (?:it|all|fine|ok|okay)|"
    r"it'?s fine|fine|ok|okay|leave it|skip|as it is|keep it)[.!]*$",
    re.IGNORECASE,
)


def done_words(text: str) -> bool:
    """ "that's it", "no", "fine": keep the commitment as it is."""
    return DONE.match(text.strip().replace("’", "'")) is not None


def keep(
    draft: Draft,
    content: Content,
    where: tuple[Dialogue, Step],
    kept: tuple[str, DateReading | None, str | None],
    at: datetime,
) -> None:
    """Keep the step with its check-in, and move on with `note` (or as a note, where a
    prep's step was only its day after the meeting)."""
    dialogue, step = where
    words, reading, note = kept
    kept_as = planned(draft, content, (dialogue, step), words, reading)
    if kept_as is None:  # a prep's step that was only its day after the meeting
        as_note(draft, content, dialogue, words, at)
        return
    words, due = kept_as
    runner.keep_commitment(draft, dialogue, words, due, at)
    runner.move_on(draft, dialogue, step, target=step.next or "", answer=words, at=at, note=note)


def planned(
    draft: Draft,
    content: Content,
    where: tuple[Dialogue, Step],
    words: str,
    reading: DateReading | None,
) -> tuple[str, date] | None:
    """The step as kept and its check-in day: the working day after the day named, or after
    tomorrow's meeting in a prep, whose day after the meeting is taken out of the step (it
    never stands as the plan); else the dialogue's default. None: nothing is left."""
    dialogue, step = where
    today = local_date(draft.now, draft.state.profile.timezone)
    if dialogue.kind == "prep":
        due = check_in_day(today + timedelta(days=1), draft.week.days)
        if in_the_meeting(dialogue, step):
            return words, due
        kept = before_the_meeting(words, today, content.commitments.get("before_meeting_step"))
        return (kept, due) if kept else None
    if reading is not None:
        return words, check_in_day(reading.day, draft.week.days)
    return words, working_day_from(
        today + timedelta(days=dialogue.follow_up_days), draft.week.days
    )


def nothing(text: str) -> bool:
    """A bare number ("3"), a bare "yes" or a "don't know" at the follow-up: no part of a
    commitment (but "that's it" keeps the commitment as it was; review 12g: "yes" to "Who is
    it with?" was kept as the person, with a check-in)."""
    said = text.strip().replace("’", "'")
    return (
        runner.BARE_NUMBER.match(said) is not None
        or YES.match(said) is not None
        or (is_dont_know(said) and DONE.match(said) is None)
    )


def as_note(draft: Draft, content: Content, dialogue: Dialogue, words: str, at: datetime) -> None:
    """Close the step with `words` in the journal as a note and no check-in, saying so
    instead of the dialogue's closing (which would thank them for a step)."""
    progress = draft.state.dialogue
    assert progress is not None
    step = dialogue.steps[progress.step]
    kept = not (is_junk(words) or nothing(words) or DONE.match(words.strip()) is not None)
    reading = read_date(words, local_date(at, draft.state.profile.timezone))
    if reading is not None and is_junk(without(words, reading.words)):
        kept = False  # a day alone ("next week", after a "not sure") is no note either
    if kept:
        runner.keep_note(draft, dialogue, step, words, at)
    instead = content.commitments.get("no_check_in" if kept else "nothing_kept")
    runner.move_on(
        draft, dialogue, step, target=step.next or "", answer=words, at=at, instead=instead
    )


def in_the_meeting(dialogue: Dialogue, step: Step) -> bool:
    """A prep's question to ask in the meeting itself: its day is the meeting's."""
    return dialogue.kind == "prep" and step.expects == "question"
