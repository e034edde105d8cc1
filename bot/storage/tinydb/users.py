"""TinyDB storage with one small file per leader, written atomically and durably.

One file per leader keeps the cost of a write flat however many leaders there are (a shared
TinyDB file rewrites everything on every change). Each transaction reads the file's tables
through a TinyDB storage, changes them and stages the whole file once; a GroupCommitter makes
a whole batch of such files durable with one sync, then renames them into place.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from bot.crypto.sealing import Sealer, SealError, local_sealer
from bot.domain import UserKey
from bot.errors import CorruptDataError, StaleStateError
from bot.ports import Change, StoredLeader
from bot.storage.atomic import decode_json, encode_json, remove_stale_temp_files
from bot.storage.codec import (
    LIST_SECTIONS,
    SCHEMA_VERSION,
    SchemaError,
    from_sections,
    migrate,
    to_sections,
)
from bot.storage.cohort import CohortCounts
from bot.storage.private import private_folder
from bot.storage.shapes import leader_tables
from bot.storage.tinydb.group_commit import Batch, GroupCommitter, KnownFiles
from bot.storage.tinydb.journal import Journal
from dialogs.model import UserState
from dialogs.records import evolve

SINGLE = "1"  # the doc id of one-document tables, as TinyDB writes it
EXTRA = "extra"


class StagedJSONStorage(Storage):
    """A TinyDB storage whose writes join the current batch instead of hitting the disk,
    sealed: the batch, the journal and the file only ever hold the sealed bytes."""

    def __init__(self, path: Path, *, batch: Batch, sealer: Sealer) -> None:
        self.path = path
        self.batch = batch
        self.sealer = sealer

    def read(self) -> dict[str, dict[str, Any]] | None:
        raw = self._opened(self.batch.read(self.path))
        if raw is None:
            return None
        return leader_tables(self.path, decode_json(self.path, raw))

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.batch.stage(self.path, self.sealer.seal(encode_json(data), label_of(self.path)))

    def _opened(self, stored: bytes | None) -> bytes | None:
        """Decrypt, then the caller parses."""
        if stored is None:
            return None
        try:
            return self.sealer.open(stored, label_of(self.path), str(self.path))
        except SealError as exc:
            raise CorruptDataError(self.path, str(exc)) from exc

    def close(self) -> None:
        """Nothing stays open."""


def label_of(path: Path) -> str:
    """What a leader's sealed file is bound to: its name, which is their hashed key."""
    return "users/" + path.name


