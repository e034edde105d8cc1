"""The "how did it go?" check-in a few days after a commitment, and what comes next
(review 12e: the loop stopped at "Saved to your journal."):

- "I did it": what happened? That outcome back in one line (quoted, trimmed at a word
  boundary) and one question: what made it work, and where could you use that next? Both
  answers go to the journal.
- "Partly": a short line that meets it, what did you notice? Then one next step with a
  day; a step with no day gets one question for it: which day the meeting it names is
  ("before the next board"), or else when. A bare "yes" to that question keeps the same gap
  as the first check-in (a week if it had none); "that's it" means no new check-in.
- "Not yet": planned again at once (so a leader who walks away is still asked), what got in
  the way, then one next step with a day.
- A next step that names a day becomes a new commitment with its own check-in on that day
  (and a "not yet" commitment is closed as such, so it is not asked about twice); one
  with no day (or "that's it") goes to the journal, and a "not yet" keeps its new day."""

from dataclasses import replace
from datetime import date, datetime, timedelta

from dialogs import runner, small_talk, texts
from dialogs.commitment_close import DONE, YES
from dialogs.commitment_parts import joined
from dialogs.content_commitments import CommitmentCopy
from dialogs.dates import check_in_day, meeting_words, next_meeting, read_date, working_day_from
from dialogs.draft import Draft
from dialogs.echoes import is_dont_know, is_short, quote
from dialogs.model import (
    Choice,
    Commitment,
    CommitmentStatus,
    FollowUpAside,
    FollowUpPlanned,
    Reflection,
)
from dialogs.timetext import local_date, short_date

RETRY_AFTER = timedelta(days=3)
SAME_GAP_DEFAULT = timedelta(days=7)  # "yes" to a next step's day, when the first had no gap
OUTCOME_CHARS = 70  # what happened, quoted back on one phone line
CHOICES = tuple(Choice(*c) for c in texts.FOLLOW_UP_CHOICES)


def token_for(commitment: str) -> str:
    return f"f:{commitment}"


def find(draft: Draft, commitment_id: str) -> Commitment | None:
    return next((c for c in draft.state.commitments if c.id == commitment_id), None)


def deliver(draft: Draft, commitment_id: str, at: datetime) -> None:
    """Ask once how the commitment went; a closed or already-asked one is left alone."""
    commitment = find(draft, commitment_id)
    if commitment is None or commitment.status != "open" or commitment.followed_up_at:
        return
    _update(draft, commitment, followed_up_at=at)
    free = draft.state.dialogue is None  # a fresh nudge replaces any question on top
    awaiting = draft.state.awaiting
    if free:
        draft.update(aside=FollowUpAside(commitment_id))
    draft.ask(
        _question(draft, commitment),
        CHOICES,
        token_for(commitment_id),
        topic=f"follow_up#{commitment_id}",
    )
    if not free:
        draft.update(awaiting=awaiting)


def present(draft: Draft, copy: CommitmentCopy, aside: FollowUpAside) -> None:
    commitment = find(draft, aside.commitment)
    if commitment is None:
        draft.update(aside=None, awaiting=None)
    elif aside.stage == "blocked":
        draft.prompt(copy.get("not_yet_question"), copy.get("not_yet_placeholder"))
    elif aside.stage == "how":
        draft.ask(
            _question(draft, commitment),
            CHOICES,
            token_for(commitment.id),
            topic=f"follow_up#{commitment.id}",
        )
    elif aside.stage == "next" and aside.step:  # the one question for its day
        today = local_date(draft.now, draft.state.profile.timezone)
        draft.prompt(_when_question(copy, aside.step, today), copy.get("date_placeholder"))
    elif aside.stage == "next":
        draft.prompt(copy.get("next_step_question"), copy.get("next_step_placeholder"))
    elif aside.stage == "keep":
        draft.prompt(copy.get("keep_question"), copy.get("keep_placeholder"))
    elif aside.stage == "worked":
        draft.prompt(_what_worked(copy, aside.outcome), copy.get("worked_placeholder"))
    else:
        draft.prompt(texts.FOLLOW_UP_LEARNED, texts.REFLECT_PLACEHOLDER)


