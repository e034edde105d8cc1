"""The manifest inside every backup: what made it, when, and each file's size and sha256."""

from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from typing import Literal

from pydantic import TypeAdapter, ValidationError

from bot.errors import BadBackupError
from bot.storage.codec import SCHEMA_VERSION

MANIFEST_NAME = "manifest.json"
DATA_PREFIX = "data/"  # every data file sits under this folder in the archive
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ManifestFile:
    path: str  # relative to the data folder, POSIX separators
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    files: tuple[ManifestFile, ...]
    format: Literal["peercoach-backup"] = "peercoach-backup"
    format_version: int = FORMAT_VERSION
    schema_version: int = SCHEMA_VERSION  # of the leaders' files (bot.storage.codec)
    peercoach_version: str = "unknown"

    @property
    def data_bytes(self) -> int:
        return sum(f.size for f in self.files)


_MANIFEST = TypeAdapter(Manifest)


def new_manifest(created_at: datetime, files: list[ManifestFile]) -> Manifest:
    try:
        version = metadata.version("peercoach")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return Manifest(created_at, tuple(files), peercoach_version=version)


def encode_manifest(manifest: Manifest) -> bytes:
    return _MANIFEST.dump_json(manifest, indent=2) + b"\n"


def decode_manifest(raw: bytes) -> Manifest:
    """The manifest, checked to be one this peercoach can restore; BadBackupError if not."""
    try:
        manifest = _MANIFEST.validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise BadBackupError(
            f"its {MANIFEST_NAME} is not valid ({where}: {first['msg']})"
        ) from exc
    if manifest.format_version > FORMAT_VERSION or manifest.schema_version > SCHEMA_VERSION:
        raise BadBackupError(
            f"it was made by a newer peercoach ({manifest.peercoach_version}, backup format "
            f"{manifest.format_version}, data schema {manifest.schema_version}; this one reads "
            f"up to format {FORMAT_VERSION}, schema {SCHEMA_VERSION}): upgrade peercoach first"
        )
    return manifest
