"""The "how did it go?" check-in a few days after a commitment."""

from dataclasses import replace
from datetime import datetime, timedelta

from dialogs import runner, texts
from dialogs.content_commitments import CommitmentCopy
from dialogs.dates import working_day_from
from dialogs.draft import Draft
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
        learned = replace(aside, stage="learned")
        draft.update(aside=learned)
        present(draft, copy, learned)


def learned(draft: Draft, aside: FollowUpAside, said: str, at: datetime) -> None:
    commitment = find(draft, aside.commitment)
    reflection = Reflection(
        id=draft.next_id("r"),
        at=at,
        text=said,
        theme=commitment.theme if commitment else None,
        dialogue=commitment.dialogue if commitment else None,
    )
    draft.update(reflections=(*draft.state.reflections, reflection), aside=None, awaiting=None)
    draft.say(texts.REFLECTION_SAVED)


def blocked(
    draft: Draft, copy: CommitmentCopy, aside: FollowUpAside, said: str, at: datetime
) -> None:
    """What got in the way goes to the journal; the new check-in day is said."""
    commitment = find(draft, aside.commitment)
    draft.update(aside=None, awaiting=None)
    if commitment is None:
        return
    _keep(draft, commitment, said, at)
    today = local_date(at, draft.state.profile.timezone)
    draft.say(copy.get("not_yet_again").format(day=short_date(commitment.due_on, today)))


def _keep(draft: Draft, commitment: Commitment, said: str, at: datetime) -> None:
    reflection = Reflection(
        id=draft.next_id("r"),
        at=at,
        text=said,
        theme=commitment.theme,
        dialogue=commitment.dialogue,
    )
    draft.update(reflections=(*draft.state.reflections, reflection))


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
