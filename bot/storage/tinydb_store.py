"""TinyDB storage with one small file per leader, written atomically and durably.

One file per leader keeps the cost of a write flat however many leaders there are (a shared
TinyDB file rewrites everything on every change). Each transaction is TinyDB tables changed
in its write cache and flushed once into a staged file; a GroupCommitter makes a whole batch
of such files durable with one sync, then renames them into place.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage
from tinydb.table import Document

from bot.domain import UserKey
from bot.errors import CorruptDataError, StaleStateError
from bot.ports import Change
from bot.storage.atomic import decode_json, encode_json, remove_stale_temp_files
from bot.storage.codec import LIST_SECTIONS, SchemaError, from_sections, to_sections
from bot.storage.group_commit import Batch, GroupCommitter
from dialogs.model import UserState

SINGLE = 1  # the doc id of one-document tables
EXTRA = "extra"


class StagedJSONStorage(Storage):
    """A TinyDB storage whose writes join the current batch instead of hitting the disk."""

    def __init__(self, path: Path, *, batch: Batch) -> None:
        self.path = path
        self.batch = batch

    def read(self) -> dict[str, dict[str, Any]] | None:
        data = decode_json(self.path, self.batch.read(self.path))
        if data is not None and not isinstance(data, dict):
            raise CorruptDataError(self.path, "the top level is not a JSON object")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.batch.stage(self.path, encode_json(data))

    def close(self) -> None:
        """Nothing stays open."""


class TinyDBUserStore:
    """UserStore over `<data dir>/users/<hashed key>.json`; blocking work runs on one
    storage thread, in group-committed batches."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "users"
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.folder)
        self.committer = GroupCommitter(data_dir)

    def path_for(self, key: UserKey) -> Path:
        return self.folder / f"{key.hashed}.json"

    def close(self) -> None:
        self.committer.close()

    async def load(self, key: UserKey) -> UserState | None:
        result: UserState | None = await self.committer.run(partial(self._load, key))
        return result

    async def transact[T](
        self, key: UserKey, decide: Callable[[UserState | None], tuple[Change, T]]
    ) -> tuple[UserState | None, T]:
        result: tuple[UserState | None, T] = await self.committer.run(
            partial(self._transact, key, decide)
        )
        return result

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        result: UserState = await self.committer.run(
            partial(self._save, key, state, expected_version)
        )
        return result

    async def delete(self, key: UserKey) -> bool:
        result: bool = await self.committer.run(lambda batch: batch.remove(self.path_for(key)))
        return result

    async def load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = await self.committer.run(
            partial(self._load_extra, key, name)
        )
        return result

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        await self.committer.run(partial(self._save_extra, key, name, value))

    # ---------------------------------------------------------------- on the storage thread

    @contextmanager
    def _open(self, key: UserKey, batch: Batch) -> Iterator[TinyDB]:
        """The leader's file, every change held in TinyDB's cache and staged once at the end."""
        path = self.path_for(key)
        middleware = CachingMiddleware(partial(StagedJSONStorage, batch=batch))  # type: ignore[no-untyped-call]  # unannotated in tinydb
        db = TinyDB(path, storage=middleware)
        stored_key = (_single(db, "meta") or {}).get("key")
        if stored_key not in (None, str(key)):
            raise CorruptDataError(path, "the file belongs to a different user key")
        yield db  # on an exception we never reach close(): a half-made change is not staged
        db.close()  # stages once, and only if a table changed

    def _exists(self, key: UserKey, batch: Batch) -> bool:
        return batch.exists(self.path_for(key))

    def _load(self, key: UserKey, batch: Batch) -> UserState | None:
        if not self._exists(key, batch):
            return None
        with self._open(key, batch) as db:
            return self._read(key, db)

    def _read(self, key: UserKey, db: TinyDB) -> UserState | None:
        sections: dict[str, Any] = {name: db.table(name).all() for name in LIST_SECTIONS}
        sections["meta"] = _single(db, "meta")
        sections["state"] = _single(db, "state")
        if sections["state"] is None:
            return None
        try:
            return from_sections(sections)
        except SchemaError as exc:
            raise CorruptDataError(self.path_for(key), str(exc)) from exc

    def _transact[T](
        self,
        key: UserKey,
        decide: Callable[[UserState | None], tuple[Change, T]],
        batch: Batch,
    ) -> tuple[UserState | None, T]:
        with self._open(key, batch) as db:
            stored = self._read(key, db) if self._exists(key, batch) else None
            change, result = decide(stored)
            if change == "keep":
                return stored, result
            if isinstance(change, UserState):
                saved = replace(change, version=stored.version + 1 if stored else 1)
                self._write(key, db, saved)
                return saved, result
        batch.remove(self.path_for(key))
        return None, result

    def _save(
        self, key: UserKey, state: UserState, expected_version: int, batch: Batch
    ) -> UserState:
        saved = replace(state, version=expected_version + 1)
        with self._open(key, batch) as db:
            current = _single(db, "state")
            version = current["version"] if current else 0
            if version != expected_version:
                raise StaleStateError(
                    f"state of {key.hashed} is at version {version}, not {expected_version}"
                )
            self._write(key, db, saved)
        return saved

    def _write(self, key: UserKey, db: TinyDB, state: UserState) -> None:
        sections = to_sections(str(key), state)
        for name in ("meta", "state"):
            db.table(name).upsert(Document(sections[name], doc_id=SINGLE))
        for name in LIST_SECTIONS:
            table = db.table(name)
            table.truncate()
            table.insert_multiple(sections[name])

    def _load_extra(self, key: UserKey, name: str, batch: Batch) -> dict[str, Any] | None:
        if not self._exists(key, batch):
            return None
        with self._open(key, batch) as db:
            found = db.table(EXTRA).get(doc_id=_extra_id(db, name))
        return dict(found["value"]) if isinstance(found, dict) else None

    def _save_extra(self, key: UserKey, name: str, value: dict[str, Any], batch: Batch) -> None:
        with self._open(key, batch) as db:
            if _single(db, "meta") is None:
                db.table("meta").upsert(Document({"schema": 1, "key": str(key)}, doc_id=SINGLE))
            doc_id = _extra_id(db, name)
            found = db.table(EXTRA).get(doc_id=doc_id)
            if isinstance(found, dict) and found.get("value") == value:
                return  # unchanged: nothing staged, nothing to make durable
            db.table(EXTRA).upsert(Document({"name": name, "value": value}, doc_id=doc_id))


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
