"""Each member's deliveries of a round: the introduction (at their nudge time on the
start day, else 09:00 in their zone; at once for `now`), the Slack group conversation, the
check-in two days before the end, and the question whether to stay after three rounds
unmet. Each goes through the delivery ledger under a key naming the leader, the circle and
the round, so it goes out once; `rebuild` turns a key a crash left pending back into its
event."""

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.circles.model import Circle, Round
from bot.circles.store import CircleStore
from bot.clock import Clock
from bot.domain import Reply, UserKey
from bot.logs import log
from bot.ports import DeliveryError, GroupConversations
from bot.schedules.keys import DeliveryKey, Kind
from bot.schedules.ledger import RETAIN, Entry
from bot.services.circle_rounds import check_ins, introductions
from bot.services.circle_rounds.people import People, Person
from bot.services.circle_rounds.starting import group_of
from bot.services.deliveries import DeliveryService
from dialogs.content_circle_rounds import RoundCopy
from dialogs.model import Event, Say, ServiceNotice
from dialogs.timezones import zone

logger = logging.getLogger("peercoach.circles")
# A delivery this late is skipped (and recorded so): the ledger forgets settled keys after
# RETAIN, and a key it has forgotten must never look like one still to send.
WINDOW = RETAIN - timedelta(days=1)


