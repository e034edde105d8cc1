"""`peercoach backup` and `peercoach restore` as an operator meets them: one message that names
the setting or flag to change, and a non-zero exit status on every failure."""

import argparse
import sys
from pathlib import Path

from bot.backup.postgres import backup_advice, restore_advice
from bot.backup.restore import restore_backup
from bot.backup.snapshot import create_backup
from bot.clock import SystemClock
from bot.config import Settings
from bot.errors import BackupError, BadBackupError
from bot.storage.in_use import DataDirInUseError
from bot.storage.snapshot_lock import SnapshotBusyError

RESTORE_WAIT = 60.0  # seconds a restore waits for a running backup to finish copying


def add_backup_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """`backup` and `restore` as subcommands of `peercoach`."""
    backup = commands.add_parser(
        "backup", help="write the data folder to one file, consistently, even while serve runs"
    )
    backup.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the file to write (default ./peercoach-backup-<UTC time>.tar.gz)",
    )
    backup.add_argument("--data-dir", type=Path, help="data folder (PEERCOACH_DATA_DIR)")
    backup.add_argument(
        "--wait",
        type=float,
        default=60.0,
        help="seconds to wait for a moment without writes (default 60)",
    )
    backup.set_defaults(run=backup_command)

    restore = commands.add_parser(
        "restore", help="replace the data folder with a backup (stop serve first)"
    )
    restore.add_argument("file", type=Path, help="a file written by peercoach backup")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace a data folder that holds data; the old data is kept aside, not deleted",
    )
    restore.add_argument("--data-dir", type=Path, help="data folder (PEERCOACH_DATA_DIR)")
    restore.set_defaults(run=restore_command)


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    data_dir: Path = args.data_dir or settings.data_dir
    now = SystemClock().now()
    if settings.database_url is not None:
        print(backup_advice(settings.database_url, args.out, now))
        return 0
    out: Path = args.out or Path(f"peercoach-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz")
    try:
        report = create_backup(data_dir, out, at=now, wait=args.wait)
    except SnapshotBusyError:
        return _fail(
            "backup",
            f"writes to {_named(args, data_dir)} did not pause within {args.wait:g} s (another "
            "backup or a restore is running); try again later, or allow longer with --wait",
        )
    except BackupError as exc:
        return _fail("backup", str(exc))
    except OSError as exc:
        return _fail(
            "backup",
            f"cannot write {out}: {exc.strerror or exc}; free some space or choose another --out",
        )
    manifest = report.manifest
    print(
        f"peercoach backup: wrote {report.path}: {len(manifest.files)} files, "
        f"{_megabytes(manifest.data_bytes)} of data, {_megabytes(report.archive_bytes)} "
        f"compressed; writers were paused for {report.writers_paused * 1000:.0f} ms.\n"
        f"Restore it with: peercoach restore {report.path}"
    )
    return 0


def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url is not None:
        print(restore_advice(settings.database_url, args.file), file=sys.stderr)
        return 1
    data_dir: Path = args.data_dir or settings.data_dir
    where = _named(args, data_dir)
    try:
        report = restore_backup(
            args.file, data_dir, force=args.force, at=SystemClock().now(), wait=RESTORE_WAIT
        )
    except BadBackupError as exc:
        return _fail("restore", f"{args.file} is not a usable backup: {exc}. Nothing was changed.")
    except DataDirInUseError as exc:
        pids = ", ".join(str(p) for p in exc.pids)
        stop = f"`kill {exc.pids[0]}`" if exc.pids else "Ctrl-C in its terminal"
        return _fail(
            "restore",
            f"a peercoach process{f' (pid {pids})' if pids else ''} is using {where}; stop it "
            f"first (`systemctl stop peercoach`, or {stop}: it finishes its writes and exits), "
            "then run the restore again. Nothing was changed.",
        )
    except SnapshotBusyError:
        return _fail(
            "restore",
            f"a backup of {where} is still copying it; let it finish, then run the restore "
            "again. Nothing was changed.",
        )
    except BackupError as exc:
        return _fail("restore", f"{exc}. Nothing was changed.")
    except OSError as exc:
        return _fail(
            "restore",
            f"cannot restore into {where}: {exc.strerror or exc} ({exc.filename}); check that "
            "its parent folder is writable and has room for a second copy of the data",
        )
    manifest = report.manifest
    print(
        f"peercoach restore: restored {len(manifest.files)} files "
        f"({_megabytes(manifest.data_bytes)}) into {where} from {args.file}, a backup made "
        f"{manifest.created_at:%Y-%m-%d %H:%M:%S %Z} by peercoach {manifest.peercoach_version}."
    )
    if report.kept_aside is not None:
        print(
            f"The data that was there is kept in {report.kept_aside}; delete that folder once "
            "you are satisfied with the restored data."
        )
    print("Start the server again with: peercoach serve")
    return 0


def _named(args: argparse.Namespace, data_dir: Path) -> str:
    """The folder as the operator set it: they fix the flag or the variable they used."""
    return f"--data-dir {data_dir}" if args.data_dir else f"PEERCOACH_DATA_DIR={data_dir}"


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB"


def _fail(command: str, message: str) -> int:
    print(f"peercoach {command}: {message}", file=sys.stderr)
    return 1
