"""A small TinyDB file shared by all leaders (schedules, coaching links): read into memory
once, every change written through atomically, one change at a time, off the event loop."""

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from tinydb import Query, TinyDB
from tinydb.middlewares import CachingMiddleware

from bot.errors import CorruptDataError, DataDirError
from bot.storage.atomic import AtomicJSONStorage, remove_stale_temp_files
from bot.storage.private import private_folder


class SharedFile:
    def __init__(self, path: Path) -> None:
        """`path` lies directly in the data folder, whose snapshot lock its writes take."""
        self.path = path
        private_folder(path.parent)
        self._storage = partial(AtomicJSONStorage, data_dir=path.parent)
        # Only this file's: `peercoach admin` may be writing another one in this folder.
        remove_stale_temp_files(path.parent, path.name)
        self._lock = asyncio.Lock()

    async def read[Item](self, table: str, adapter: TypeAdapter[Item]) -> list[Item]:
        """Every row of a table, validated."""
        return await asyncio.to_thread(self._read, table, adapter)

    def _read[Item](self, table: str, adapter: TypeAdapter[Item]) -> list[Item]:
        db = TinyDB(self.path, storage=self._storage)
        rows = []
        for row in db.table(table):
            try:
                rows.append(adapter.validate_python(row))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "the document"
                raise CorruptDataError(
                    self.path, f"document {row.doc_id} of table {table!r}: {where}: {first['msg']}"
                ) from exc
        return rows

    async def write(self, change: Callable[[TinyDB], Any]) -> None:
        """Apply a change to the file; one atomic write for the whole change."""
        async with self._lock:
            try:
                await asyncio.to_thread(self._write, change)
            except OSError as error:
                raise DataDirError(error) from error

    def _write(self, change: Callable[[TinyDB], Any]) -> None:
        middleware = CachingMiddleware(self._storage)  # type: ignore[no-untyped-call]  # unannotated in tinydb
        db = TinyDB(self.path, storage=middleware)
        change(db)
        db.close()


def upsert[Item](
    db: TinyDB, table: str, items: Iterable[Item], adapter: TypeAdapter[Item], key: str = "id"
) -> None:
    """Insert or replace rows by `key`; many items cost one scan."""
    rows = db.table(table)
    documents = [adapter.dump_python(item, mode="json") for item in items]
    rows.remove(Query()[key].one_of({d[key] for d in documents}))
    rows.insert_multiple(documents)


def remove(db: TinyDB, table: str, values: Iterable[str], key: str = "id") -> None:
    db.table(table).remove(Query()[key].one_of(set(values)))