class RoundSender:
    def __init__(
        self,
        circles: CircleStore,
        people: People,
        deliveries: DeliveryService,
        copy: RoundCopy,
        clock: Clock,
    ) -> None:
        self.circles = circles
        self.people = people
        self.deliveries = deliveries
        self.ledger = deliveries.ledger
        self.copy = copy
        self.clock = clock
        self.wants: Callable[[str], bool] = lambda _user: True  # the scheduler's leaders
        for kind in ("intro", "check_in", "stay"):
            deliveries.rebuilders[kind] = self.rebuild

    async def deliver_due(self, circle: Circle, round_: Round, at: datetime) -> None:
        sends = []
        for index, group in enumerate(round_.groups):
            wanted = [m for m in group.members if self._member(circle, m)]
            if not wanted:
                continue
            await self._load_missing(group.members, at)
            intros = [m for m in wanted if self._due(self._intro_at(round_, m), at)]
            if intros and self._group_possible(group.members):
                await self._post_group(circle, round_, index, at)
            sends += [self._introduce(circle, round_, m) for m in intros]
            day = check_ins.check_in_day(round_)
            sends += [
                self._check_in(circle, round_, m)
                for m in wanted
                if self._due(self._local(m, day), at)
            ]
        await asyncio.gather(*sends)

    def _member(self, circle: Circle, leader: str) -> bool:
        member = self.circles.membership(circle.id, leader)
        return member is not None and member.status == "joined" and self.wants(leader)

    async def _load_missing(self, members: Sequence[str], at: datetime) -> None:
        missing = [m for m in members if self.people.get(m) is None]
        if missing:
            await self.people.load(missing, at)

    def _due(self, when: datetime | None, at: datetime) -> bool:
        return when is not None and when <= at

    async def _too_late(self, key: DeliveryKey, due: datetime | None) -> bool:
        """Past WINDOW: recorded as skipped (once; later it is past the ledger's memory too,
        and still too late)."""
        now = self.clock.now()
        if due is None or now - due <= WINDOW:
            return False
        if now - due <= RETAIN:
            entry = Entry(str(key), "skipped", now, str(key.leader), due_at=due)
            await self.ledger.record(replace(entry, reason="missed, past its window"))
            log(logger, "circle.missed", key=str(key), user=key.leader.hashed)
        return True

    def _intro_at(self, round_: Round, leader: str) -> datetime | None:
        if round_.now:
            return round_.started_at
        return self._local(leader, round_.starts)

    def _local(self, leader: str, day: date) -> datetime | None:
        """The member's nudge time (else 09:00) on `day`, in their zone."""
        person = self.people.get(leader)
        if person is None:
            return None
        hour, minute = (int(p) for p in person.nudge_time.split(":"))
        local = datetime.combine(day, time(hour, minute), tzinfo=zone(person.timezone))
        return local.astimezone(UTC)

    def _key(self, round_: Round, leader: str, kind: Kind) -> DeliveryKey:
        """Its due time is the round's start, whatever the member's nudge time: a key that
        moved with a changed nudge time could be sent twice."""
        started = round_.started_at.astimezone(UTC).replace(second=0, microsecond=0)
        if kind == "check_in":
            started = datetime.combine(check_ins.check_in_day(round_), time(0), tzinfo=UTC)
        elif kind == "stay":
            started = datetime.combine(round_.ends + timedelta(days=1), time(0), tzinfo=UTC)
        return DeliveryKey.for_circle(
            UserKey.parse(leader), kind, round_.circle_id, round_.number, started
        )

    async def _introduce(self, circle: Circle, round_: Round, leader: str) -> None:
        key = self._key(round_, leader, "intro")
        due = self._intro_at(round_, leader)
        if self.ledger.status(str(key)) is not None or await self._too_late(key, due):
            return
        event = self._intro_event(circle, round_, leader, self.clock.now())
        if event is not None:
            await self.deliveries.one_off(key, event, due)

    async def _check_in(self, circle: Circle, round_: Round, leader: str) -> None:
        key = self._key(round_, leader, "check_in")
        answered = {c.leader for c in self.circles.check_ins(circle.id, round_.number)}
        due = self._local(leader, check_ins.check_in_day(round_))
        if leader in answered or self.ledger.status(str(key)) is not None:
            return
        if await self._too_late(key, due):
            return
        event = check_ins.check_in_question(self.copy, circle, round_, self.clock.now())
        await self.deliveries.one_off(key, event, due)

    async def ask_to_stay(self, circle: Circle, at: datetime) -> None:
        if circle.status == "ended":
            return
        last = [r for r in self.circles.rounds(circle.id) if r.status == "closed"]
        if not last:
            return
        latest = last[-1]
        for member in self.circles.members(circle.id):
            if not check_ins.wants_asking(member) or not self.wants(member.leader):
                continue
            await self._load_missing([member.leader], at)
            if not self._due(self._local(member.leader, latest.ends + timedelta(days=1)), at):
                continue
            key = self._key(latest, member.leader, "stay")
            if self.ledger.status(str(key)) is None:
                event = check_ins.stay_question(self.copy, circle, member.missed_rounds, at)
                await self.deliveries.one_off(key, event, at)
            if self.ledger.status(str(key)) is not None:
                await self.circles.put_membership(replace(member, stay_asked_at=at))

    def _intro_event(
        self, circle: Circle, round_: Round, leader: str, at: datetime
    ) -> Event | None:
        found = group_of(round_, leader)
        if found is None:
            return None
        group = found[1]
        people = {m: p for m in group.members if (p := self.people.get(m)) is not None}
        reach = self._reach(group.members, leader, people)
        text = introductions.introduction(
            self.copy, circle, round_, group, leader=leader, people=people, reach=reach
        )
        return ServiceNotice(text, at)

    def _reach(self, members: Sequence[str], leader: str, people: dict[str, Person]) -> str:
        channel = UserKey.parse(leader).channel
        if channel == "slack" and self._group_possible(members):
            return self.copy.text("intro_slack")
        if channel == "teams":
            others = [m for m in members if m != leader]
            sign_ins = {m: p.sign_in for m, p in people.items() if p.sign_in}
            link = introductions.teams_link(others, sign_ins)
            if link is not None:
                return self.copy.text("intro_teams_link", link=link)
        return self.copy.text("intro_reach_out")

    def _group_possible(self, members: Sequence[str]) -> bool:
        notifier = self.deliveries.notifiers.get("slack")
        return isinstance(notifier, GroupConversations) and introductions.same_slack_workspace(
            members
        )

    async def _post_group(self, circle: Circle, round_: Round, index: int, at: datetime) -> None:
        """The group conversation, once: claimed in the ledger under its first member (a
        crash mid-post leaves it pending, and recovery skips rather than posts twice)."""
        group = round_.groups[index]
        notifier = self.deliveries.notifiers.get("slack")
        first = group.members[0]
        key = DeliveryKey(
            UserKey.parse(first),
            "group",
            f"{circle.id}:{round_.number}:{index}",
            self._key(round_, first, "intro").due_at,
        )
        entry = Entry(str(key), "pending", at, first, due_at=key.due_at)
        if self.ledger.status(entry.key) is not None or not isinstance(
            notifier, GroupConversations
        ):
            return
        if not await self.ledger.claim(entry):
            return
        people = {m: p for m in group.members if (p := self.people.get(m)) is not None}
        text = introductions.group_message(self.copy, circle, round_, group, people)
        members = [UserKey.parse(m) for m in group.members]
        status = "sent"
        try:
            await notifier.post_to_group(members, Reply((Say(text),)), str(key))
        except DeliveryError as error:
            status = "failed"
            log(logger, "circle.group_failed", circle=circle.id, reason=error.reason)
        await self.ledger.record(replace(entry, status=status, at=self.clock.now()))

    def rebuild(self, key: DeliveryKey, now: datetime) -> Event | None:
        """A key a crash left pending, as its event again (DeliveryService asks)."""
        found = key.circle_round
        circle = self.circles.circle(found[0]) if found else None
        round_ = self.circles.round(*found) if found else None
        if circle is None or round_ is None:
            return None
        leader = str(key.leader)
        if key.kind == "intro":
            return self._intro_event(circle, round_, leader, now)
        if key.kind == "check_in":
            return check_ins.check_in_question(self.copy, circle, round_, now)
        member = self.circles.membership(circle.id, leader)
        if key.kind == "stay" and member is not None:
            return check_ins.stay_question(self.copy, circle, member.missed_rounds, now)
        return None
