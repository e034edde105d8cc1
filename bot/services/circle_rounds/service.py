"""The round runner (RoundsPort): starts each circle's rounds on its cadence (or at once, for
`circle round <id> now`), matches, stores the round, and sends each member their
introduction, the check-in near the round's end and, after three rounds unmet, the question
whether to stay. Every one of those is a delivery through the same ledger as nudges, under
a key naming the leader, the circle and the round, so it goes out exactly once across
restarts and instances; the job runs on the active scheduler only (`start`).

Rounds start on their day in ROUND_ZONE; a member's introduction comes at their nudge time
(else 09:00) in their own zone on that day, or at once for `now`; the check-in likewise two
days before the round ends."""

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from bot.circles.cadence import next_round
from bot.circles.model import Circle, Membership, Round
from bot.circles.store import CircleStore
from bot.clock import Clock
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.services.circle_rounds import check_ins
from bot.services.circle_rounds.people import People
from bot.services.circle_rounds.report import report_text
from bot.services.circle_rounds.sending import RoundSender
from bot.services.circle_rounds.starting import (
    SMALLEST,
    Matcher,
    Planned,
    candidates,
    closed,
    group_of,
    members_of,
    plan,
    ready,
)
from bot.services.deliveries import DeliveryService
from dialogs.content_circle_rounds import RoundCopy
from dialogs.model import Effect, Say, ServiceAnswered, ServiceNotice, UserState
from dialogs.peer_matching import match
from dialogs.timetext import local_date, short_date

logger = logging.getLogger("peercoach.circles")

ROUND_ZONE = "Europe/London"  # the day a round starts on
EVERY = timedelta(seconds=30)  # how often the job looks: `now` introductions within a minute
JOB = "circle-rounds"
_ACTIVE: dict[str, "RoundsService"] = {}


async def circle_tick(name: str) -> None:
    """APScheduler job: start, close and deliver what is due in every circle."""
    await _ACTIVE[name].tick()


