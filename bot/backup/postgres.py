"""`peercoach backup` and `restore` with PEERCOACH_DATABASE_URL set: the data is in
PostgreSQL, so these copy no files; they show the database's own commands instead, with the
URL as pg_dump takes it and no password (PGPASSWORD or ~/.pgpass supply it)."""

import shlex
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.storage.postgres.url import DatabaseUrl


def without_password(url: DatabaseUrl) -> str:
    """The URL with no password at all (not even ***), so the command runs as shown."""
    parts = urlsplit(url.secret)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    query = "&".join(
        item
        for item in parts.query.split("&")
        if item and not item.lower().startswith("password=")
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=""))


def backup_advice(url: DatabaseUrl, out: Path | None, at: datetime) -> str:
    file = out or Path(f"peercoach-{at:%Y%m%d}.dump")
    command = shlex.join(["pg_dump", "--format=custom", f"--file={file}", without_password(url)])
    return (
        "peercoach backup: PEERCOACH_DATABASE_URL is set, so the data is in PostgreSQL and "
        "this command copies no files. Back the database up with its own tools, e.g.:\n\n"
        f"  {command}\n\n"
        "Give the password through PGPASSWORD or ~/.pgpass, not on the command line. Keep "
        "PEERCOACH_DATA_KEY apart from the dumps: leaders' data in them is sealed with it, "
        'and a restore needs the same key. See the README, "Backups and restore on '
        'PostgreSQL".'
    )


def restore_advice(url: DatabaseUrl, backup: Path) -> str:
    command = shlex.join(
        ["pg_restore", "--clean", "--if-exists", f"--dbname={without_password(url)}", str(backup)]
    )
    return (
        "peercoach restore: PEERCOACH_DATABASE_URL is set, so the data is in PostgreSQL and "
        "this command changes nothing. Stop every peercoach serve, restore the dump with the "
        f"database's own tools, e.g.\n\n  {command}\n\nthen run `peercoach db migrate` and "
        "start serve again with the same PEERCOACH_DATA_KEY."
    )
