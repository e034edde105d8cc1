"""`peercoach db import --from DIR` and `peercoach db export --to DIR`.

`import` copies a TinyDB data folder into the database at PEERCOACH_DATABASE_URL (migrated
first), then checks the copy: the counts of every table, every schedule, reminder, coaching
row and ledger entry, and a sample of leaders loaded field by field on both sides. It can be
run again over the same folder: every write is an upsert by key, so a second run changes
nothing and reports the same counts, and a run cut short is finished by the next. The
database must be empty, or hold only what an earlier import of this folder put there: one
holding anything else (a leader, schedule or delivery the folder lacks, or a leader whose
state is newer than the folder's, because serve has run on it since) is refused before
anything is written. `export` is the way back, into a folder that is empty or absent.

PEERCOACH_DATA_KEY must open the folder (its files are sealed); the database's rows are sealed
with the same key. Every failure is one sentence with exit status 2; no password is shown.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg

from bot.config import Settings
from bot.crypto.commands import with_keys
from bot.crypto.sealing import Sealer
from bot.errors import ConfigError, DataDirBusyError, StorageError
from bot.logs import setup_logging
from bot.storage.in_use import DataDirInUseError, running_on
from bot.storage.postgres.circles import PostgresCircleBackend
from bot.storage.postgres.coaching import PostgresCoachingBackend
from bot.storage.postgres.ledger import PostgresDeliveryLedger
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.schedules import PostgresScheduleBackend
from bot.storage.postgres.url import EXAMPLE, SETTING, DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from bot.storage.tinydb.circles import TinyDBCircleBackend
from bot.storage.tinydb.coaching import TinyDBCoachingBackend
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from bot.storage.transfer import TABLES, Report, Stores, TransferError, copy, foreign, verify

DB_EXIT = 2
DATA_FILES = ("users", "schedules.json", "coaching.json", "circles.json", "deliveries.log")
Migrate = Callable[[DatabaseUrl], Awaitable[Any]]


def add_transfer_commands(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], migrate: Migrate
) -> None:
    """`db import` and `db export`; `migrate` brings the database up to date first."""
    into = actions.add_parser(
        "import", help=f"copy a TinyDB data folder into the empty database at {SETTING}"
    )
    into.add_argument("--from", dest="folder", type=Path, required=True, help="the data folder")
    into.set_defaults(run=lambda args, settings: _import_command(args, settings, migrate))
    out = actions.add_parser(
        "export", help=f"copy the database at {SETTING} into a new TinyDB data folder"
    )
    out.add_argument("--to", dest="folder", type=Path, required=True, help="a new folder")
    out.set_defaults(run=lambda args, settings: _export_command(args, settings, migrate))


def _import_command(args: argparse.Namespace, settings: Settings, migrate: Migrate) -> int:
    folder: Path = args.folder
    if (url := _url(settings)) is None:
        return _fail("import", _no_url("import into"))
    if not folder.is_dir() or not any((folder / name).exists() for name in DATA_FILES):
        return _fail(
            "import",
            f"{folder} is not a peercoach data folder (it holds no users/, schedules.json or "
            "deliveries.log); give the folder PEERCOACH_DATA_DIR names, e.g. "
            "`peercoach db import --from /var/lib/peercoach`",
        )
    try:
        sealer = _sealer(settings, folder, "db import")
        with running_on(folder):  # a restore of the folder waits, and is waited for
            report = asyncio.run(_import(url, folder, sealer, migrate))
    except DataDirInUseError:
        return _fail("import", f"{folder} is being restored; run this when it has finished")
    except (ConfigError, StorageError, TransferError, asyncpg.PostgresError) as error:
        return _fail("import", _sentence(error))
    print(f"Copied {folder} into the database at {url.redacted} and checked the copy:")
    _print_report(report, "folder", "database")
    return 0


def _export_command(args: argparse.Namespace, settings: Settings, migrate: Migrate) -> int:
    folder: Path = args.folder
    if (url := _url(settings)) is None:
        return _fail("export", _no_url("export from"))
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        return _fail(
            "export",
            f"{folder} is not empty; export writes a new data folder, so give one that is "
            "empty or does not exist yet, e.g. `peercoach db export --to ./peercoach-data`",
        )
    made = not folder.exists()
    try:
        sealer = _sealer(settings, folder, "db export")
        with running_on(folder):
            report = asyncio.run(_export(url, folder, sealer, migrate))
    except DataDirInUseError:
        return _fail("export", f"{folder} is being restored; give another folder")
    except (ConfigError, StorageError, TransferError, asyncpg.PostgresError) as error:
        _empty(folder, remove=made)  # nothing half-written is left behind
        return _fail("export", _sentence(error))
    print(f"Copied the database at {url.redacted} into {folder} and checked the copy:")
    _print_report(report, "database", "folder")
    return 0


def _url(settings: Settings) -> DatabaseUrl | None:
    setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    return settings.database_url


def _no_url(what: str) -> str:
    return f"{SETTING} is not set, so there is no database to {what}; set it like {EXAMPLE}"


def _sealer(settings: Settings, folder: Path, command: str) -> Sealer:
    """The keys of PEERCOACH_DATA_KEY (or the local key file), checked against the folder."""
    keyed = with_keys(replace(settings, data_dir=folder), command, create=False)
    assert keyed.data_keys is not None
    return Sealer(keyed.data_keys)


async def _import(url: DatabaseUrl, folder: Path, sealer: Sealer, migrate: Migrate) -> Report:
    await migrate(url)
    pool = await open_pool(url)
    try:
        files = await _file_stores(folder, sealer, "db import")
        try:
            database = await _database_stores(pool, url, sealer)
            if found := await foreign(files, database):
                raise TransferError(
                    f"the database at {url.redacted} already holds data that did not come "
                    f"from {folder} ({found}), and import only fills an empty database (or "
                    "finishes an import of the same folder): give it a new, empty database"
                )
            written = await copy(files, database)
            report = await verify(files, await _database_stores(pool, url, sealer))
            return replace(report, written=written)
        finally:
            await _close(files)
    finally:
        await pool.close()


async def _export(url: DatabaseUrl, folder: Path, sealer: Sealer, migrate: Migrate) -> Report:
    await migrate(url)
    pool = await open_pool(url)
    try:
        database = await _database_stores(pool, url, sealer)
        files = await _file_stores(folder, sealer, "db export")
        try:
            written = await copy(database, files)
        finally:
            await _close(files)
        on_disk = await _file_stores(folder, sealer, "db export")  # read back from disk
        try:
            return replace(await verify(database, on_disk), written=written)
        finally:
            await _close(on_disk)
    finally:
        await pool.close()


async def _file_stores(folder: Path, sealer: Sealer, command: str) -> Stores:
    users = TinyDBUserStore(folder, sealer)
    if not users.writes_alone:
        users.close()
        raise DataDirBusyError(folder, command)
    ledger = FileDeliveryLedger(folder / "deliveries.log")
    await ledger.open()
    return Stores(
        users,
        TinyDBScheduleBackend(folder),
        TinyDBCoachingBackend(folder),
        ledger,
        TinyDBCircleBackend(folder),
    )


async def _database_stores(pool: asyncpg.Pool[Any], url: DatabaseUrl, sealer: Sealer) -> Stores:
    ledger = PostgresDeliveryLedger(pool, url)
    await ledger.open()
    return Stores(
        PostgresUserStore(pool, sealer, url),
        PostgresScheduleBackend(pool, url),
        PostgresCoachingBackend(pool, url),
        ledger,
        PostgresCircleBackend(pool, url),
    )


async def _close(stores: Stores) -> None:
    await stores.ledger.close()
    if isinstance(stores.users, TinyDBUserStore):  # the database's pool is closed by its owner
        stores.users.close()


def _empty(folder: Path, *, remove: bool) -> None:
    if not folder.is_dir():
        return
    if remove:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():  # it was empty when the export began
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _sentence(error: BaseException) -> str:
    if isinstance(error, asyncpg.PostgresError):  # no password in it: the server's words
        return f"the database refused the copy ({type(error).__name__}: {error})"
    return str(error)


def _print_report(report: Report, source: str, target: str) -> None:
    width = max(map(len, TABLES))
    print(f"  {'':<{width}}  {source:>8}  {target:>8}")
    for table in TABLES:
        print(f"  {table:<{width}}  {report.source[table]:>8}  {report.target[table]:>8}")
    total = report.source["leaders"]
    print(f"Compared {report.sampled} of {total} leaders field by field: the same on both sides.")
    if report.written:
        print(f"Wrote {report.written} row(s).")
    else:
        print(f"Wrote nothing: the {target} already held all of it.")


def _fail(command: str, message: str) -> int:
    print(f"peercoach db {command}: {message}", file=sys.stderr)
    return DB_EXIT