class TinyDBUserStore:
    """UserStore over `<data dir>/users/<hashed key>.json`; blocking work runs on one
    storage thread, in group-committed batches."""

    def __init__(self, data_dir: Path, sealer: Sealer | None = None) -> None:
        """`sealer` None: the local key file's (bot.crypto.keys.local_keys), as the console
        uses; `serve` always passes the keys of PEERCOACH_DATA_KEY."""
        self.sealer = sealer or local_sealer()
        self.folder = data_dir / "users"
        private_folder(data_dir)
        private_folder(self.folder)
        remove_stale_temp_files(self.folder)
        journal = Journal.owned(data_dir)
        # The process that owns the journal is the one that writes leaders' files: it knows
        # which exist without asking the disk. Any other one asks.
        known = KnownFiles.listed(self.folder) if journal is not None else None
        self.committer = GroupCommitter(data_dir, journal=journal, known=known)

    @property
    def writes_alone(self) -> bool:
        """Whether this process owns the folder's journal, so no other one writes the files."""
        return self.committer.journal is not None

    def path_for(self, key: UserKey) -> Path:
        return self.folder / f"{key.hashed}.json"

    def close(self) -> None:
        self.committer.close()

    async def load(self, key: UserKey) -> UserState | None:
        result: UserState | None = await self.committer.run(partial(self._load, key))
        return result

    async def load_sections(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """Several leaders' stored sections (migrated, not validated into UserState), by
        hashed key, in one trip to the committer's thread (one file each)."""

        def load_all(batch: Batch) -> dict[str, dict[str, Any]]:
            found = {}
            for key in keys:
                sections = self._sections(self._file(key, batch))
                if sections is not None:
                    found[key.hashed] = migrate(sections)
            return found

        result: dict[str, dict[str, Any]] = await self.committer.run(load_all)
        return result

    async def glances(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """None kept: the dashboard opens the states."""
        del keys
        return {}

    async def cohort_counts(
        self, coach: str, keys: Sequence[UserKey], zone: str, starts: tuple[date, ...]
    ) -> CohortCounts | None:
        """Not kept: the dashboard counts from the states."""
        del coach, keys, zone, starts
        return None

    async def versions(self, keys: Sequence[UserKey]) -> dict[str, int] | None:
        """Not known without opening each file: None (load them all)."""
        del keys
        return None

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

    async def stored_hashes(self) -> frozenset[str]:
        result: frozenset[str] = await self.committer.run(self._stored_hashes)
        return result

    async def dump_all(self) -> AsyncIterator[StoredLeader]:
        for hashed in sorted(await self.stored_hashes()):
            found: StoredLeader | None = await self.committer.run(partial(self._dump, hashed))
            if found is not None:  # None: deleted since it was listed
                yield found

    async def restore(self, leader: StoredLeader) -> None:
        await self.committer.run(partial(self._restore, leader))

    # ---------------------------------------------------------------- on the storage thread

    def _dump(self, hashed: str, batch: Batch) -> StoredLeader | None:
        path = self.folder / f"{hashed}.json"
        tables = StagedJSONStorage(path, batch=batch, sealer=self.sealer).read()
        if tables is None:
            return None
        found = LeaderFile(path, tables, exists=True)
        try:
            key = UserKey.parse(str((found.single("meta") or {}).get("key")))
        except ValueError:
            raise CorruptDataError(path, "its meta table names no user key") from None
        if key.hashed != hashed:
            raise CorruptDataError(path, "the file belongs to a different user key")
        extras = {
            str(document["name"]): dict(document["value"])
            for document in found.tables.get(EXTRA, {}).values()
        }
        return StoredLeader(key, self._read(found), extras)

    def _restore(self, leader: StoredLeader, batch: Batch) -> None:
        found = self._file(leader.key, batch)  # a file of another key: CorruptDataError
        found.tables = {}
        if leader.state is None:
            found.set_single("meta", {"schema": SCHEMA_VERSION, "key": str(leader.key)})
        else:
            sections = to_sections(str(leader.key), leader.state)
            for name in ("meta", "state"):
                found.set_single(name, sections[name])
            for name in LIST_SECTIONS:
                found.set_rows(name, sections[name])
        for name, value in leader.extras.items():
            found.set_extra(name, dict(value))
        self._stage(found, batch)

    def _stored_hashes(self, batch: Batch) -> frozenset[str]:
        """Files on disk (as this process knows them, or listed) and those the journal holds;
        a file is named after its leader's hashed key."""
        known = batch.known if batch.known is not None else KnownFiles.listed(self.folder)
        names = set(known.names)
        names.update(filter(None, map(known.name_in_folder, batch.pending)))
        return frozenset(name.removesuffix(".json") for name in names if name.endswith(".json"))

    def _file(self, key: UserKey, batch: Batch) -> "LeaderFile":
        """The leader's file as staged in this batch or on disk; empty if there is none."""
        path = self.path_for(key)
        tables = StagedJSONStorage(path, batch=batch, sealer=self.sealer).read()
        found = LeaderFile(path, tables or {}, exists=tables is not None)
        stored_key = (found.single("meta") or {}).get("key")
        if stored_key not in (None, str(key)):
            raise CorruptDataError(path, "the file belongs to a different user key")
        return found

    def _stage(self, found: "LeaderFile", batch: Batch) -> None:
        StagedJSONStorage(found.path, batch=batch, sealer=self.sealer).write(found.tables)

    def _load(self, key: UserKey, batch: Batch) -> UserState | None:
        found = self._file(key, batch)
        return self._read(found) if found.exists else None

    def _sections(self, found: "LeaderFile") -> dict[str, Any] | None:
        if not found.exists or found.single("state") is None:
            return None
        sections: dict[str, Any] = {name: found.rows(name) for name in LIST_SECTIONS}
        sections["meta"] = found.single("meta")
        sections["state"] = found.single("state")
        return sections

    def _read(self, found: "LeaderFile") -> UserState | None:
        sections = self._sections(found)
        if sections is None:
            return None
        try:
            return from_sections(sections)
        except SchemaError as exc:
            raise CorruptDataError(found.path, str(exc)) from exc

    def _transact[T](
        self,
        key: UserKey,
        decide: Callable[[UserState | None], tuple[Change, T]],
        batch: Batch,
    ) -> tuple[UserState | None, T]:
        found = self._file(key, batch)
        stored = self._read(found) if found.exists else None
        change, result = decide(stored)
        if change == "keep":
            return stored, result
        if isinstance(change, UserState):
            saved = evolve(change, version=stored.version + 1 if stored else 1)
            self._write(key, found, saved, batch)
            return saved, result
        batch.remove(found.path)
        return None, result

    def _save(
        self, key: UserKey, state: UserState, expected_version: int, batch: Batch
    ) -> UserState:
        saved = evolve(state, version=expected_version + 1)
        found = self._file(key, batch)
        current = self._read(found) if found.exists else None  # CorruptDataError: untouched
        version = current.version if current else 0
        if version != expected_version:
            raise StaleStateError(
                f"state of {key.hashed} is at version {version}, not {expected_version}"
            )
        self._write(key, found, saved, batch)
        return saved

    def _write(self, key: UserKey, found: "LeaderFile", state: UserState, batch: Batch) -> None:
        sections = to_sections(str(key), state)
        for name in ("meta", "state"):
            found.set_single(name, sections[name])
        for name in LIST_SECTIONS:
            found.set_rows(name, sections[name])
        self._stage(found, batch)

    def _load_extra(self, key: UserKey, name: str, batch: Batch) -> dict[str, Any] | None:
        found = self._file(key, batch)
        value = found.extra(name)
        return dict(value) if isinstance(value, dict) else None

    def _save_extra(self, key: UserKey, name: str, value: dict[str, Any], batch: Batch) -> None:
        found = self._file(key, batch)
        if found.single("meta") is None:
            found.set_single("meta", {"schema": SCHEMA_VERSION, "key": str(key)})
        elif found.extra(name) == value:
            return  # unchanged: nothing staged, nothing to make durable
        else:
            self._read(found)  # a state it cannot read stays exactly as it is: CorruptDataError
        found.set_extra(name, value)
        self._stage(found, batch)


@dataclass
class LeaderFile:
    """One leader's TinyDB file as its tables: `{table: {doc id: document}}`, TinyDB's own
    layout, so TinyDB (and a person) can open it as a database.

    A leader's file is one small set of documents read and written whole, so the store goes
    through TinyDB's storage layer only: its Table layer (queries, a cache, a document object
    per row) cost more than the rest of a turn's storage work and bought nothing here."""

    path: Path
    tables: dict[str, dict[str, Any]]
    exists: bool

    def single(self, table: str) -> dict[str, Any] | None:
        """The one document of a one-document table (`meta`, `state`)."""
        found = self.tables.get(table, {}).get(SINGLE)
        return dict(found) if isinstance(found, dict) else None

    def set_single(self, table: str, document: dict[str, Any]) -> None:
        self.tables[table] = {SINGLE: document}

    def rows(self, table: str) -> list[dict[str, Any]]:
        """A list table's documents in doc id order."""
        documents = self.tables.get(table, {})
        return [documents[doc_id] for doc_id in sorted(documents, key=int)]

    def set_rows(self, table: str, documents: list[dict[str, Any]]) -> None:
        self.tables[table] = {str(number): doc for number, doc in enumerate(documents, 1)}

    def extra(self, name: str) -> Any:
        for document in self.tables.get(EXTRA, {}).values():
            if document.get("name") == name:
                return document.get("value")
        return None

    def set_extra(self, name: str, value: dict[str, Any]) -> None:
        """Keeps the doc id a name already has; a new name takes the next free one."""
        documents = self.tables.setdefault(EXTRA, {})
        doc_id = next((i for i, d in documents.items() if d.get("name") == name), None)
        if doc_id is None:
            doc_id = str(max((int(i) for i in documents), default=0) + 1)
        documents[doc_id] = {"name": name, "value": value}
