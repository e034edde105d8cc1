"""Real OS-level faults of the data directory, for tests that run as root (where chmod does
not stop a write):

- `FullDisk`: the data directory is a 1 MiB tmpfs; `start()` fills it with a file, so every
  write fails with ENOSPC; `stop()` deletes that file, and the space is back.
- `ReadOnlyDisk`: `start()` sets the immutable attribute (chattr +i) on the data directory
  and everything in it, which refuses every write, even root's and even through files
  already open, with EPERM, as a read-only filesystem would with EROFS; `stop()` clears it.

Each skips the test, saying what it needs, where the machine cannot do it.
"""

import contextlib
import errno
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

CHUNK = 64 * 1024


class DiskFault(Protocol):
    data_dir: Path

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


class FullDisk:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.filler = data_dir / "filler"

    def start(self) -> None:
        with self.filler.open("wb", buffering=0) as handle:
            for _ in range(64):  # bounded: 4 MiB is more than the whole tmpfs
                try:
                    handle.write(b"\0" * CHUNK)
                except OSError as error:
                    if error.errno == errno.ENOSPC:
                        return
                    raise
        raise AssertionError("the tmpfs never filled up")

    def stop(self) -> None:
        self.filler.unlink()


class ReadOnlyDisk:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def start(self) -> None:
        result = _run("chattr", "-R", "+i", str(self.data_dir))
        assert result.returncode == 0, result.stderr

    def stop(self) -> None:
        result = _run("chattr", "-R", "-i", str(self.data_dir))
        assert result.returncode == 0, result.stderr


@contextlib.contextmanager
def full_disk(tmp_path: Path) -> Iterator[FullDisk]:
    """A fresh 1 MiB tmpfs as the data directory, unmounted afterwards."""
    mount = tmp_path / "data"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("a full disk is simulated with a tmpfs: needs the mount command")
    mounted = _run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "peercoach-test", str(mount))
    if mounted.returncode != 0:
        pytest.skip(f"a full disk is simulated with a tmpfs: cannot mount one ({mounted.stderr})")
    try:
        yield FullDisk(mount)
    finally:
        _run("umount", "--lazy", str(mount))


@contextlib.contextmanager
def read_only_disk(tmp_path: Path) -> Iterator[ReadOnlyDisk]:
    """The data directory on tmp_path, if its filesystem has an immutable attribute."""
    data = tmp_path / "data"
    data.mkdir()
    probe = data / "probe"
    probe.touch()
    if shutil.which("chattr") is None or _run("chattr", "+i", str(probe)).returncode != 0:
        pytest.skip("a read-only data directory is simulated with chattr +i: not available here")
    _run("chattr", "-i", str(probe))
    probe.unlink()
    fault = ReadOnlyDisk(data)
    try:
        yield fault
    finally:
        _run("chattr", "-R", "-i", str(data))  # or pytest could never delete it