class RoundsService:
    def __init__(
        self,
        circles: CircleStore,
        people: People,
        deliveries: DeliveryService,
        copy: RoundCopy,
        clock: Clock,
        *,
        name: str = "default",
        matcher: Matcher = match,
    ) -> None:
        self.circles = circles
        self.people = people
        self.deliveries = deliveries
        self.ledger = deliveries.ledger
        self.copy = copy
        self.clock = clock
        self.name = name
        self.matcher = matcher
        self._lock = asyncio.Lock()  # one tick or `round now` at a time
        self._aps: Any = None
        self.sender = RoundSender(circles, people, deliveries, copy, clock)

    # ---------------------------------------------------------------- on the active scheduler

    async def prepare(self, at: datetime) -> None:
        """Before the scheduler starts (and settles what a crash left pending): know the
        members of running rounds, so their introductions can be rebuilt."""
        running = [r for c in self.circles.circles() for r in self._running(c)]
        await self.people.load({m for r in running for m in members_of(r)}, at)

    def start(self, aps: Any, wants: Callable[[str], bool], *, timers: bool) -> None:
        """Run the job on this scheduler (`aps`, an AsyncIOScheduler) from now on."""
        self.sender.wants = wants
        self._aps = aps
        _ACTIVE[self.name] = self
        if timers:
            aps.add_job(
                circle_tick,
                IntervalTrigger(seconds=EVERY.seconds),
                args=[self.name],
                id=JOB,
                replace_existing=True,
                next_run_time=self.clock.now(),
            )

    def stop(self) -> None:
        self._aps = None
        _ACTIVE.pop(self.name, None)

    async def tick(self) -> None:
        at = self.clock.now()
        async with self._lock:
            for circle in self.circles.circles():
                await self._advance(circle, at)
        for circle in self.circles.circles():
            for round_ in self._running(circle):
                await self.sender.deliver_due(circle, round_, at)
            await self.sender.ask_to_stay(circle, at)

    # ---------------------------------------------------------------- RoundsPort

    async def round_now(self, coach: UserKey, circle: Circle, at: datetime) -> ServiceReply:
        if circle.status != "active":
            return _say(self.copy.text("round_not_active", circle=circle.name))
        async with self._lock:
            lines: list[str] = []
            ready_now = ready(self.circles.members(circle.id))
            if len(ready_now) < SMALLEST[circle.format]:
                text = self.copy.text("round_too_few", circle=circle.name, count=len(ready_now))
                return _say(text)
            for running in self._running(circle):
                # closed before its check-in: nobody was asked, so nobody missed it
                asked = local_date(at, ROUND_ZONE) >= check_ins.check_in_day(running)
                await self._close(running, count_missed=asked)
                lines.append(self.copy.text("round_closed_first", number=running.number))
            number = max((r.number for r in self.circles.rounds(circle.id)), default=0) + 1
            planned = await self._start(circle, number, at, now=True)
        if planned is None:
            return _say(self.copy.text("round_too_few", circle=circle.name, count=len(ready_now)))
        round_ = planned.round
        lines.insert(0, self._started_line(circle, round_))
        lines += self._coach_warning(circle, planned)
        self._soon()
        log(logger, "circle.round_now", circle=circle.id, number=number, coach=coach.hashed)
        return ServiceReply(tuple(Say(line) for line in lines))

    async def report(self, coach: UserKey, circle: Circle, at: datetime) -> ServiceReply:
        del coach  # the circle commands checked it is theirs
        text = report_text(
            self.copy,
            circle,
            members=self.circles.members(circle.id),
            rounds=self.circles.rounds(circle.id),
            check_ins=lambda number: self.circles.check_ins(circle.id, number),
            name_of=self.people.name_of,
            next_on=self.next_round_on(circle, at),
        )
        return _say(text)

    def next_round_on(self, circle: Circle, at: datetime) -> date | None:
        found = next_round(circle, self.circles.rounds(circle.id), local_date(at, ROUND_ZONE))
        return found[1] if found else None

    # ---------------------------------------------------------------- answers

    async def after_turn(
        self,
        key: UserKey,
        state: UserState | None,
        effects: Sequence[Effect],
        *,
        from_leader: bool = False,
    ) -> None:
        """`forget me`: nothing of the leader stays in memory here either."""
        del effects, from_leader
        if state is None:
            self.people.forget(str(key))

    async def on_effects(
        self, key: UserKey, state: UserState | None, effects: Sequence[Effect], at: datetime
    ) -> ServiceReply:
        del state
        replies = [
            await self._answered(key, answer, at)
            for effect in effects
            if isinstance(effect, ServiceAnswered)
            and (answer := check_ins.read_answer(effect.token, effect.choice)) is not None
        ]
        return ServiceReply(
            tuple(m for r in replies for m in r.messages),
            notices=tuple(n for r in replies for n in r.notices),
        )

    async def _answered(
        self, key: UserKey, answer: check_ins.Answer, at: datetime
    ) -> ServiceReply:
        leader = str(key)
        member = self.circles.membership(answer.circle, leader)
        if answer.kind == "stay":
            if member is None or member.status != "joined":
                return _say(self.copy.text("stay_closed"))
            circle = self.circles.circle(answer.circle)
            name = circle.name if circle else answer.circle
            if answer.choice == "stay":
                await self.circles.put_membership(check_ins.stayed(member))
                return _say(self.copy.text("stayed", circle=name))
            await self.circles.put_membership(check_ins.left(member, at))
            log(logger, "circle.left", circle=answer.circle, leader=key.hashed, asked=True)
            return _say(self.copy.text("left", circle=name))
        round_ = self.circles.round(answer.circle, answer.number)
        if round_ is None or group_of(round_, leader) is None:
            return _say(self.copy.text("check_in_closed"))
        await self.circles.put_check_in(check_ins.check_in(answer, leader, at))
        await self._late_met(round_, answer, member)
        if answer.choice != "met":
            return _say(self.copy.text("check_in_thanks_other"))
        return _say(self.copy.text("check_in_thanks_met"))  # the engine asks what they'll try

    async def _late_met(
        self, round_: Round, answer: check_ins.Answer, member: Membership | None
    ) -> None:
        """ "Met", said after the round closed (and counted as unmet): the run is broken
        after all, if no later round has closed since."""
        closed_rounds = [r for r in self.circles.rounds(round_.circle_id) if r.status == "closed"]
        latest = closed_rounds[-1].number if closed_rounds else None
        if answer.choice != "met" or round_.number != latest or member is None:
            return
        if member.status == "joined" and member.missed_rounds:
            await self.circles.put_membership(replace(member, missed_rounds=0))

    # ---------------------------------------------------------------- starting and closing

    async def _advance(self, circle: Circle, at: datetime) -> None:
        """Close rounds past their end; start the next on its day."""
        today = local_date(at, ROUND_ZONE)
        for running in self._running(circle):
            if running.ends < today or circle.status == "ended":
                await self._close(running)
        due = next_round(circle, self.circles.rounds(circle.id), today)
        if due is None or due[1] > today or self._running(circle):
            return
        if len(ready(self.circles.members(circle.id))) < SMALLEST[circle.format]:
            return
        planned = await self._start(circle, due[0], at, now=False)
        if planned is not None and (warning := self._coach_warning(circle, planned)):
            await self.deliveries.messages.notice(
                Notice(UserKey.parse(circle.coach), ServiceNotice("\n".join(warning), at))
            )

    async def _start(
        self, circle: Circle, number: int, at: datetime, *, now: bool
    ) -> Planned | None:
        members = ready(self.circles.members(circle.id))
        people = await self.people.load((m.leader for m in members), at)
        found = candidates(members, people)
        if len(found) < SMALLEST[circle.format]:
            return None
        earlier = [r for r in self.circles.rounds(circle.id) if r.number < number]
        today = local_date(at, ROUND_ZONE)
        planned = plan(
            circle, number, found, earlier, today=today, at=at, now=now, matcher=self.matcher
        )
        await self.circles.put_round(planned.round)
        for member in self.circles.members(circle.id):
            if member.skip_next:  # sat this one out: back in for the next
                await self.circles.put_membership(replace(member, skip_next=False))
        log(
            logger,
            "circle.round_started",
            circle=circle.id,
            number=number,
            groups=len(planned.round.groups),
            unseparated=len(planned.unseparated),
            unplaced=len(planned.unplaced),
        )
        return planned

    async def _close(self, round_: Round, *, count_missed: bool = True) -> None:
        """Closed first, then each member's run of rounds without meeting (a crash between
        the two counts one round too few, never twice); `count_missed` False: the round
        ends before its check-in (`round now`), and counts for no one."""
        await self.circles.put_round(closed(round_))
        if not count_missed:
            return
        said_met = {
            c.leader
            for c in self.circles.check_ins(round_.circle_id, round_.number)
            if c.answer == "met"
        }
        for leader in members_of(round_):
            member = self.circles.membership(round_.circle_id, leader)
            if member is not None and member.status == "joined":
                await self.circles.put_membership(
                    check_ins.after_round(member, leader in said_met)
                )

    def _running(self, circle: Circle) -> list[Round]:
        return [r for r in self.circles.rounds(circle.id) if r.status == "running"]

    def _started_line(self, circle: Circle, round_: Round) -> str:
        return self.copy.text(
            "round_started",
            circle=circle.name,
            number=round_.number,
            groups=len(round_.groups),
            starts=_day(round_.starts),
            ends=_day(round_.ends),
        )

    def _coach_warning(self, circle: Circle, planned: Planned) -> list[str]:
        """Who could not be kept apart from a colleague (and why), or placed at all."""
        lines = [
            self.copy.text(
                "unseparated_line",
                first=self.people.name_of(u.users[0]),
                second=self.people.name_of(u.users[1]),
                reason=u.reason,
            )
            for u in planned.unseparated
        ]
        lines += [
            self.copy.text("unplaced_line", name=self.people.name_of(user))
            for user in planned.unplaced
        ]
        if not lines:
            return []
        who = " ".join(lines)
        return [
            self.copy.text("unseparated", circle=circle.name, number=planned.round.number, who=who)
        ]

    def _soon(self) -> None:
        """`round now` on the instance that schedules: the job looks at once, not in up to
        30 s (the same job, so two looks never overlap)."""
        aps = self._aps
        if aps is not None and getattr(aps, "running", False) and aps.get_job(JOB):
            aps.modify_job(JOB, next_run_time=self.clock.now())


def _say(text: str) -> ServiceReply:
    return ServiceReply((Say(text),))


def _day(day: date) -> str:
    return short_date(day)
