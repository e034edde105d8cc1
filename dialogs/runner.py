"""Running one micro-coaching dialogue: present a step, take the answer, move on."""

import re
import zlib
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Literal

from dialogs import commitment_parts, echoes, heard, texts
from dialogs.content_model import Content, Dialogue, Step
from dialogs.dates import check_in_day
from dialogs.draft import Draft
from dialogs.matching import match_choice, normalise
from dialogs.model import (
    Choice,
    Commitment,
    DialogueProgress,
    DialogueRecord,
    FollowUpPlanned,
    Reflection,
)
from dialogs.timetext import local_date, short_date

Outcome = Literal["completed", "stopped", "expired"]

QUOTE_LIMIT = 60
IDLE_LIMIT = timedelta(hours=24)
# A follow-up question open at a commitment step (see commitment_step), re-asked on return.
PENDING_QUESTION = "_question"
PENDING_PLACEHOLDER = "_placeholder"
# Typed misses at the choice on screen: "<step id> <stories> <others>" (see _missed).
MISSED = "_missed"
# A text step whose gentler `if_unsure` question was asked after a "don't know": its id.
UNSURE = "_unsure"
# A text step whose `if_heard` question is open: "<step id> <entry>", and the answer that
# raised it (what the step saves: the question after it is a reflection only).
HEARD = "_heard"
HEARD_ANSWER = "_heard_answer"
_PENDING = (MISSED, UNSURE, HEARD, HEARD_ANSWER)


def begin(draft: Draft, dialogue: Dialogue, at: datetime) -> None:
    """Start `dialogue` from its first step, replacing any dialogue in progress."""
    draft.update(dialogue=DialogueProgress(dialogue.id, dialogue.start, at, at), aside=None)
    draft.say(f"**{dialogue.title}** · about {dialogue.minutes} minutes. Type **stop** to leave.")
    present(draft, dialogue)


def present(draft: Draft, dialogue: Dialogue, *, hint: bool = True) -> None:
    """Ask the current step's question (again, after an interruption); `hint`: with the
    step's placeholder (not when the line before has just given it as the example)."""
    progress = draft.state.dialogue
    assert progress is not None
    step = dialogue.steps[progress.step]
    pending = dict(progress.saved)
    if step.type == "commitment" and PENDING_QUESTION in pending:
        draft.prompt(pending[PENDING_QUESTION], pending.get(PENDING_PLACEHOLDER))
        return
    today = local_date(draft.now, draft.state.profile.timezone)
    dated = step.if_dated not in (None, commitment_parts.KEEP) and commitment_parts.dated(
        step, dict(progress.saved), today
    )
    asking = step.if_dated if dated and step.if_dated else step.text
    if step.if_unsure and pending.get(UNSURE) == step.id:
        asking = step.if_unsure  # asked again after an interruption
    if (listened := _heard_open(step, pending)) is not None:
        draft.prompt(fill(listened, progress.saved, dialogue))
        return
    echoed = progress.saved
    if step.type == "commitment" and asking == step.text:  # its day given with its person
        without_day = commitment_parts.asked_without_day(dialogue, step, echoed, today)
        asking, echoed = without_day or (asking, echoed)
    question = fill(asking, echoed, dialogue)
    if step.type == "choice":
        choices = tuple(Choice(str(i), c.label) for i, c in enumerate(step.choices))
        draft.ask(question, choices, topic=f"{dialogue.id}#{step.id}")
    else:
        draft.prompt(question, step.placeholder if hint else None)


BARE_NUMBER = re.compile(r"^\(?\d{1,2}[.):]?$")


def number_typed(draft: Draft, dialogue: Dialogue, text: str) -> bool:
    """A bare number ("3") at a question with no options on screen is not kept as an
    answer: one line saying the question wants a few words, with an example, and the
    question again (True). Not at a follow-up question, which may ask for a time."""
    progress = draft.state.dialogue
    assert progress is not None
    step = dialogue.steps[progress.step]
    if step.type == "choice" or not BARE_NUMBER.match(text.strip()):
        return False
    if PENDING_QUESTION in dict(progress.saved):
        return False
    example = (step.placeholder or "").removeprefix("e.g.").strip()
    draft.say(
        texts.NUMBER_AT_TEXT.format(example=example) if example else texts.NUMBER_AT_TEXT_PLAIN
    )
    present(draft, dialogue, hint=False)
    return True


