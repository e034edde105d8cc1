"""The questions a round asks its members, and what their answers change: "did your group
meet?" two days before the round ends (Met / Rescheduled / Not this round), and, after three
rounds in a row without meeting, "stay in the circle?" (Stay / Leave; nobody is removed
without being asked). Button tokens name the circle (and round): the engine hands the answer
back as ServiceAnswered, whatever the channel."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import cast

from bot.circles.model import CheckIn, CheckInAnswer, Circle, Membership, Round
from dialogs import peer_commitment
from dialogs.content_circle_rounds import RoundCopy
from dialogs.model import Choice, ServiceQuestion
from dialogs.timetext import short_date

CHECK_IN = peer_commitment.CHECK_IN  # + <circle>:<round>; the engine asks after "met"
STAY = "svc:circle-stay:"  # + <circle>
ANSWERS: tuple[CheckInAnswer, ...] = ("met", "rescheduled", "not_this_round")
BEFORE_END = timedelta(days=2)
ASK_TO_STAY_AT = 3  # rounds in a row without meeting


@dataclass(frozen=True)
class Answer:
    """A button of one of these questions, read back from its token."""

    kind: str  # "check_in" or "stay"
    circle: str
    number: int
    choice: str


def check_in_day(round_: Round) -> date:
    """Two days before the round ends (not before it starts)."""
    return max(round_.ends - BEFORE_END, round_.starts)


def check_in_question(
    copy: RoundCopy, circle: Circle, round_: Round, at: datetime
) -> ServiceQuestion:
    choices = tuple(Choice(a, copy.text(f"check_in_{a}")) for a in ANSWERS)
    text = copy.text("check_in", circle=circle.name, ends=short_date(round_.ends))
    token = f"{CHECK_IN}{circle.id}:{round_.number}"
    return ServiceQuestion(text, choices, token, at, topic="circle#check_in")


def stay_question(copy: RoundCopy, circle: Circle, missed: int, at: datetime) -> ServiceQuestion:
    choices = (Choice("stay", copy.text("stay_stay")), Choice("leave", copy.text("stay_leave")))
    text = copy.text("stay_question", circle=circle.name, missed=missed)
    return ServiceQuestion(text, choices, f"{STAY}{circle.id}", at, topic="circle#stay")


def read_answer(token: str, choice: str) -> Answer | None:
    if token.startswith(CHECK_IN):
        circle, _, number = token.removeprefix(CHECK_IN).rpartition(":")
        if circle and number.isdigit() and choice in ANSWERS:
            return Answer("check_in", circle, int(number), choice)
        return None
    if token.startswith(STAY) and choice in ("stay", "leave"):
        return Answer("stay", token.removeprefix(STAY), 0, choice)
    return None


def check_in(answer: Answer, leader: str, at: datetime) -> CheckIn:
    return CheckIn(answer.circle, answer.number, leader, cast(CheckInAnswer, answer.choice), at)


def after_round(member: Membership, met: bool) -> Membership:
    """missed_rounds counts rounds in a row without "met"."""
    return replace(member, missed_rounds=0 if met else member.missed_rounds + 1)


def stayed(member: Membership) -> Membership:
    return replace(member, missed_rounds=0, stay_asked_at=None)


def left(member: Membership, at: datetime) -> Membership:
    return replace(member, status="left", answered_at=at)


def wants_asking(member: Membership) -> bool:
    return (
        member.status == "joined"
        and member.missed_rounds >= ASK_TO_STAY_AT
        and member.stay_asked_at is None
    )
