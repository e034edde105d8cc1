"""One contract, every ScheduleStore backend (memory, TinyDB, PostgreSQL): the same reads,
writes, observers and reconcile, and what one store writes a fresh one loads."""

from datetime import date, time, timedelta

from bot.schedules.store import ScheduleStore
from tests.conftest import AT
from tests.storage.shared_backends import Heard, Stores, kind, reminder, schedule, stores

__all__ = ["kind", "stores"]  # fixtures

ALICE, BOB = "slack:T1:U1", "teams:tenant:bob"


async def loaded(made: Stores) -> ScheduleStore:
    store = made.schedule_store()
    await store.load()
    return store


async def test_a_new_store_is_empty(stores: Stores) -> None:
    store = await loaded(stores)
    assert store.schedules() == []
    assert store.reminders() == []
    assert store.schedule("abc") is None
    assert store.reminder("abc") is None
    assert store.schedules_of(ALICE) == []
    assert store.reminders_of(ALICE) == []


async def test_schedules_are_kept_read_by_leader_and_loaded_again(stores: Stores) -> None:
    store = await loaded(stores)
    late = schedule("late", at=time(17, 0), end_on=date(2027, 1, 31))
    early = schedule("early", at=time(7, 0), created_at=AT + timedelta(days=1))
    bobs = schedule("bobs", BOB, paused=True, paused_reason="unreachable: gone")
    await store.put_schedules(late, early, bobs)
    assert [s.id for s in store.schedules_of(ALICE)] == ["early", "late"]  # by time of day
    assert store.schedules_of(BOB) == [bobs]
    assert store.schedule("late") == late
    again = await loaded(stores)
    assert sorted(again.schedules(), key=lambda s: s.id) == [bobs, early, late]
    assert again.schedule("late") == late
    assert again.schedules_of(ALICE) == [early, late]


async def test_putting_a_schedule_again_replaces_it(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_schedules(schedule("s1"))
    await store.put_schedules(schedule("s1", themes=("influence",), paused=True))
    assert store.schedule("s1") == schedule("s1", themes=("influence",), paused=True)
    assert len(store.schedules_of(ALICE)) == 1
    again = await loaded(stores)
    assert again.schedules() == [schedule("s1", themes=("influence",), paused=True)]


async def test_a_schedule_moved_to_another_leader_leaves_the_first(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_schedules(schedule("s1"))
    await store.put_schedules(schedule("s1", BOB))
    assert store.schedules_of(ALICE) == []
    assert [s.id for s in store.schedules_of(BOB)] == ["s1"]


async def test_putting_nothing_writes_and_tells_nothing(stores: Stores) -> None:
    store = await loaded(stores)
    store.observers.append(heard := Heard())
    await store.put_schedules()
    assert heard.calls == []


async def test_removing_schedules_forgets_only_those_known(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_schedules(schedule("s1"), schedule("s2"), schedule("s3", BOB))
    store.observers.append(heard := Heard())
    await store.remove_schedules("s2", "s1", "nope")
    assert heard.calls == [("removed", ["s1", "s2"])]
    await store.remove_schedules("nope")
    assert heard.calls == [("removed", ["s1", "s2"])]  # nothing known: nothing told
    assert store.schedules_of(ALICE) == []
    assert [s.id for s in (await loaded(stores)).schedules()] == ["s3"]


async def test_reminders_are_kept_read_and_removed(stores: Stores) -> None:
    store = await loaded(stores)
    first = reminder("r1", kind="follow_up", ref="c1", themes=())
    second = reminder("r2", schedule="s1", due_at=AT + timedelta(hours=2))
    await store.put_reminder(first)
    await store.put_reminder(second)
    await store.put_reminder(reminder("r3", BOB))
    assert store.reminder("r1") == first
    assert sorted(r.id for r in store.reminders_of(ALICE)) == ["r1", "r2"]
    assert sorted(r.id for r in (await loaded(stores)).reminders()) == ["r1", "r2", "r3"]
    store.observers.append(heard := Heard())
    await store.remove_reminder("r1")
    await store.remove_reminder("r1")  # already gone: nothing told
    assert heard.calls == [("reminder_removed", "r1")]
    again = await loaded(stores)
    assert again.reminder("r1") is None
    assert again.reminder("r2") == second


async def test_observers_hear_each_write_once(stores: Stores) -> None:
    store = await loaded(stores)
    store.observers.append(heard := Heard())
    await store.put_schedules(schedule("s1"), schedule("s2"))
    await store.put_reminder(reminder("r1"))
    assert heard.calls == [("changed", ["s1", "s2"]), ("reminder", "r1")]


async def test_forgetting_a_leader_removes_all_theirs_and_nothing_else(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_schedules(schedule("a1"), schedule("a2"), schedule("b1", BOB))
    await store.put_reminder(reminder("ra"))
    await store.put_reminder(reminder("rb", BOB))
    store.observers.append(heard := Heard())
    await store.forget_user(ALICE)
    assert heard.calls == [("removed", ["a1", "a2"]), ("reminder_removed", "ra")]
    await store.forget_user(ALICE)  # nothing left: nothing told
    assert len(heard.calls) == 2
    for each in (store, await loaded(stores)):
        assert each.schedules_of(ALICE) == []
        assert each.reminders_of(ALICE) == []
        assert [s.id for s in each.schedules()] == ["b1"]
        assert [r.id for r in each.reminders()] == ["rb"]


async def test_an_unused_id_is_not_taken(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_schedules(schedule("s1"))
    chosen = {store.unused_id() for _ in range(50)}
    assert "s1" not in chosen
    assert all(len(i) == 6 and i.isalnum() for i in chosen)


async def test_reconcile_reports_what_another_store_wrote(stores: Stores) -> None:
    first, second = await loaded(stores), await loaded(stores)
    await first.put_schedules(schedule("s1"), schedule("s2"))
    await first.put_reminder(reminder("r1"))
    second.observers.append(heard := Heard())
    await second.reconcile()
    assert heard.calls == [("changed", ["s1", "s2"]), ("reminder", "r1")]
    await second.reconcile()
    assert len(heard.calls) == 2  # nothing new: nothing told
    await first.remove_schedules("s1")
    await first.put_schedules(schedule("s2", paused=True))
    await first.remove_reminder("r1")
    await second.reconcile()
    assert heard.calls[2:] == [
        ("changed", ["s2"]),
        ("removed", ["s1"]),
        ("reminder_removed", "r1"),
    ]
    assert second.schedules() == [schedule("s2", paused=True)]
    assert second.reminders() == []


async def test_the_backend_reads_one_row_as_stored(stores: Stores) -> None:
    store = await loaded(stores)
    await store.put_schedules(schedule("s1"))
    await store.put_reminder(reminder("r1"))
    assert await store.backend.read_schedule("s1") == schedule("s1")
    assert await store.backend.read_schedule("s2") is None
    assert await store.backend.read_reminder("r1") == reminder("r1")
    assert await store.backend.read_reminder("r2") is None