def _buttons_again(draft: Draft, dialogue: Dialogue, lead: str) -> None:
    """A choice's buttons again under one line, not its question and play-back once more
    (review 12b: three wrong inputs were a lot of scrolling on a phone)."""
    progress = draft.state.dialogue
    assert progress is not None
    step = dialogue.steps[progress.step]
    choices = tuple(Choice(str(i), c.label) for i, c in enumerate(step.choices))
    draft.ask(lead, choices, topic=f"{dialogue.id}#{step.id}")


def answer_text(draft: Draft, dialogue: Dialogue, text: str, at: datetime) -> None:
    """A typed answer: matched to a choice, or kept as a reflection or commitment."""
    progress = draft.state.dialogue
    assert progress is not None
    step = dialogue.steps[progress.step]
    if step.type == "choice":
        picked = typed_choice(step, text)
        if picked is None:
            story = not echoes.is_short(text)  # a story, not a missed button
            if story:
                _keep_reflection(draft, dialogue, step, text, at)
            _buttons_again(draft, dialogue, _missed(draft, step, story=story))
            return
        answer_choice(draft, dialogue, picked, at)
        return
    if step.type == "text":
        first = dict(progress.saved).get(HEARD_ANSWER)
        if first is None and echoes.is_dont_know(text) and _unsure(draft, dialogue, step):
            return
        _keep_reflection(draft, dialogue, step, text, at)
        if first is None and _listen(draft, dialogue, step, text):
            return
        text = first if first is not None else text
    else:  # commitment steps normally go through commitment_step.answer, which knows content
        today = local_date(at, draft.state.profile.timezone)
        due = today + timedelta(days=dialogue.follow_up_days)
        keep_commitment(draft, dialogue, text, due, at)
    move_on(draft, dialogue, step, target=step.next or "", answer=text, at=at)


def _unsure(draft: Draft, dialogue: Dialogue, step: Step) -> bool:
    """A "don't know" at a typed question: one line that meets it, then the step's gentler
    `if_unsure` question once (True: asked, the step stays), else on to the next step."""
    progress = draft.state.dialogue
    assert progress is not None
    saved = dict(progress.saved)
    if saved.get(UNSURE) == step.id:
        draft.say(texts.DONT_KNOW_AGAIN)
        return False
    draft.say(dont_know_heard(dialogue, step))
    if not step.if_unsure:
        return False
    saved[UNSURE] = step.id
    draft.update(dialogue=replace(progress, saved=tuple(saved.items())))
    draft.prompt(fill(step.if_unsure, progress.saved, dialogue), step.placeholder)
    return True


def _listen(draft: Draft, dialogue: Dialogue, step: Step, text: str) -> bool:
    """An answer that says something the next question would step over (an `if_heard`
    entry): its line, then its question, once (True: asked, the step stays)."""
    progress = draft.state.dialogue
    assert progress is not None
    index = heard.hearing(text, step)
    if index is None:
        return False
    entry = heard.entry(step, index)
    saved = dict(progress.saved)
    saved[HEARD], saved[HEARD_ANSWER] = f"{step.id} {index}", text
    draft.update(dialogue=replace(progress, saved=tuple(saved.items())))
    draft.say(fill(entry.say, progress.saved, dialogue))
    draft.prompt(fill(entry.ask, progress.saved, dialogue))
    return True


def _heard_open(step: Step, saved: dict[str, str]) -> str | None:
    """The `if_heard` question open at `step`, to ask again after an interruption."""
    step_id, _, index = saved.get(HEARD, "").partition(" ")
    if step_id != step.id or not index.isdigit() or int(index) >= len(step.if_heard):
        return None
    return step.if_heard[int(index)].ask


def dont_know_heard(dialogue: Dialogue, step: Step) -> str:
    """The line that meets a "don't know" at `step`: one of a few, the same each time for
    that step (a checksum, not `hash()`, which differs between runs)."""
    lines = texts.DONT_KNOW_HEARD
    return lines[zlib.crc32(f"{dialogue.id}#{step.id}".encode()) % len(lines)]


