"""After a peer-circle meeting: "what will you try after talking with your peers?", kept
as a commitment in the leader's journal with a "how did it go?" follow-up, as after a
dialogue. The wording comes in with the event (content/circle_rounds.yaml, read by the service)."""

from datetime import datetime, timedelta

from dialogs.content_model import Content
from dialogs.dates import check_in_day, read_date, working_day_from
from dialogs.draft import Draft
from dialogs.model import Commitment, FollowUpPlanned, PeerCommitAside, PeerCommitAsked
from dialogs.timetext import local_date, short_date

CHECK_IN = "svc:circle-checkin:"  # + <circle>:<round>: the check-in's buttons (a service's)
FOLLOW_UP_DAYS = 7  # with no day named: a week on, moved to a working day
FURTHEST = timedelta(days=90)


def ask(draft: Draft, event: PeerCommitAsked) -> None:
    """Put the question on top; a dialogue in progress waits underneath."""
    aside = PeerCommitAside(event.ref, event.question, event.placeholder, event.saved)
    draft.update(aside=aside)
    present(draft, aside)


def after_check_in(draft: Draft, content: Content, token: str, choice: str, at: datetime) -> None:
    """ "Met" on a circle's check-in: ask at once, in the same turn, what they will try."""
    copy = content.circle_rounds
    if not token.startswith(CHECK_IN) or choice != "met" or copy is None:
        return
    ref = token.removeprefix(CHECK_IN)
    saved = dict(copy.texts)["commit_saved"]  # {day} is filled in when it is kept
    question = PeerCommitAsked(
        ref, copy.text("commit_question"), copy.text("commit_placeholder"), saved, at
    )
    ask(draft, question)


def present(draft: Draft, aside: PeerCommitAside) -> None:
    draft.prompt(aside.question, aside.placeholder)


def answer(draft: Draft, aside: PeerCommitAside, said: str, at: datetime) -> None:
    """Keep the leader's words as a commitment; the check-in day is read from them."""
    today = local_date(at, draft.state.profile.timezone)
    reading = read_date(said, today)
    working = draft.week.days
    if reading is not None and today <= reading.day <= today + FURTHEST:
        due = check_in_day(reading.day, working)
    else:
        due = working_day_from(today + timedelta(days=FOLLOW_UP_DAYS), working)
    commitment = Commitment(
        id=draft.next_id("c"), at=at, text=said, due_on=due, dialogue=None, theme=None
    )
    draft.update(commitments=(*draft.state.commitments, commitment), aside=None, awaiting=None)
    draft.effect(FollowUpPlanned(commitment.id, due, draft.week.nudge_time))
    draft.say(aside.saved.format(day=short_date(due, today)))
