"""A day typed as the very next message after a dialogue closed with the leader's words
kept as a note and no check-in ("I've kept that in your journal as a note…"): that note's
check-in day, not a message to route (review 12g: a late "next week" got "I'm not sure
which conversation fits that.", and the one useful thing the leader added was lost).

Only the very next message (nothing has been seen since the closing), and only a message
that is a day and nothing more ("next week", "by Friday", "on the 18th"); a day in the past
or more than 90 days away is left to the usual handling.

Only a note that is a step missing nothing but its day becomes a commitment: one with no
action or no person ("I'll talk to people about it — people") stays a note, and the leader
is told so and how to add a step, with no check-in (review 12h: that note got a check-in
on the late "next week")."""

import re
from datetime import datetime

from dialogs import runner, texts
from dialogs.commitment_check import has_action, has_person, only_crowd
from dialogs.content_model import Content
from dialogs.dates import check_in_day, read_date, without
from dialogs.draft import Draft
from dialogs.model import Reflection
from dialogs.timetext import local_date, short_date

_FILLER = re.compile(r"^(?:maybe|probably|hopefully|then|ok|okay|say|i think|i guess)?$")


def attach(draft: Draft, content: Content, said: str, at: datetime) -> bool:
    """Make the note just kept a commitment on the day typed, and say so (True); False
    when the message is not a day or the last thing was not a closing with a note."""
    note = _just_noted(draft, content)
    if note is None:
        return False
    today = local_date(at, draft.state.profile.timezone)
    reading = read_date(said, today)
    if reading is None or reading.is_past(today) or reading.is_far(today):
        return False
    left = without(said, reading.words).strip(" .!,").lower()
    if _FILLER.match(left) is None:
        return False
    if not _a_step(note.text):
        draft.say(content.commitments.get("note_no_step"))
        return True
    due = check_in_day(reading.day, draft.week.days)
    draft.update(reflections=tuple(r for r in draft.state.reflections if r.id != note.id))
    runner.plan_commitment(
        draft, note.text, due, note.at, dialogue=note.dialogue, theme=note.theme
    )
    draft.say(content.commitments.get("note_dated"))
    draft.say(texts.FOLLOW_UP_PLANNED.format(day=short_date(due, today)))
    return True


def _a_step(text: str) -> bool:
    """An action someone could see done, with a person who is not a crowd."""
    return has_action(text) and has_person(text) and not only_crowd(text)


def _just_noted(draft: Draft, content: Content) -> Reflection | None:
    """The note a dialogue closed with, if that closing is the last thing the leader saw:
    it ended when they were last seen, with the words of its commitment step kept then as
    a note, and no commitment."""
    state = draft.state
    if state.dialogue is not None or not state.history or not state.reflections:
        return None
    record, note = state.history[-1], state.reflections[-1]
    if record.outcome != "completed" or not record.ended_at == note.at == state.last_seen_at:
        return None
    dialogue = content.dialogue(record.dialogue)
    step = dialogue.steps.get(note.step or "") if dialogue else None
    if step is None or note.dialogue != record.dialogue or step.type != "commitment":
        return None
    if any(c.dialogue == record.dialogue and c.at >= record.started_at for c in state.commitments):
        return None
    return note
