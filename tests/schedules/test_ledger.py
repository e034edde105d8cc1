"""The delivery ledger's own promises: what was recorded survives a compaction running at the
same time, and a reopened ledger knows it."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.schedules.ledger import Entry
from bot.storage.tinydb.ledger import FileDeliveryLedger

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def test_records_made_during_a_compaction_are_neither_lost_nor_stuck(
    tmp_path: Path,
) -> None:
    ledger = FileDeliveryLedger(tmp_path / "deliveries.log")
    await ledger.open()
    old = [Entry(f"old{i}", "sent", NOW - timedelta(days=5)) for i in range(200)]
    await asyncio.gather(*(ledger.record(e) for e in old))
    fresh = [Entry(f"new{i}", "sent", NOW) for i in range(300)]

    async def keep_recording() -> None:
        for i in range(0, len(fresh), 10):
            await asyncio.gather(*(ledger.record(e) for e in fresh[i : i + 10]))

    async with asyncio.timeout(20):  # a record stuck behind the rewrite would hang here
        dropped, _ = await asyncio.gather(ledger.compact(NOW), keep_recording())
    await ledger.close()
    assert dropped == 200
    reopened = FileDeliveryLedger(tmp_path / "deliveries.log")
    await reopened.open()
    assert all(reopened.status(e.key) == "sent" for e in fresh)
    assert reopened.status("old0") is None
    await reopened.close()
