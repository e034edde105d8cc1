"""bot/storage/transfer.py between any stores: here from a folder the real app wrote into
memory stores and on into others. What a copy checks, what it refuses, and that a second copy
writes nothing."""

from dataclasses import replace
from pathlib import Path

import pytest

from bot.circles.model import CheckIn
from bot.domain import UserKey
from bot.ports import StoredLeader
from bot.storage.memory.circles import InMemoryCircleBackend
from bot.storage.memory.coaching import InMemoryCoachingBackend
from bot.storage.memory.ledger import InMemoryDeliveryLedger
from bot.storage.memory.schedules import InMemoryScheduleBackend
from bot.storage.memory.users import InMemoryUserStore
from bot.storage.tinydb.circles import TinyDBCircleBackend
from bot.storage.tinydb.coaching import TinyDBCoachingBackend
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from bot.storage.transfer import Stores, TransferError, copy, foreign, verify
from tests.conftest import AT
from tests.storage.test_circle_store_contract import ALEX, circle, member, round_
from tests.storage.test_db_transfer import SEALER, made

__all__ = ["made"]  # the module fixture: a folder the real app wrote


def memory() -> Stores:
    return Stores(
        InMemoryUserStore(),
        InMemoryScheduleBackend(),
        InMemoryCoachingBackend(),
        InMemoryDeliveryLedger(),
        InMemoryCircleBackend(),
    )


@pytest.fixture
async def folder(made: Path) -> Stores:
    ledger = FileDeliveryLedger(made / "deliveries.log")
    await ledger.open()
    yield Stores(  # type: ignore[misc]
        TinyDBUserStore(made, SEALER),
        TinyDBScheduleBackend(made),
        TinyDBCoachingBackend(made),
        ledger,
        TinyDBCircleBackend(made),
    )
    await ledger.close()


async def test_a_copy_holds_all_and_a_second_writes_nothing(folder: Stores) -> None:
    first, second = memory(), memory()
    assert await foreign(folder, first) is None
    written = await copy(folder, first)
    report = await verify(folder, first)
    assert written == sum(report.source.values()) - report.source["leader extras"]
    assert report.source == report.target
    assert report.sampled == report.source["leaders"] == 4
    assert await copy(folder, first) == 0
    await copy(first, second)  # on again, memory to memory
    assert (await verify(first, second, sample=2)).sampled == 2


async def test_what_the_target_holds_beyond_the_source_is_named(folder: Stores) -> None:
    target = memory()
    await copy(folder, target)
    stranger = UserKey.parse("console:zoe")
    await target.users.restore(StoredLeader(stranger, None, {"teams": {"id": "z"}}))
    leaders = [x async for x in folder.users.dump_all() if x.state is not None]
    leader = leaders[0]
    assert leader.state is not None
    newer = replace(leader.state, version=leader.state.version + 5)
    await target.users.restore(StoredLeader(leader.key, newer, leader.extras))
    entry = folder.ledger.entries()[0]
    await target.ledger.put_entries([replace(entry, key=entry.key + "-other")])
    assert await foreign(folder, target) == ("1 leader, 1 leader with a newer state, 1 delivery")


async def test_a_copy_that_came_out_different_is_caught(folder: Stores) -> None:
    target = memory()
    await copy(folder, target)
    entry = folder.ledger.entries()[0]
    await target.ledger.put_entries([replace(entry, reason="changed")])
    with pytest.raises(TransferError, match="ledger entries differ"):
        await verify(folder, target)
    schedules, _ = await folder.schedules.load()
    await target.schedules.put_schedules([replace(schedules[0], paused=not schedules[0].paused)])
    with pytest.raises(TransferError, match="schedules or reminders differ"):
        await verify(folder, target)


async def test_circles_are_copied_checked_and_named_when_stray(folder: Stores) -> None:
    source, target = memory(), memory()
    await copy(folder, source)
    made = circle()
    await source.circles.put_circle(made)
    await source.circles.put_membership(member(ALEX, status="joined"))
    await source.circles.put_round(round_(1))
    await source.circles.put_check_in(CheckIn(made.id, 1, ALEX, "met", AT))
    assert await copy(source, target) > 4
    report = await verify(source, target)
    assert (report.target["circles"], report.target["circle check-ins"]) == (1, 1)
    assert await copy(source, target) == 0
    await target.circles.put_round(replace(round_(1), status="closed"))
    with pytest.raises(TransferError, match="circles, members, rounds or check-ins differ"):
        await verify(source, target)
    await target.circles.put_circle(circle("c00b02"))
    assert await foreign(source, target) == "1 circle"
