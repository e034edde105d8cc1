"""Reading a backup for `peercoach restore`: every member checked before anything is used.

Members are extracted one by one into a fresh scratch folder, never by tarfile's own
extract: only plain files under `data/` with a safe relative path are accepted (no absolute
paths, no `..`, no links, devices or dot names). Then the whole archive must match its
manifest (the same files, sizes and sha256), the gzip stream must end where it should (a
truncated file does not), and every JSON file must parse (or, sealed, have a whole header).
Only then is the copy durable and ready to be swapped in.
"""

import gzip
import hashlib
import os
import tarfile
import zlib
from pathlib import Path
from typing import IO

from bot.backup.layout import is_data_path
from bot.backup.manifest import (
    DATA_PREFIX,
    MANIFEST_NAME,
    Manifest,
    ManifestFile,
    decode_manifest,
)
from bot.crypto.sealing import is_sealed, sealed_by
from bot.errors import BackupError, BadBackupError, CorruptDataError
from bot.storage.atomic import decode_json
from bot.storage.shapes import leader_tables, tinydb_tables
from bot.storage.tinydb.group_commit import sync_files

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


def unpack(archive: Path, target: Path) -> Manifest:
    """Extract and verify `archive` into the empty folder `target`; BadBackupError names the
    first problem, BackupError a folder we could not write."""
    try:
        raw = archive.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {archive}: {exc.strerror or exc}") from exc
    with raw:
        try:
            manifest, found = _extract_all(raw, target)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise BadBackupError(f"it is damaged or incomplete ({exc})") from exc
        except OSError as exc:  # writing the copy: a full disk, a read-only folder
            raise BackupError(
                f"cannot unpack it into {target.parent}: {exc.strerror or exc}; free some "
                "space there (restore needs room for a second copy of the data)"
            ) from exc
    _check_against(manifest, found)
    _check_json(target, found)
    if found:
        sync_files([target / name for name in found])
    return manifest


def _extract_all(raw: IO[bytes], target: Path) -> tuple[Manifest, dict[str, ManifestFile]]:
    manifest: Manifest | None = None
    found: dict[str, ManifestFile] = {}
    with tarfile.open(fileobj=raw, mode="r:gz") as tar:
        for member in tar:
            if member.name == MANIFEST_NAME and member.isreg() and manifest is None:
                manifest = decode_manifest(_read_small(tar, member))
                continue
            name = _data_name(member)
            if name in found:
                raise BadBackupError(f"it holds {name} twice")
            found[name] = _extract(tar, member, target / name, name)
        assert tar.fileobj is not None
        while tar.fileobj.read(CHUNK):  # to the end of the gzip stream: a cut-short file
            pass  # raises EOFError here even when it was cut between two members
    if manifest is None:
        raise BadBackupError(f"it has no {MANIFEST_NAME}, so it is incomplete or not ours")
    return manifest, found


def _data_name(member: tarfile.TarInfo) -> str:
    name = member.name.removeprefix(DATA_PREFIX)
    if not member.name.startswith(DATA_PREFIX) or not is_data_path(name):
        raise BadBackupError(f"its member {member.name!r} would land outside the data folder")
    if not member.isreg():
        raise BadBackupError(
            f"its member {member.name!r} is a link or special file; backups hold plain files"
        )
    return name


def _read_small(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    if member.size > MAX_MANIFEST_BYTES:
        raise BadBackupError(f"its {MANIFEST_NAME} is implausibly large ({member.size} bytes)")
    source = tar.extractfile(member)
    assert source is not None  # a regular file always has content
    return source.read()


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path, name: str) -> ManifestFile:
    source = tar.extractfile(member)
    assert source is not None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    return ManifestFile(name, size, digest.hexdigest())


def _check_against(manifest: Manifest, found: dict[str, ManifestFile]) -> None:
    listed = {entry.path: entry for entry in manifest.files}
    missing = sorted(listed.keys() - found.keys())
    if missing:
        raise BadBackupError(f"{missing[0]} is listed in its manifest but missing from it")
    unlisted = sorted(found.keys() - listed.keys())
    if unlisted:
        raise BadBackupError(f"it holds {unlisted[0]}, which its manifest does not list")
    changed = sorted(name for name, entry in found.items() if entry != listed[name])
    if changed:
        raise BadBackupError(
            f"the checksum of {changed[0]} does not match its manifest, so the file was "
            "changed or damaged after the backup was made"
        )


# The stores' own files, checked as the stores check them (bot/storage/shapes.py).
SHAPES = {
    "users": leader_tables,
    "schedules.json": tinydb_tables,
    "coaching.json": tinydb_tables,
    "circles.json": tinydb_tables,
}


def _check_json(target: Path, found: dict[str, ManifestFile]) -> None:
    """Every plain JSON file parses; a sealed one (bot.crypto.sealing) has a whole header.
    Its content is checked by the checksum: opening it needs the key, which a backup never
    holds, and serve checks the key against the data when it starts."""
    for name in sorted(found):
        if name.endswith(".json"):
            raw = (target / name).read_bytes()
            if is_sealed(raw):
                if sealed_by(raw) is None:
                    raise BadBackupError(f"{name} in it is sealed but its header is damaged")
                continue
            try:
                data = decode_json(target / name, raw)
            except CorruptDataError as exc:
                raise BadBackupError(f"{name} in it is not valid JSON") from exc
            if not isinstance(data, dict):
                raise BadBackupError(f"{name} in it does not hold a JSON object")
            check = SHAPES.get(name.partition("/")[0] if "/" in name else name)
            try:
                if check is not None:
                    check(target / name, data)
            except CorruptDataError as exc:
                reason = f"{name} in it is not in peercoach's shape ({exc.reason})"
                raise BadBackupError(reason) from exc
