"""`peercoach backup` and `restore` with PEERCOACH_DATABASE_URL set copy no files: they show
the pg_dump / pg_restore commands, without the password, and those commands work as shown
(dump, restore into an empty database, then `db migrate` finds it current)."""

import asyncio
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.postgres.migrate import shipped
from tests.postgres_server import PostgresServer, find_bin

ROOT = Path(__file__).resolve().parents[2]
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("PEERCOACH_", "PG"))}


def peercoach(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=ENV | {"PYTHONPATH": str(ROOT)} | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_backup_shows_a_pg_dump_command_that_works_and_copies_no_files(
    tmp_path: Path, postgres: PostgresServer, database_url: str
) -> None:
    if find_bin("pg_dump") is None or find_bin("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    data_dir = tmp_path / "data"
    result = peercoach(
        tmp_path,
        "backup",
        PEERCOACH_DATABASE_URL=database_url,
        PEERCOACH_DATA_DIR=str(data_dir),
    )
    assert result.returncode == 0, result.stderr
    assert postgres.password not in result.stdout + result.stderr
    assert "PGPASSWORD or ~/.pgpass" in result.stdout
    assert list(tmp_path.iterdir()) == []  # no file copied, no folder made
    (line,) = [s.strip() for s in result.stdout.splitlines() if s.strip().startswith("pg_dump")]
    command = shlex.split(line)
    assert command[:2] == ["pg_dump", "--format=custom"]
    assert command[-1] == database_url.replace(f":{postgres.password}@", "@")

    with_password = ENV | {"PGPASSWORD": postgres.password}
    dumped = subprocess.run(
        [find_bin("pg_dump") or "", *command[1:]],
        cwd=tmp_path, env=with_password, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    (dump,) = tmp_path.glob("peercoach-*.dump")

    empty = asyncio.run(postgres.fresh_database(migrated=False))
    refused = peercoach(tmp_path, "restore", str(dump), PEERCOACH_DATABASE_URL=empty)
    assert refused.returncode == 1
    assert "changes nothing" in refused.stderr
    assert postgres.password not in refused.stdout + refused.stderr
    (line,) = [s.strip() for s in refused.stderr.splitlines() if s.strip().startswith("pg_")]
    restore = shlex.split(line)
    assert restore[:3] == ["pg_restore", "--clean", "--if-exists"]
    restored = subprocess.run(
        [find_bin("pg_restore") or "", *restore[1:]],
        cwd=tmp_path, env=with_password, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    migrated = peercoach(tmp_path, "db", "migrate", PEERCOACH_DATABASE_URL=empty)
    assert migrated.returncode == 0, migrated.stderr
    newest = shipped()[-1].version
    assert migrated.stdout == f"Database already at version {newest}; nothing to apply.\n"