def choose(
    draft: Draft, copy: CommitmentCopy, aside: FollowUpAside, choice: str, at: datetime
) -> None:
    commitment = find(draft, aside.commitment)
    if commitment is None or aside.stage != "how":
        draft.update(aside=None, awaiting=None)
        return
    if choice == "not_yet":  # planned again at once; then one question: what got in the way?
        today = local_date(at, draft.state.profile.timezone)
        retry = working_day_from(today + RETRY_AFTER, draft.week.days)
        _update(draft, commitment, due_on=retry, followed_up_at=None, status="open")
        draft.effect(FollowUpPlanned(commitment.id, retry, draft.week.nudge_time))
        blocked_on = replace(aside, stage="blocked")
        draft.update(aside=blocked_on)
        present(draft, copy, blocked_on)
    elif choice == "dropped":
        _update(draft, commitment, status="dropped")
        draft.update(aside=None, awaiting=None)
        draft.say(texts.FOLLOW_UP_DROPPED)
    elif choice in ("kept", "partly"):
        status: CommitmentStatus = "kept" if choice == "kept" else "partly"
        _update(draft, commitment, status=status)
        if choice == "partly":
            draft.say(copy.get("partly_heard"))
        _go(draft, copy, replace(aside, stage="keep" if choice == "kept" else "learned"))


def text(
    draft: Draft, copy: CommitmentCopy, aside: FollowUpAside, said: str, at: datetime
) -> None:
    """Typed text at the check-in, read by the question it answers."""
    match aside.stage:
        case "how":
            missed(draft, copy, aside, said, at)
        case "blocked":
            blocked(draft, copy, aside, said, at)
        case "next":
            next_step(draft, copy, aside, said, at)
        case _:
            learned(draft, copy, aside, said, at)


def missed(
    draft: Draft, copy: CommitmentCopy, aside: FollowUpAside, said: str, at: datetime
) -> None:
    """Typed text at "How did it go?" that is none of its answers: one short line and the
    options, not the whole check-in again (review 12g: "hi" doubled it on a phone); words
    that tell a story are kept in the journal first, as at a dialogue's choice."""
    commitment = find(draft, aside.commitment)
    if commitment is None:
        draft.update(aside=None, awaiting=None)
        return
    if is_short(said):
        line = copy.get("check_in_missed")
        if small_talk.is_greeting(said):  # "hi": greeted back first (review 8)
            line = f"Hello. {line}"
    else:
        _keep(draft, commitment, said, at)
        line = texts.STORY_KEPT
    draft.ask(line, CHOICES, token_for(commitment.id), topic=f"follow_up#{commitment.id}")


def learned(
    draft: Draft, copy: CommitmentCopy, aside: FollowUpAside, said: str, at: datetime
) -> None:
    """What they noticed (after "Partly": then the next step), what happened (after "I did
    it": then what made it work) or what made it work."""
    commitment = find(draft, aside.commitment)
    reflection = Reflection(
        id=draft.next_id("r"),
        at=at,
        text=said,
        theme=commitment.theme if commitment else None,
        dialogue=commitment.dialogue if commitment else None,
    )
    draft.update(reflections=(*draft.state.reflections, reflection), aside=None, awaiting=None)
    if commitment is not None and aside.stage == "learned":
        _go(draft, copy, replace(aside, stage="next"))
        return
    if commitment is not None and aside.stage == "keep":
        _go(draft, copy, replace(aside, stage="worked", outcome=said))
        return
    draft.say(texts.REFLECTION_SAVED)


def blocked(
    draft: Draft, copy: CommitmentCopy, aside: FollowUpAside, said: str, at: datetime
) -> None:
    """What got in the way goes to the journal; then one next step, with a day."""
    commitment = find(draft, aside.commitment)
    draft.update(aside=None, awaiting=None)
    if commitment is None:
        return
    _keep(draft, commitment, said, at)
    if not is_dont_know(said):
        draft.say(copy.get("blocked_heard"))
    _go(draft, copy, replace(aside, stage="next"))