def typed_choice(step: Step, text: str) -> int | None:
    """The choice meant by typed text. An honest "no idea" is the step's "Not sure yet"
    option (by its label or an alias), if it has one, and never an option it shares a word
    with ("Dismissing ideas"); typed exactly as a label or alias ("nobody"), it is that one."""
    options = [(c.label, *c.aliases) for c in step.choices]
    if not echoes.is_dont_know(text):
        return match_choice(text, options)
    said = normalise(text)
    exact = [i for i, names in enumerate(options) if said in {normalise(n) for n in names}]
    if len(exact) == 1:
        return exact[0]
    unsure = [i for i, names in enumerate(options) if any(map(echoes.is_not_knowing, names))]
    if echoes.is_not_knowing(text) and len(unsure) == 1:
        return unsure[0]
    return None


def _missed(draft: Draft, step: Step, *, story: bool) -> str:
    """The line above the buttons again after typed text matched none. The first time, the
    whole line (a story: the step's `heard` and that it was kept); after that, shorter ones
    that differ from the one before, so a phone screen never fills with the same words
    (review 4: the same sympathy line four times)."""
    progress = draft.state.dialogue
    assert progress is not None
    saved = dict(progress.saved)
    counts = saved.get(MISSED, "").split()
    stories, others = (int(n) for n in counts[1:]) if counts[:1] == [step.id] else (0, 0)
    if story:
        first = f"{step.heard} {texts.STORY_KEPT}" if step.heard else texts.STORY_KEPT
        count, again, stories = stories, texts.STORY_KEPT_AGAIN, stories + 1
    else:
        first = texts.DIDNT_CATCH_DIALOGUE
        count, again, others = others, texts.DIDNT_CATCH_AGAIN, others + 1
    saved[MISSED] = f"{step.id} {stories} {others}"
    draft.update(dialogue=replace(progress, saved=tuple(saved.items())))
    return first if count == 0 else again[(count - 1) % len(again)]


def answer_choice(
    draft: Draft, dialogue: Dialogue, index: int, at: datetime, *, ask_next: bool = True
) -> None:
    """The option at `index` chosen; `ask_next` False where what was typed also answers the
    next question (dialogs/who_choice.py), so it is not put on screen."""
    progress = draft.state.dialogue
    assert progress is not None
    step = dialogue.steps[progress.step]
    choice = step.choices[index]
    if choice.reply:
        draft.say(fill(choice.reply, progress.saved, dialogue))
    move_on(
        draft, dialogue, step, target=choice.next, answer=choice.label, at=at, ask_next=ask_next
    )


def close(draft: Draft, at: datetime, outcome: Outcome) -> str | None:
    """End the dialogue in progress and record how; returns its id, or None if there was none."""
    progress = draft.state.dialogue
    if progress is None:
        return None
    record = DialogueRecord(progress.dialogue, progress.started_at, at, outcome)
    draft.update(dialogue=None, history=(*draft.state.history, record))
    return progress.dialogue


def title_of(content: Content, dialogue_id: str | None) -> str:
    dialogue = content.dialogue(dialogue_id or "")
    return dialogue.title if dialogue else "that conversation"


def is_idle(progress: DialogueProgress, at: datetime) -> bool:
    return at - progress.last_at > IDLE_LIMIT


