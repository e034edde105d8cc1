"""The embedded delivery ledger: an append-only JSON-lines file in the data folder.

A key is written as `pending` before the send and `sent` (or `skipped`, `failed`,
`deferred`) after it; each line is fsynced before the caller goes on. Lines from concurrent
deliveries share one write and one fsync (group commit), so a fan-out of thousands costs a
handful of fsyncs, not thousands. A line cut short by a crash is ignored on replay: its
writer never went on to send. Appends are made under the data folder's snapshot lock (the
fsync after it), so a backup holds whole lines only. One process writes the folder, so a
claim is decided in memory and made durable like any other line.
"""

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.domain import UserKey
from bot.errors import CorruptDataError, DataDirError
from bot.logs import log
from bot.schedules.keys import current_form, is_current
from bot.schedules.ledger import STATUSES, Entry, IndexedReads, LedgerIndex
from bot.storage.atomic import write_atomically
from bot.storage.private import open_private, private_folder
from bot.storage.snapshot_lock import visible_change

logger = logging.getLogger("peercoach.ledger")


class FileDeliveryLedger(IndexedReads):
    def __init__(self, path: Path) -> None:
        """`path` lies directly in the data folder, whose snapshot lock the appends take."""
        self.path = path
        self.owner = uuid.uuid4().hex
        self.last_tick: datetime | None = None
        self.torn_lines = 0
        self._index = LedgerIndex()
        self._buffer: list[str] = []
        self._batch: asyncio.Future[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._handle: Any = None
        self._io = asyncio.Lock()  # one writer of the file at a time: appends or a rewrite

    @property
    def _entries(self) -> dict[str, Entry]:
        return self._index.entries

    async def open(self) -> None:
        """Replay the file into memory."""
        private_folder(self.path.parent)
        await asyncio.to_thread(self._replay)

    def _replay(self) -> None:
        self._index.clear()
        whole = 0  # bytes up to the end of the last complete line
        if self.path.exists():
            with self.path.open("rb") as handle:
                for number, raw in enumerate(handle, 1):
                    if not raw.endswith(b"\n"):
                        break  # cut short by a crash or a full disk: see below
                    self._apply_line(raw, number)
                    whole += len(raw)
            if whole < self.path.stat().st_size:
                # Its writer was never told it was written; left there, the next line
                # appended would be glued to it and lost on the next replay.
                self.torn_lines += 1
                os.truncate(self.path, whole)
        if self._handle is None:
            self._handle = open_private(self.path)

    def _apply_line(self, raw: bytes, number: int) -> None:
        try:
            item = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            self.torn_lines += 1  # cut short by a crash; its writer never continued
            return
        # A line that parses but is not one of ours was not torn by a crash: like a corrupt
        # file it is named and left alone (a compaction would drop it silently).
        try:
            if isinstance(item, dict) and item.get("t") == "tick":
                self.last_tick = _instant(item["at"])
                return
            self._index.remember(_entry_from(item))
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptDataError(
                self.path, f"line {number} is not a delivery record ({_why(exc)})"
            ) from exc

    # ---------------------------------------------------------------- queries

    async def export_of(self, user: str) -> dict[str, Any]:
        """`export`: the leader's recent deliveries (the ledger keeps RETAIN's worth)."""
        return self._index.export_of(user)

    # ---------------------------------------------------------------- writes

    async def claim(self, entry: Entry, *, resume: bool = False) -> bool:
        if not self._index.claimable(entry, self.owner, resume=resume):
            return False
        held = self._index.entries.get(entry.key)
        if held is not None and held.status == "pending" and held.owner == self.owner:
            return True  # already this ledger's, on disk: a retry writes nothing again
        await self._append(_line_of(self._index.claimed(entry, self.owner)))
        return True

    async def record(self, entry: Entry) -> None:
        self._index.remember(entry)
        await self._append(_line_of(entry))

    def entries(self) -> list[Entry]:
        return list(self._index.entries.values())

    async def put_entries(self, entries: Iterable[Entry]) -> None:
        """One line per entry, as it is (a replay reads the last line of a key)."""
        lines = []
        for entry in entries:
            self._index.put(entry)
            lines.append(_line_of(entry))
        if lines:
            await self._append("\n".join(lines))

    async def tick(self, at: datetime) -> None:
        self.last_tick = at
        await self._append(json.dumps({"t": "tick", "at": at.isoformat()}))

    async def _append(self, line: str) -> None:
        if self._batch is None:
            self._batch = asyncio.get_running_loop().create_future()
        batch = self._batch
        self._buffer.append(line)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        try:
            await asyncio.shield(batch)
        except OSError as error:
            raise DataDirError(error) from error

    async def _flush(self) -> None:
        while self._buffer:
            async with self._io:  # never beside a compaction's rewrite of the file
                lines, batch = self._buffer, self._batch
                self._buffer, self._batch = [], None
                try:
                    await asyncio.to_thread(self._write_lines, lines)
                except OSError as exc:
                    if batch is not None and not batch.done():
                        batch.set_exception(exc)
                    continue
            if batch is not None and not batch.done():
                batch.set_result(None)

    def _write_lines(self, lines: list[str]) -> None:
        with visible_change(self.path.parent):
            self._handle.write(("\n".join(lines) + "\n").encode("utf-8"))
            self._handle.flush()
        os.fsync(self._handle.fileno())

    async def compact(self, now: datetime) -> int:
        """Rewrite the file with only recent entries; returns how many were dropped."""
        old = self._index.old(now)
        self._index.drop(old)
        async with self._io:  # records arriving meanwhile wait, then go to the new file
            lines = [_line_of(e) for e in self._entries.values()]  # what is recorded so far
            if self.last_tick:
                lines.append(json.dumps({"t": "tick", "at": self.last_tick.isoformat()}))
            await asyncio.to_thread(self._rewrite, lines)
        log(logger, "ledger.compacted", dropped=len(old), kept=len(self._entries))
        return len(old)

    def _rewrite(self, lines: list[str]) -> None:
        self._handle.close()
        data = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
        write_atomically(self.path, data, data_dir=self.path.parent)
        self._handle = open_private(self.path)

    async def _drain(self) -> None:
        while self._flusher is not None and not self._flusher.done():
            with contextlib.suppress(OSError):
                await self._flusher

    async def close(self) -> None:
        await self._drain()
        if self._handle is not None:
            await asyncio.to_thread(self._handle.close)
            self._handle = None


def _line_of(entry: Entry) -> str:
    item: dict[str, Any] = {"k": entry.key, "s": entry.status, "at": entry.at.isoformat()}
    for name, value in (
        ("u", entry.user),
        ("sch", entry.schedule),
        ("r", entry.reason),
        ("was", entry.written_as),
        ("o", entry.owner),
    ):
        if value is not None:
            item[name] = value
    if entry.local_date is not None:
        item["d"] = entry.local_date.isoformat()
    if entry.due_at is not None:
        item["due"] = entry.due_at.isoformat()
    return json.dumps(item, separators=(",", ":"))


def _entry_from(item: Any) -> Entry:
    """KeyError, TypeError or ValueError unless `item` is a line `_line_of` wrote, by this
    release or an older one: an older key, which named no leader, is read in today's form
    (with the leader on its line), so a delivery recorded then is the same delivery now."""
    if not isinstance(item, dict):
        raise TypeError(f"a JSON {type(item).__name__}, not an object")
    if item["s"] not in STATUSES:
        raise ValueError(f"unknown status {item['s']!r}")
    for name in ("k", "u", "sch", "r", "was", "o"):
        if name in item and not isinstance(item[name], str):
            raise TypeError(f"{name!r} is not a string")
    key, written_as = item["k"], item.get("was")
    if not is_current(key) and item.get("u"):
        with contextlib.suppress(ValueError):  # no user key: the line stays as it was
            key, written_as = current_form(key, UserKey.parse(item["u"])), key
    return Entry(
        key=key,
        status=item["s"],
        at=_instant(item["at"]),
        user=item.get("u"),
        schedule=item.get("sch"),
        local_date=date.fromisoformat(item["d"]) if item.get("d") else None,
        due_at=_instant(item["due"]) if item.get("due") else None,
        reason=item.get("r"),
        written_as=written_as if written_as != key else None,
        owner=item.get("o"),
    )


def _instant(text: Any) -> datetime:
    if not isinstance(text, str):
        raise TypeError("a time is not a string")
    found = datetime.fromisoformat(text)
    if found.tzinfo is None:
        raise ValueError("a time has no time zone")
    return found


def _why(exc: Exception) -> str:
    return f"no {exc}" if isinstance(exc, KeyError) else str(exc)
