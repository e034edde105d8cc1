"""Errors an operator can cause (configuration) or meet (storage); each says how to fix it."""

from pathlib import Path


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the setting and the fix."""


class StorageError(Exception):
    """Stored data cannot be read or written."""


class StorageUnreachableError(StorageError):
    """The storage is away for now (a database restarting, the network to it down): nothing
    was saved, and it comes back by itself. Leaders are asked to try again in a minute."""


class CorruptDataError(StorageError):
    """A data file exists but cannot be parsed; it is left untouched."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot read {path}: {reason}. The file has been left exactly as it is; restore it "
            "from a backup, or move it aside to start afresh without what it held."
        )


class DataDirError(StorageError):
    """The data directory refused a write (full, read-only, gone): the operator must act."""

    def __init__(self, error: OSError) -> None:
        self.errno = error.errno
        where = f" ({error.filename})" if error.filename else ""
        super().__init__(
            f"cannot write to the data directory{where}: {error.strerror or error}. Free "
            "space in PEERCOACH_DATA_DIR or make it writable; nothing was half-written, and "
            "peercoach carries on by itself once it can write again."
        )


class AlreadyHandledError(Exception):
    """The inbound event's id was taken before (a platform's retry, here or on another
    instance): its turn ran already, so nothing was done or written this time."""


class StaleStateError(StorageError):
    """Someone saved this leader's state since it was loaded (like a BotBuilder e_tag)."""


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message says why and what to do instead."""


class BadBackupError(BackupError):
    """The archive is not a complete, unaltered peercoach backup; nothing was changed."""


class DataDirBusyError(StorageError):
    """Another peercoach process already writes this data directory."""

    def __init__(self, data_dir: Path, command: str) -> None:
        super().__init__(
            f"another peercoach process (serve or console) is already using the data directory "
            f"{data_dir}; one process writes a data directory at a time. Stop it first, or give "
            f"`peercoach {command}` a folder of its own with PEERCOACH_DATA_DIR."
        )