def fill(template: str, saved: tuple[tuple[str, str], ...], dialogue: Dialogue) -> str:
    """Put the leader's earlier answers into a question the way a person would: a short one
    echoed inline, a long one quoted on its own line or referred to (see `dialogs.echoes`)."""
    return echoes.fill(template, dict(saved), dialogue.slots)


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join(text.split()).rstrip(".!?")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def move_on(
    draft: Draft,
    dialogue: Dialogue,
    step: Step,
    *,
    target: str,
    answer: str,
    at: datetime,
    note: str | None = None,
    instead: str | None = None,
    said: str | None = None,
    ask_next: bool = True,
) -> None:
    """To the next step, or the closing (with `note` before the follow-up date; `instead`
    of the end step's own words when they would not fit, e.g. with no check-in set; `said`,
    a step kept without its question, confirmed with its date; `ask_next` False: the next
    question is not shown, as the same words answer it)."""
    progress = draft.state.dialogue
    assert progress is not None
    saved = tuple((n, v) for n, v in progress.saved if n not in _PENDING)
    if step.save_as:
        saved = (*[(n, v) for n, v in saved if n != step.save_as], (step.save_as, answer))
    draft.update(dialogue=replace(progress, step=target, last_at=at, saved=saved))
    nxt = dialogue.steps[target]
    today = local_date(at, draft.state.profile.timezone)
    whole = commitment_parts.ready(dialogue, nxt, dict(saved), today)
    if whole is not None:  # the answer it builds on is the commitment: not asked again
        words, reading = whole
        keep_commitment(draft, dialogue, words, check_in_day(reading.day, draft.week.days), at)
        move_on(draft, dialogue, nxt, target=nxt.next or "", answer=words, at=at)
        return
    named = commitment_parts.whole_from_who(dialogue, nxt, dict(saved), today)
    if named is not None:  # "lunch with Sam on Friday" at "Who is it?": confirmed in a line
        words, reading = named
        keep_commitment(draft, dialogue, words, check_in_day(reading.day, draft.week.days), at)
        move_on(draft, dialogue, nxt, target=nxt.next or "", answer=words, at=at, said=words)
        return
    if nxt.type != "end":
        if ask_next:
            present(draft, dialogue)
        return
    draft.say(instead or fill(nxt.text, saved, dialogue))
    commitment = _commitment_of(draft, dialogue.id, progress.started_at)
    if note is not None:
        draft.say(note)
    if commitment is not None:
        day = short_date(commitment.due_on, today)
        line = texts.FOLLOW_UP_PLANNED.format(day=day)
        if said is not None:
            step_said = shorten(said, 120)
            line = texts.FOLLOW_UP_PLANNED_FOR.format(
                step=step_said[:1].upper() + step_said[1:], day=day
            )
        draft.say(line)
    close(draft, at, "completed")
    draft.update(awaiting=None)


def keep_note(draft: Draft, dialogue: Dialogue, step: Step, text: str, at: datetime) -> None:
    """Keep the leader's words in the journal as a reflection (no check-in)."""
    _keep_reflection(draft, dialogue, step, text, at)


def _keep_reflection(
    draft: Draft, dialogue: Dialogue, step: Step, text: str, at: datetime
) -> None:
    reflection = Reflection(
        id=draft.next_id("r"),
        at=at,
        text=text,
        theme=dialogue.theme,
        dialogue=dialogue.id,
        step=step.id,
    )
    draft.update(reflections=(*draft.state.reflections, reflection))


def keep_commitment(draft: Draft, dialogue: Dialogue, text: str, due: date, at: datetime) -> None:
    """Keep the commitment in the journal and plan its "how did it go?" for `due`."""
    plan_commitment(draft, text, due, at, dialogue=dialogue.id, theme=dialogue.theme)


def plan_commitment(
    draft: Draft, text: str, due: date, at: datetime, *, dialogue: str | None, theme: str | None
) -> None:
    """A commitment in the journal with its check-in planned for `due`: a dialogue's step,
    a check-in's next step, or a note given its day late."""
    commitment = Commitment(
        id=draft.next_id("c"), at=at, text=text, due_on=due, dialogue=dialogue, theme=theme
    )
    draft.update(commitments=(*draft.state.commitments, commitment))
    draft.effect(FollowUpPlanned(commitment.id, due, draft.week.nudge_time))


def _commitment_of(draft: Draft, dialogue_id: str, since: datetime) -> Commitment | None:
    return next(
        (
            c
            for c in reversed(draft.state.commitments)
            if c.dialogue == dialogue_id and c.at >= since
        ),
        None,
    )


def current_type(draft: Draft, dialogue: Dialogue) -> str:
    """The type of the step the open dialogue is on ("text", "choice", "commitment")."""
    progress = draft.state.dialogue
    assert progress is not None
    return dialogue.steps[progress.step].type
