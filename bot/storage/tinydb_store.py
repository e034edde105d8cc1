"""TinyDB storage with one small file per leader, written atomically.

One file per leader keeps the cost of a write flat however many leaders there are (a shared
TinyDB file rewrites everything on every change). Each save is a single atomic write: the
tables are changed in TinyDB's write cache and flushed once.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.table import Document

from bot.domain import UserKey
from bot.errors import CorruptDataError, StaleStateError
from bot.storage.atomic import AtomicJSONStorage, remove_stale_temp_files
from bot.storage.codec import LIST_SECTIONS, SchemaError, from_sections, to_sections
from dialogs.model import UserState

SINGLE = 1  # the doc id of one-document tables
EXTRA = "extra"


class TinyDBUserStore:
    """UserStore over `<data dir>/users/<hashed key>.json`; blocking work runs in a thread."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "users"
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.folder)

    def path_for(self, key: UserKey) -> Path:
        return self.folder / f"{key.hashed}.json"

    async def load(self, key: UserKey) -> UserState | None:
        return await asyncio.to_thread(self._load, key)

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        return await asyncio.to_thread(self._save, key, state, expected_version)

    async def delete(self, key: UserKey) -> bool:
        return await asyncio.to_thread(self._delete, key)

    async def load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        return await asyncio.to_thread(self._load_extra, key, name)

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        await asyncio.to_thread(self._save_extra, key, name, value)

    @contextmanager
    def _open(self, key: UserKey) -> Iterator[TinyDB]:
        """The leader's file with every change held in memory and written once at the end."""
        path = self.path_for(key)
        middleware = CachingMiddleware(AtomicJSONStorage)  # type: ignore[no-untyped-call]  # unannotated in tinydb
        db = TinyDB(path, storage=middleware)
        stored_key = (_single(db, "meta") or {}).get("key")
        if stored_key not in (None, str(key)):
            raise CorruptDataError(path, "the file belongs to a different user key")
        yield db  # on an exception we never reach close(): a half-made change is not written
        db.close()  # writes once, and only if a table changed

    def _load(self, key: UserKey) -> UserState | None:
        path = self.path_for(key)
        if not path.exists():
            return None
        with self._open(key) as db:
            sections: dict[str, Any] = {name: db.table(name).all() for name in LIST_SECTIONS}
            sections["meta"] = _single(db, "meta")
            sections["state"] = _single(db, "state")
        if sections["state"] is None:
            return None
        try:
            return from_sections(sections)
        except SchemaError as exc:
            raise CorruptDataError(path, str(exc)) from exc

    def _save(self, key: UserKey, state: UserState, expected_version: int) -> UserState:
        saved = replace(state, version=expected_version + 1)
        with self._open(key) as db:
            current = _single(db, "state")
            version = current["version"] if current else 0
            if version != expected_version:
                raise StaleStateError(
                    f"state of {key.hashed} is at version {version}, not {expected_version}"
                )
            sections = to_sections(str(key), saved)
            for name in ("meta", "state"):
                db.table(name).upsert(Document(sections[name], doc_id=SINGLE))
            for name in LIST_SECTIONS:
                table = db.table(name)
                table.truncate()
                table.insert_multiple(sections[name])
        return saved

    def _delete(self, key: UserKey) -> bool:
        try:
            self.path_for(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def _load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        if not self.path_for(key).exists():
            return None
        with self._open(key) as db:
            found = db.table(EXTRA).get(doc_id=_extra_id(db, name))
        return dict(found["value"]) if isinstance(found, dict) else None

    def _save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        with self._open(key) as db:
            if _single(db, "meta") is None:
                db.table("meta").upsert(Document({"schema": 1, "key": str(key)}, doc_id=SINGLE))
            db.table(EXTRA).upsert(
                Document({"name": name, "value": value}, doc_id=_extra_id(db, name))
            )


def _single(db: TinyDB, table: str) -> dict[str, Any] | None:
    """The one document of a one-document table."""
    found = db.table(table).get(doc_id=SINGLE)
    return dict(found) if isinstance(found, dict) else None


def _extra_id(db: TinyDB, name: str) -> int:
    """A stable doc id per extra name within one file."""
    for doc in db.table(EXTRA).all():
        if doc.get("name") == name:
            return int(doc.doc_id)
    return len(db.table(EXTRA)) + 1
