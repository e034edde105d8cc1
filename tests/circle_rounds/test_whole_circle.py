"""A whole circle, end to end, in the console-level service: seven leaders from three
organisations (one more declined), a round on the cadence, introductions at each member's
time (exactly once, across a restart), the check-in two days before the end, answers, the
post-meeting commitment, three rounds unmet, and the coach's report."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.circles.model import Circle
from bot.config import Settings
from bot.domain import UserKey
from bot.storage.memory.circles import InMemoryCircleBackend
from bot.wiring import App, build_app
from dialogs.model import ChoiceMade, UserText
from dialogs.peer_matching import Candidate, MatchResult, Unseparated
from tests.circle_rounds.helpers import Leader, new_circle, store_leader, use_circles
from tests.conftest import CONTENT_DIR, FakeClock
from tests.schedules.world import RecordingNotifier

START = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # a Monday; London is on UTC
COACH = "console:coach"
LEADERS = (
    Leader("console:amara", "Amara Okafor", "Leeds Teaching Hospitals", "Flow out of ED"),
    Leader("console:ben", "Ben Hughes", "Leeds Teaching Hospitals", "A new rota"),
    Leader("console:cara", "Cara Singh", "Leeds Teaching Hospitals"),
    Leader("console:dev", "Dev Patel", "Bradford Care Trust", "Merging two teams"),
    Leader("console:erin", "Erin Walsh", "Bradford Care Trust"),
    Leader("console:femi", "Femi Adeyemi", "West Yorkshire ICB", "Winter plan"),
    Leader("console:gail", "Gail Moore", "West Yorkshire ICB", None, "America/New_York"),
)
DECLINED = Leader("console:hana", "Hana Ito", "Bradford Care Trust", "Never shown")


class Run:
    """The app, its clock, what was sent, and the circle backend that outlives a restart."""

    def __init__(self, data: Path, clock: FakeClock) -> None:
        self.data = data
        self.clock = clock
        self.backend = InMemoryCircleBackend()
        self.notifier = RecordingNotifier(clock)
        self.app: App | None = None

    async def start(self) -> App:
        app = build_app(Settings(data_dir=self.data, content_dir=CONTENT_DIR), self.clock)
        app.notifiers["console"] = self.notifier
        await app.open()
        await use_circles(app, self.backend)
        await app.start_scheduler(timers=False)
        self.app = app
        return app

    async def restart(self) -> App:
        assert self.app is not None
        await self.app.close()
        return await self.start()

    async def tick(self, at: datetime) -> None:
        self.clock.at = at
        assert self.app is not None
        assert self.app.rounds is not None
        await self.app.rounds.tick()

    def intros(self) -> list[str]:
        return [s.delivery for s in self.notifier.sent if s.delivery.startswith("intro:")]

    def text_to(self, user: str, kind: str) -> str:
        found = [s.text for s in self.notifier.to(user) if s.delivery.startswith(kind + ":")]
        assert len(found) == 1, (user, kind, found)
        return found[0]

    async def press(self, user: str, token: str, choice: str) -> str:
        assert self.app is not None
        event = ChoiceMade(token, choice, self.clock.now())
        reply = await self.app.conversations.handle(UserKey.parse(user), event)
        return "\n".join(getattr(m, "text", "") for m in reply.messages)

    async def say(self, user: str, text: str) -> str:
        assert self.app is not None
        reply = await self.app.conversations.handle(
            UserKey.parse(user), UserText(text, self.clock.now())
        )
        return "\n".join(getattr(m, "text", "") for m in reply.messages)


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Run]:
    run = Run(tmp_path / "data", FakeClock(START))
    app = await run.start()
    for leader in (*LEADERS, DECLINED, Leader(COACH, "Chris Coach", None)):
        await store_leader(app, leader, START)
    await new_circle(
        app.circles, COACH, [x.user for x in LEADERS], START, declined=[DECLINED.user]
    )
    yield run
    assert run.app is not None
    await run.app.close()


def circle_of(run: Run) -> Circle:
    assert run.app is not None
    found = run.app.circles.circle("c1")
    assert found is not None
    return found


async def test_a_whole_circle_from_its_first_round_to_the_coachs_report(run: Run) -> None:
    app = run.app
    assert app is not None
    assert app.rounds is not None
    assert app.rounds.next_round_on(circle_of(run), START) == date(2026, 11, 30)

    await run.tick(START)  # the start day: the round starts, introductions wait for 09:00
    (round_,) = app.circles.rounds("c1")
    assert (round_.number, round_.starts, round_.ends) == (
        1,
        date(2026, 11, 30),
        date(2026, 12, 13),
    )
    grouped = sorted(m for g in round_.groups for m in g.members)
    assert grouped == sorted(x.user for x in LEADERS)  # everyone, once; the decliner not
    assert run.intros() == []

    await run.tick(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    london = sorted(x.user for x in LEADERS if x.timezone == "Europe/London")
    assert sorted(s.user for s in run.notifier.sent) == london  # New York's 09:00 is later
    await run.tick(datetime(2026, 11, 30, 14, 0, tzinfo=UTC))
    assert len(run.intros()) == len(LEADERS) == len(set(run.intros()))

    for group in round_.groups:
        for member in group.members:
            text = run.text_to(member, "intro")
            assert "North peers" in text
            assert "Mon 30 Nov" in text
            assert "Sun 13 Dec" in text
            assert "only asks questions, no advice" in text  # the pairs guide
            for other in group.members:
                leader = next(x for x in LEADERS if x.user == other)
                if other == member:
                    assert f"**{leader.name}**" not in text
                    continue
                assert f"**{leader.name}**, {leader.organisation}" in text
                if leader.about:
                    assert f"Working on: {leader.about}" in text
            assert "Never shown" not in text

    await run.restart()  # nothing is introduced twice after a restart
    await run.tick(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    assert len(run.intros()) == len(LEADERS) == len(set(run.intros()))
    app = run.app
    assert app is not None
    assert app.rounds is not None

    later = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # the ledger forgets settled keys...
    assert await app.ledger.compact(later) >= len(LEADERS)
    await run.tick(later)  # ...and still nobody is introduced again
    assert len(run.intros()) == len(LEADERS)

    await run.tick(datetime(2026, 12, 11, 9, 0, tzinfo=UTC))  # two days before the end
    checked = [s for s in run.notifier.sent if s.delivery.startswith("check_in:")]
    assert len(checked) == len(london)
    assert "Did your group meet?" in checked[0].text

    token = "svc:circle-checkin:c1:1"
    report = await app.rounds.report(UserKey.parse(COACH), circle_of(run), run.clock.now())
    hidden = report.messages[0].text  # type: ignore[union-attr]
    assert "answers so far 0; shown from 5 answers" in hidden

    amara = "console:amara"
    said = await run.press(amara, token, "met")  # thanks, then the question, in one turn
    assert said.index("Good to hear") < said.index("What will you try after talking")
    assert "I'll ask how it went on" in await run.say(amara, "ask Sam for ten minutes on Friday")
    state = await app.users.load(UserKey.parse(amara))
    assert state is not None
    (commitment,) = state.commitments
    assert commitment.text == "ask Sam for ten minutes on Friday"
    assert any(r.user == amara and r.kind == "follow_up" for r in app.schedules.reminders())

    for user in ("console:ben", "console:dev", "console:femi"):
        await run.press(user, token, "met")
    await run.press("console:cara", token, "not_this_round")
    text = await app.rounds.report(UserKey.parse(COACH), circle_of(run), run.clock.now())
    shown = text.messages[0].text  # type: ignore[union-attr]
    assert "Members (7)" in shown
    assert "Hana" not in shown
    groups_met = len(
        {
            i
            for i, g in enumerate(round_.groups)
            if set(g.members) & {amara, "console:ben", "console:dev", "console:femi"}
        }
    )
    assert f"groups that met {groups_met} of {len(round_.groups)} (answers: 5)" in shown
    for leader in LEADERS:  # never an about line, a commitment or an avoid list
        assert not leader.about or leader.about not in shown
    assert "Sam" not in shown


async def test_three_rounds_without_meeting_ask_whether_to_stay(run: Run) -> None:
    app = run.app
    assert app is not None
    assert app.rounds is not None
    await run.tick(START)
    cara = "console:cara"
    member = app.circles.membership("c1", cara)
    assert member is not None
    await app.circles.put_membership(replace(member, missed_rounds=2))
    await run.tick(datetime(2026, 12, 14, 0, 5, tzinfo=UTC))  # round 1 closes, round 2 starts
    assert [r.status for r in app.circles.rounds("c1")] == ["closed", "running"]
    member = app.circles.membership("c1", cara)
    assert member is not None
    assert member.missed_rounds == 3
    assert [s for s in run.notifier.to(cara) if s.delivery.startswith("stay:")] == []
    await run.tick(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))  # her time, the day after
    assert "not met for 3 rounds" in run.text_to(cara, "stay")
    await run.tick(datetime(2026, 12, 14, 9, 30, tzinfo=UTC))
    run.text_to(cara, "stay")  # once
    assert "You're staying" in await run.press(cara, "svc:circle-stay:c1", "stay")
    member = app.circles.membership("c1", cara)
    assert member is not None
    assert (member.status, member.missed_rounds) == ("joined", 0)


async def test_round_now_closes_the_running_round_and_introduces_at_once(run: Run) -> None:
    app = run.app
    assert app is not None
    assert app.rounds is not None
    await run.tick(START)
    at = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    run.clock.at = at
    reply = await app.rounds.round_now(UserKey.parse(COACH), circle_of(run), at)
    said = "\n".join(m.text for m in reply.messages)  # type: ignore[union-attr]
    assert "Round 2 of **North peers** has started, Wed 2 Dec to Tue 15 Dec" in said
    assert "Round 1, which was still running, is now closed" in said
    await run.tick(at)
    second = [d for d in run.intros() if ":c1:2@" in d]
    assert len(second) == len(LEADERS)  # at once, New York too
    first = [d for d in run.intros() if ":c1:1@" in d]
    assert first == []  # round 1 closed before its 09:00 came round again
    assert app.rounds.next_round_on(circle_of(run), at) == date(2026, 12, 16)


def colleagues_together(
    candidates: Sequence[Candidate], history: object, fmt: str, **_seeded: object
) -> MatchResult:
    """A stand-in matcher whose first pair could not be kept apart."""
    del history, fmt
    users = sorted(c.user for c in candidates)
    groups = (tuple(users[:2]), tuple(users[2:4]), tuple(users[4:]))
    why = "three of the seven are from Leeds Teaching Hospitals"
    return MatchResult(groups, (Unseparated((users[0], users[1]), why),))


async def test_the_coach_hears_who_could_not_be_separated_before_the_introductions(
    run: Run,
) -> None:
    app = run.app
    assert app is not None
    assert app.rounds is not None
    app.rounds.matcher = colleagues_together
    await run.tick(START)
    (told,) = run.notifier.to(COACH)
    assert "before the introductions go out" in told.text
    assert "Amara Okafor and Ben Hughes share a group and an organisation" in told.text
    assert "three of the seven are from Leeds" in told.text
    assert run.intros() == []  # the introductions come later, at 09:00
    (round_,) = app.circles.rounds("c1")
    assert round_.unseparated == ("console:amara", "console:ben")

    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    run.clock.at = at
    reply = await app.rounds.round_now(UserKey.parse(COACH), circle_of(run), at)
    said = "\n".join(getattr(m, "text", "") for m in reply.messages)
    assert "Amara Okafor and Ben Hughes" in said


async def test_met_said_after_the_round_closed_still_breaks_the_run(run: Run) -> None:
    app = run.app
    assert app is not None
    await run.tick(START)
    dev = "console:dev"
    member = app.circles.membership("c1", dev)
    assert member is not None
    await app.circles.put_membership(replace(member, missed_rounds=2))
    await run.tick(datetime(2026, 12, 14, 0, 5, tzinfo=UTC))  # round 1 closes unanswered
    member = app.circles.membership("c1", dev)
    assert member is not None
    assert member.missed_rounds == 3
    await run.press(dev, "svc:circle-checkin:c1:1", "met")  # the old check-in's button
    member = app.circles.membership("c1", dev)
    assert member is not None
    assert member.missed_rounds == 0
    await run.tick(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    assert [s for s in run.notifier.to(dev) if s.delivery.startswith("stay:")] == []
