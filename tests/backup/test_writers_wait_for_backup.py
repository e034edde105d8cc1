"""While a backup holds the data folder's snapshot lock, no writer makes a change visible;
each change lands as soon as the lock is released. One case per writer of the data folder."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.coaching.store import CoachingStore
from bot.domain import UserKey
from bot.schedules.ledger import Entry
from bot.schedules.store import ScheduleStore
from bot.storage.atomic import write_atomically
from bot.storage.snapshot_lock import frozen
from bot.storage.tinydb.coaching import TinyDBCoachingBackend
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import Profile, UserState
from tests.backup.writer_process import marker

ALICE = UserKey.console("alice")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
Write = Callable[[], Awaitable[object]]
Case = Callable[[Path], AbstractAsyncContextManager[tuple[Path, Write]]]


@asynccontextmanager
async def user_save(data: Path) -> AsyncIterator[tuple[Path, Write]]:
    store = TinyDBUserStore(data)
    await store.save(ALICE, UserState(), expected_version=0)
    new = UserState(profile=Profile(display_name="changed"))
    yield store.path_for(ALICE), lambda: store.save(ALICE, new, expected_version=1)
    store.close()


@asynccontextmanager
async def user_delete(data: Path) -> AsyncIterator[tuple[Path, Write]]:
    store = TinyDBUserStore(data)
    await store.save(ALICE, UserState(), expected_version=0)
    yield store.path_for(ALICE), lambda: store.delete(ALICE)
    store.close()


@asynccontextmanager
async def schedules(data: Path) -> AsyncIterator[tuple[Path, Write]]:
    store = ScheduleStore(TinyDBScheduleBackend(data))
    await store.load()
    yield data / "schedules.json", lambda: store.put_schedules(marker(1))


@asynccontextmanager
async def coaching(data: Path) -> AsyncIterator[tuple[Path, Write]]:
    store = CoachingStore(TinyDBCoachingBackend(data))
    await store.load()
    yield data / "coaching.json", lambda: store.grant("console:coach", "test", NOW)


@asynccontextmanager
async def ledger_append(data: Path) -> AsyncIterator[tuple[Path, Write]]:
    ledger = FileDeliveryLedger(data / "deliveries.log")
    await ledger.open()
    yield ledger.path, lambda: ledger.record(Entry("k1", "sent", NOW))
    await ledger.close()


@asynccontextmanager
async def ledger_compaction(data: Path) -> AsyncIterator[tuple[Path, Write]]:
    ledger = FileDeliveryLedger(data / "deliveries.log")
    await ledger.open()
    await ledger.record(Entry("old", "sent", NOW - timedelta(days=30)))
    yield ledger.path, lambda: ledger.compact(NOW)
    await ledger.close()


@asynccontextmanager
async def console_export(data: Path) -> AsyncIterator[tuple[Path, Write]]:
    path = data / "exports" / "alice-export.json"
    path.parent.mkdir(parents=True)
    yield path, lambda: asyncio.to_thread(write_atomically, path, b"{}", data_dir=data)


def seen(path: Path) -> tuple[int, bytes] | None:
    try:
        return path.stat().st_ino, path.read_bytes()
    except FileNotFoundError:
        return None


@pytest.mark.parametrize(
    "case",
    [
        user_save,
        user_delete,
        schedules,
        coaching,
        ledger_append,
        ledger_compaction,
        console_export,
    ],
)
async def test_a_write_waits_while_a_backup_copies_and_lands_after(
    tmp_path: Path, case: Case
) -> None:
    async with case(tmp_path) as (watched, write):
        before = seen(watched)
        with frozen(tmp_path, wait=5):
            task = asyncio.ensure_future(write())
            await asyncio.sleep(0.3)
            assert seen(watched) == before  # nothing visible while the backup copies
            assert not task.done()
        await asyncio.wait_for(task, timeout=10)
        assert seen(watched) != before