def next_step(
    draft: Draft, copy: CommitmentCopy, aside: FollowUpAside, said: str, at: datetime
) -> None:
    """One next step: with a day, a new commitment and its check-in; without, a note."""
    commitment = find(draft, aside.commitment)
    draft.update(aside=None, awaiting=None)
    if commitment is None:
        return
    today = local_date(at, draft.state.profile.timezone)
    done = DONE.match(said.strip().replace("’", "'")) is not None or is_dont_know(said)
    reading = None if done else read_date(said, today)
    if reading is None and commitment.status == "partly" and not done and not aside.step:
        _go(draft, copy, replace(aside, step=said))  # a step with no day: one question
        return
    if aside.step and (YES.match(said.strip()) or (is_dont_know(said) and not DONE.match(said))):
        # "yes" (or "not sure") to the question for its day: the first check-in's gap again
        due = _same_gap(draft, commitment, today)
        _plan(draft, copy, commitment, aside.step, at, due=due, line="same_gap_planned")
        return
    if _meeting_named_late(aside, said, today, asked_already=reading is not None or done):
        _go(draft, copy, replace(aside, step=joined(aside.step, said)))  # which day is it?
        return
    if aside.step:  # the answer to that question: its day, or none; the step is kept
        said, done = (aside.step if done else joined(aside.step, said)), False
    if reading is not None and not reading.is_past(today):
        _plan(draft, copy, commitment, said, at, due=check_in_day(reading.day, draft.week.days))
        return
    if not done:
        _keep(draft, commitment, said, at)
    if commitment.status == "open":  # "not yet": asked again on the day already set
        draft.say(copy.get("not_yet_again").format(day=short_date(commitment.due_on, today)))
    else:
        draft.say(copy.get("no_new_check_in"))


def _meeting_named_late(
    aside: FollowUpAside, said: str, today: date, *, asked_already: bool
) -> bool:
    """The answer to "When will you do it?" is a meeting without its day ("before the next
    board"): ask which day, as the dialogues do (review 8: it got "No new check-in, then."
    and the step was lost); once, as a step naming a meeting already had that question."""
    if not aside.step or asked_already or meeting_words(aside.step) is not None:
        return False
    return next_meeting(said, today) is not None


def _plan(
    draft: Draft,
    copy: CommitmentCopy,
    commitment: Commitment,
    said: str,
    at: datetime,
    *,
    due: date,
    line: str = "next_step_planned",
) -> None:
    """The next step as a new commitment, with its check-in on `due` (said by `line`)."""
    today = local_date(at, draft.state.profile.timezone)
    if commitment.status == "open":  # "not yet": the new step takes its place
        _update(draft, commitment, status="not_yet", followed_up_at=at)
    runner.plan_commitment(
        draft, said, due, at, dialogue=commitment.dialogue, theme=commitment.theme
    )
    draft.say(copy.get(line).format(day=short_date(due, today)))


def _same_gap(draft: Draft, commitment: Commitment, today: date) -> date:
    """As many days out as the first check-in was from the commitment (or a week)."""
    first = commitment.due_on - local_date(commitment.at, draft.state.profile.timezone)
    gap = first if first.days > 0 else SAME_GAP_DEFAULT
    return working_day_from(today + gap, draft.week.days)


def _when_question(copy: CommitmentCopy, step: str, today: date) -> str:
    """Which day the meeting the step names is ("the next board"), or else when: the
    dialogues' reader of a meeting named without its day (dates.next_meeting)."""
    meeting = next_meeting(step, today)
    if meeting is None:
        return copy.get("ask_when")
    return copy.get("ask_meeting_day").format(meeting=f"the next {meeting}")


def _go(draft: Draft, copy: CommitmentCopy, aside: FollowUpAside) -> None:
    draft.update(aside=aside)
    present(draft, copy, aside)


def _keep(draft: Draft, commitment: Commitment, said: str, at: datetime) -> None:
    reflection = Reflection(
        id=draft.next_id("r"),
        at=at,
        text=said,
        theme=commitment.theme,
        dialogue=commitment.dialogue,
    )
    draft.update(reflections=(*draft.state.reflections, reflection))


def _what_worked(copy: CommitmentCopy, outcome: str) -> str:
    """What happened, back in one quoted line, then the one question; a "don't know" is not
    quoted (review 12g: "he listened, actually apologised" got only "Saved to your journal")."""
    if not outcome.strip() or is_dont_know(outcome):
        return copy.get("kept_no_outcome")
    return copy.get("kept_outcome").format(outcome=quote(outcome, OUTCOME_CHARS))


def _question(draft: Draft, commitment: Commitment) -> str:
    tz = draft.state.profile.timezone
    day = short_date(local_date(commitment.at, tz), local_date(draft.now, tz))
    return texts.FOLLOW_UP.format(day=day, text=runner.shorten(commitment.text, 200))


def _update(draft: Draft, commitment: Commitment, **changes: object) -> None:
    updated = tuple(
        replace(c, **changes) if c.id == commitment.id else c  # type: ignore[arg-type]
        for c in draft.state.commitments
    )
    draft.update(commitments=updated)
