"""One contract, every CircleStore backend (memory, TinyDB, PostgreSQL): circles,
memberships, rounds and check-ins are written, read back by a fresh store, forgotten, and
reconciled; on PostgreSQL a second instance hears the first one's writes."""

import asyncio
from dataclasses import replace
from datetime import date, timedelta

from bot.circles.model import CheckIn, Circle, Group, Membership, Round
from bot.circles.store import CircleStore
from tests.conftest import AT
from tests.postgres_server import PostgresServer
from tests.storage.shared_backends import Stores, kind, stores

__all__ = ["kind", "stores"]  # fixtures

COACH, OTHER = "slack:T1:UCOACH", "slack:T1:UOTHER"
ALEX, SAM, JO = "slack:T1:UALEX", "slack:T1:USAM", "slack:T1:UJO"
LATER = AT + timedelta(hours=1)


async def loaded(made: Stores) -> CircleStore:
    store = made.circle_store()
    await store.load()
    return store


def circle(circle_id: str = "c00a01", coach: str = COACH, **changes: object) -> Circle:
    made = Circle(
        id=circle_id,
        coach=coach,
        name="North ICS leads",
        format="pairs",
        every_weeks=2,
        day=1,
        starts=date(2026, 12, 1),
        status="active",
        created_at=AT,
        updated_at=AT,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def member(leader: str, circle_id: str = "c00a01", **changes: object) -> Membership:
    return replace(Membership(circle_id, leader, "invited", AT), **changes)  # type: ignore[arg-type]


def round_(number: int, circle_id: str = "c00a01", **changes: object) -> Round:
    made = Round(
        circle_id=circle_id,
        number=number,
        starts=date(2026, 12, 1),
        ends=date(2026, 12, 14),
        status="running",
        groups=(Group((ALEX, SAM)), Group((JO, OTHER, COACH), facilitator=JO)),
        started_at=AT,
        unseparated=(JO,),
    )
    return replace(made, **changes)  # type: ignore[arg-type]


async def test_a_new_store_is_empty(stores: Stores) -> None:
    store = await loaded(stores)
    assert store.circles() == []
    assert store.circle("c00a01") is None
    assert store.circles_of_coach(COACH) == []
    assert store.membership("c00a01", ALEX) is None
    assert store.members("c00a01") == []
    assert store.memberships_of(ALEX) == []
    assert store.rounds("c00a01") == []
    assert store.round("c00a01", 1) is None
    assert store.check_ins("c00a01", 1) == []


async def test_new_ids_are_short_and_different(stores: Stores) -> None:
    store = await loaded(stores)
    ids = {store.new_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(i.startswith("c") and len(i) == 7 for i in ids)


async def test_circles_are_kept_in_order_and_by_coach(stores: Stores) -> None:
    store = await loaded(stores)
    later = circle("c00b02", OTHER, created_at=LATER, format="sets", day=None)
    first = circle("c00a01")
    await store.put_circle(later)
    await store.put_circle(first)
    paused = replace(first, status="paused", updated_at=LATER)
    await store.put_circle(paused)  # replaced by id
    for each in (store, await loaded(stores)):
        assert each.circles() == [paused, later]
        assert each.circle("c00b02") == later
        assert each.circles_of_coach(COACH) == [paused]
        assert each.circles_of_coach(OTHER) == [later]


async def test_memberships_by_status_circle_and_leader(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_circle(circle())
    await store.put_circle(circle("c00b02", created_at=LATER))
    alex = member(ALEX, status="joined", answered_at=LATER)
    sam = member(SAM, invited_at=LATER)
    jo = member(JO, status="declined", answered_at=LATER)
    elsewhere = member(ALEX, "c00b02", status="joined", invited_at=LATER, skip_next=True)
    for each in (sam, alex, jo, elsewhere):
        await store.put_membership(each)
    skipped = replace(alex, skip_next=True, missed_rounds=2, stay_asked_at=LATER)
    await store.put_membership(skipped)  # replaced by (circle, leader)
    for each in (store, await loaded(stores)):
        assert each.membership("c00a01", ALEX) == skipped
        assert each.membership("c00a01", OTHER) is None
        assert each.members("c00a01") == [skipped]  # joined, by default
        assert each.members("c00a01", "invited", "declined") == [jo, sam]  # by invitation
        assert each.members("c00a01", "left") == []
        assert each.memberships_of(ALEX) == [skipped, elsewhere]
        assert each.memberships_of(SAM, "invited") == [sam]
        assert each.memberships_of(SAM) == []


async def test_rounds_and_check_ins(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_circle(circle())
    second = round_(2, starts=date(2026, 12, 15), ends=date(2026, 12, 28), now=True)
    first = round_(1)
    await store.put_round(second)
    await store.put_round(first)
    closed = replace(first, status="closed")
    await store.put_round(closed)  # replaced by (circle, number)
    met = CheckIn("c00a01", 1, ALEX, "met", LATER)
    moved = CheckIn("c00a01", 1, SAM, "rescheduled", AT)
    await store.put_check_in(met)
    await store.put_check_in(moved)
    await store.put_check_in(CheckIn("c00a01", 2, ALEX, "met", AT))
    changed = replace(moved, answer="not_this_round", at=LATER + timedelta(minutes=1))
    await store.put_check_in(changed)  # replaced by (circle, round, leader)
    for each in (store, await loaded(stores)):
        assert each.rounds("c00a01") == [closed, second]
        assert each.round("c00a01", 2) == second
        assert each.round("c00a01", 2).groups[1].facilitator == JO  # type: ignore[union-attr]
        assert each.round("c00a01", 3) is None
        assert each.rounds("c00b02") == []
        assert each.check_ins("c00a01", 1) == [met, changed]  # in the order answered
        assert [c.leader for c in each.check_ins("c00a01", 2)] == [ALEX]


async def test_forgetting_a_leader_and_a_coach(stores: Stores) -> None:
    store = await loaded(stores)
    mine, theirs = circle(), circle("c00b02", ALEX, created_at=LATER)
    await store.put_circle(mine)
    await store.put_circle(theirs)
    await store.put_membership(member(ALEX, status="joined"))
    kept = member(SAM, status="joined")
    await store.put_membership(kept)
    await store.put_membership(member(SAM, "c00b02", status="joined"))
    await store.put_round(round_(1))
    await store.put_check_in(CheckIn("c00a01", 1, ALEX, "met", AT))
    sam_said = CheckIn("c00a01", 1, SAM, "met", AT)
    await store.put_check_in(sam_said)
    await store.forget(ALEX)
    await store.forget(ALEX)  # again: nothing more to do
    for each in (store, await loaded(stores)):
        assert each.memberships_of(ALEX, "invited", "joined", "declined", "left") == []
        assert each.members("c00a01") == [kept]
        assert each.check_ins("c00a01", 1) == [sam_said]
        groups = each.round("c00a01", 1).groups  # type: ignore[union-attr]
        assert groups == (Group((SAM,)), Group((JO, OTHER, COACH), facilitator=JO))
        assert each.circle("c00a01") == mine
        assert each.circle("c00b02") == replace(theirs, status="ended")  # Alex coached it
        assert [m.leader for m in each.members("c00b02")] == [SAM]  # kept for its members
    await store.forget(JO)
    groups = (await loaded(stores)).round("c00a01", 1).groups  # type: ignore[union-attr]
    assert groups[1] == Group((OTHER, COACH), facilitator=None)


async def test_reconcile_takes_what_another_store_wrote(stores: Stores) -> None:
    first, second = await loaded(stores), await loaded(stores)
    await first.put_circle(circle())
    await first.put_membership(member(ALEX))
    await first.put_round(round_(1))
    await first.put_check_in(CheckIn("c00a01", 1, SAM, "met", AT))
    await second.reconcile()
    assert second.circle("c00a01") == circle()
    assert second.membership("c00a01", ALEX) == member(ALEX)
    assert second.round("c00a01", 1) == round_(1)
    assert len(second.check_ins("c00a01", 1)) == 1
    await first.forget(ALEX)
    await second.reconcile()
    assert second.membership("c00a01", ALEX) is None


async def test_on_a_shared_database_another_instance_hears_a_write(
    stores: Stores, kind: tuple[str, PostgresServer | None]
) -> None:
    """Memory and TinyDB have one writer, so nothing to hear; PostgreSQL's NOTIFY is
    followed (and a change to another shared table is not taken for a circle's)."""
    first, second = await loaded(stores), await loaded(stores)
    await first.start_listening()
    await second.start_listening()
    await first.put_circle(circle())
    if kind[0] != "postgres":
        assert second.circle("c00a01") is None
        return
    for _ in range(200):  # at most 10 s
        if second.circle("c00a01") is not None:
            break
        await asyncio.sleep(0.05)
    assert second.circle("c00a01") == circle()
    await first.put_membership(member(ALEX, status="joined"))
    for _ in range(200):
        if second.members("c00a01"):
            break
        await asyncio.sleep(0.05)
    assert second.members("c00a01") == [member(ALEX, status="joined")]
