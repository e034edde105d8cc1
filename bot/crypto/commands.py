"""`peercoach keygen`, `peercoach rekey`, and where each command gets its data keys.

`serve` needs PEERCOACH_DATA_KEY, unless it is a local trial; the console and a local trial
use the local key file (created on first use, outside the data folder, the same file for
both); other commands use the setting, or the key file if there is one. A key that does not
open the data stops the command before anything is touched, in one sentence.
"""

import argparse
import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.crypto.keys import SETTING, generate_key, key_file, local_keys, read_key_file
from bot.crypto.sealing import KeyMismatchError, Sealer
from bot.errors import ConfigError, DataDirBusyError, StorageError
from bot.storage.in_use import DataDirInUseError, running_on
from bot.storage.private import make_private
from bot.storage.rekey import check_keys, reseal
from bot.storage.tinydb.users import TinyDBUserStore


def add_key_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keygen = commands.add_parser("keygen", help=f"print a new data key for {SETTING}")
    keygen.set_defaults(run=keygen_command)
    rekey = commands.add_parser(
        "rekey", help="re-seal every leader's file with the newest key (stop serve first)"
    )
    rekey.add_argument("--data-dir", type=Path, help="data folder (PEERCOACH_DATA_DIR)")
    rekey.set_defaults(run=rekey_command)


def keygen_command(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    print(generate_key())
    print(
        f"Set it as {SETTING} for `peercoach serve`, and keep a copy somewhere safe apart from "
        "the backups: without it the data cannot be read. To rotate, put the new key first, "
        "comma-separated, run `peercoach rekey`, then drop the old one.",
        file=sys.stderr,
    )
    return 0


def with_keys(settings: Settings, command: str, *, create: bool) -> Settings:
    """Settings with the data keys this command uses (see the module docstring), checked
    against the data folder; ConfigError or StorageError says what to fix."""
    if settings.data_keys is None:
        path = key_file(os.environ)
        if create:
            ring, created = local_keys(path)
            if created:
                print(
                    f"peercoach {command}: your data is encrypted with a new key kept in {path} "
                    f"(set {SETTING} to use your own)",
                    file=sys.stderr,
                )
        else:
            found = read_key_file(path)
            if found is None:
                raise ConfigError(
                    f"{SETTING} is not set; set it to the key `peercoach serve` uses (or make "
                    "one with `peercoach keygen`)"
                )
            ring = found
        settings = replace(settings, data_keys=ring)
    assert settings.data_keys is not None
    check_keys(settings.data_dir, Sealer(settings.data_keys))
    return settings


def serve_keys(settings: Settings) -> Settings:
    """`serve` refuses to run without PEERCOACH_DATA_KEY unless it is a local trial."""
    if settings.data_keys is None and not settings.local_trial:
        raise ConfigError(
            f"{SETTING} is not set: leaders' words are stored encrypted and serve needs the "
            f"key; make one with `peercoach keygen` and set {SETTING}=<key> (or set "
            "PEERCOACH_LOCAL_TRIAL=1 to try it on this machine with a local key)"
        )
    return with_keys(settings, "serve", create=True)


def _rekey_database(settings: Settings) -> int:
    """On PostgreSQL: every leader's row re-sealed in place; serving instances carry on."""
    from bot.storage.postgres.commands import prepare_database  # noqa: PLC0415
    from bot.storage.postgres.users import PostgresUserStore  # noqa: PLC0415

    if settings.data_keys is None:
        print(f"peercoach rekey: {SETTING} is not set; set it to the keys, newest first.")
        return 2
    url = settings.database_url
    assert url is not None

    async def run() -> tuple[int, int]:
        pool = await prepare_database(url)
        try:
            assert settings.data_keys is not None
            return await PostgresUserStore(pool, Sealer(settings.data_keys), url).reseal()
        finally:
            await pool.close()

    try:
        resealed, current = asyncio.run(run())
    except StorageError as exc:
        print(f"peercoach rekey: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, KeyMismatchError) else 1
    print(
        f"peercoach rekey: {resealed} leader(s) re-sealed in the database with key "
        f"{settings.data_keys.newest.id}, {current} already were. Older keys can now be "
        f"dropped from {SETTING}."
    )
    return 0


def rekey_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.data_dir:
        settings = replace(settings, data_dir=args.data_dir)
    if settings.database_url is not None:
        return _rekey_database(settings)
    try:
        settings = with_keys(settings, "rekey", create=False)
        with running_on(settings.data_dir):
            assert settings.data_keys is not None
            store = TinyDBUserStore(settings.data_dir, Sealer(settings.data_keys))
            try:
                if not store.writes_alone:
                    raise DataDirBusyError(settings.data_dir, "rekey")
                done = asyncio.run(reseal(store))
            finally:
                store.close()
            private = make_private(settings.data_dir)
    except DataDirInUseError:
        print(
            f"peercoach rekey: PEERCOACH_DATA_DIR={settings.data_dir} is being restored; "
            "run this again when the restore has finished.",
            file=sys.stderr,
        )
        return 1
    except (ConfigError, StorageError) as exc:
        print(f"peercoach rekey: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError | KeyMismatchError) else 1  # keys: as serve
    newest = settings.data_keys.newest.id if settings.data_keys else "?"
    print(
        f"peercoach rekey: {done.resealed} file(s) re-sealed with key {newest}, "
        f"{done.current} already were; {private} permission(s) made private. Older keys can "
        f"now be dropped from {SETTING}."
    )
    return 0
