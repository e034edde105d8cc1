"""The data folder against its keys: a check before anything is touched, and `rekey`.

`check_keys` opens one leader's file (and the newest journal record, if the journal holds
any) before a store is built, so a wrong key stops a start before a journal replay or a
write changes a byte. `reseal` re-seals every leader's file with the newest key, so older
keys can be dropped from PEERCOACH_DATA_KEY; files already sealed with it are left alone, so
it is safe to run again after an interruption.
"""

import contextlib
import itertools
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.crypto.sealing import Sealer, SealError
from bot.errors import CorruptDataError
from bot.storage.atomic import decode_json, read_bytes
from bot.storage.tinydb.group_commit import Batch
from bot.storage.tinydb.journal import JOURNAL_NAME, first_record
from bot.storage.tinydb.users import StagedJSONStorage, TinyDBUserStore, label_of

CHUNK = 256  # files re-sealed per batch: one sync each, and little held in memory


def check_keys(data_dir: Path, sealer: Sealer) -> None:
    """KeyMismatchError if no key given sealed this folder's data. A damaged file is not a
    key problem: the store names it when it is read, as it always has."""
    sample = _any_leader_file(data_dir / "users")
    found = [(sample, read_bytes(sample))] if sample is not None else []
    record = first_record(data_dir / JOURNAL_NAME)
    if record is not None:
        found.append((data_dir / record[0], record[1]))
    for path, stored in found:
        if stored is not None:
            with contextlib.suppress(SealError):
                sealer.open(stored, label_of(path), str(path))


def _opened(path: Path, stored: bytes | None, sealer: Sealer) -> None:
    if stored is not None:
        decode_json(path, _open(path, stored, sealer))


def _open(path: Path, stored: bytes, sealer: Sealer) -> bytes:
    try:
        return sealer.open(stored, label_of(path), str(path))
    except SealError as exc:
        raise CorruptDataError(path, str(exc)) from exc


def _any_leader_file(users: Path) -> Path | None:
    """The first leader's file the folder lists: no sort, however many there are."""
    try:
        with os.scandir(users) as entries:
            for entry in entries:
                if entry.name.endswith(".json") and entry.name[0] != ".":
                    return Path(entry.path)
    except (FileNotFoundError, NotADirectoryError):  # no folder yet, or a file: named later
        pass
    return None


def _leader_files(users: Path) -> list[Path]:
    try:
        with os.scandir(users) as entries:
            return sorted(
                Path(e.path) for e in entries if e.name.endswith(".json") and e.name[0] != "."
            )
    except (FileNotFoundError, NotADirectoryError):  # no folder yet, or a file: named later
        return []


@dataclass(frozen=True)
class Resealed:
    resealed: int
    current: int  # already sealed with the newest key


async def reseal(store: TinyDBUserStore) -> Resealed:
    """Every leader's file sealed with the newest key. First every file is opened (a wrong
    key or a damaged file stops it before anything is written), then they are re-sealed in
    batches through the store, so the journal and the known files stay right."""
    paths = _leader_files(store.folder)
    for path in paths:
        stored = read_bytes(path)
        if stored is not None:
            _opened(path, stored, store.sealer)
    resealed = 0
    for chunk in itertools.batched(paths, CHUNK):
        done: int = await store.committer.run(partial(_reseal, store.sealer, chunk))
        resealed += done
    return Resealed(resealed, len(paths) - resealed)


def _reseal(sealer: Sealer, paths: tuple[Path, ...], batch: Batch) -> int:
    done = 0
    for path in paths:
        stored = batch.read(path)
        if stored is None or sealer.is_current(stored):
            continue
        storage = StagedJSONStorage(path, batch=batch, sealer=sealer)
        tables = storage.read()
        if tables is not None:
            storage.write(tables)
            done += 1
    return done
