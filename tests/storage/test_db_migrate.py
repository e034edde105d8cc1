"""`peercoach db migrate` as an operator runs it (a real process, a real PostgreSQL), and
`prepare_database`, the same step as serve takes it at start. The password never shows."""

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.storage.postgres.commands import prepare_database
from bot.storage.postgres.migrate import SchemaTooNewError, check_current, shipped
from bot.storage.postgres.pool import DatabaseUnavailableError
from bot.storage.postgres.url import DatabaseUrl
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
MARKER = "Marker-pw-9q7Zx"  # a password that must never reach the output or the log
NEWEST = shipped()[-1].version
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PEERCOACH_")}


def run_migrate(url: str | None, **extra: str) -> subprocess.CompletedProcess[str]:
    env = ENV | extra | ({"PEERCOACH_DATABASE_URL": url} if url is not None else {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "migrate"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def with_marker_password(url: str) -> str:
    """The same database, reached as a role whose password is MARKER."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"marker:{MARKER}@{parts.hostname}:{parts.port}"))


@pytest.fixture(scope="module")
def marker_role(postgres: PostgresServer) -> None:
    async def create() -> None:
        admin = await asyncpg.connect(postgres.url("postgres"))
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'marker'")
            if not exists:
                await admin.execute(f"CREATE ROLE marker LOGIN SUPERUSER PASSWORD '{MARKER}'")
        finally:
            await admin.close()

    asyncio.run(create())


def no_secret(result: subprocess.CompletedProcess[str]) -> None:
    assert MARKER not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.usefixtures("marker_role")
async def test_an_empty_database_is_migrated_then_found_current(postgres: PostgresServer) -> None:
    url = with_marker_password(await postgres.fresh_database(migrated=False))
    first = await asyncio.to_thread(run_migrate, url, PEERCOACH_LOG_LEVEL="DEBUG")
    assert first.returncode == 0, first.stderr
    versions = ", ".join(str(m.version) for m in shipped())
    assert first.stdout == f"Database at version {NEWEST}: applied {versions}.\n"
    no_secret(first)
    again = await asyncio.to_thread(run_migrate, url)
    assert again.returncode == 0
    assert again.stdout == f"Database already at version {NEWEST}; nothing to apply.\n"
    no_secret(again)
    connection = await asyncpg.connect(url)
    try:
        await check_current(connection)
    finally:
        await connection.close()


def test_without_the_setting_it_says_which_to_set() -> None:
    result = run_migrate(None)
    assert result.returncode == 2
    assert result.stderr.startswith("peercoach db migrate: PEERCOACH_DATABASE_URL is not set")
    assert "PEERCOACH_DATABASE_URL=postgresql://" in result.stderr  # an example of the form
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_sentence_without_the_password() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_migrate(f"postgresql://peercoach:{MARKER}@127.0.0.1:{port}/peercoach")
    assert result.returncode == 2
    assert "cannot reach the database at postgresql://peercoach:***@127.0.0.1" in result.stderr
    assert "PEERCOACH_DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    no_secret(result)


@pytest.mark.usefixtures("marker_role")
async def test_a_refused_password_is_named_and_not_shown(database_url: str) -> None:
    wrong = with_marker_password(database_url).replace(MARKER, MARKER + "-wrong")
    result = await asyncio.to_thread(run_migrate, wrong)
    assert result.returncode == 2
    assert "the password was refused" in result.stderr
    no_secret(result)


@pytest.mark.usefixtures("marker_role")
async def test_a_database_newer_than_this_release_is_refused(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO peercoach_schema (version, name) VALUES ($1, 'future')", NEWEST + 1
        )
    finally:
        await connection.close()
    result = await asyncio.to_thread(run_migrate, with_marker_password(database_url))
    assert result.returncode == 2
    assert "newer than this peercoach knows" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    no_secret(result)


async def test_prepare_database_migrates_once_for_two_instances_and_returns_a_pool(
    postgres: PostgresServer,
) -> None:
    url = DatabaseUrl.parse(await postgres.fresh_database(migrated=False))
    pools = await asyncio.gather(prepare_database(url), prepare_database(url))
    try:
        async with pools[0].acquire() as connection:
            rows = await connection.fetch("SELECT version FROM peercoach_schema")
        assert sorted(r["version"] for r in rows) == [m.version for m in shipped()]
    finally:
        for pool in pools:
            await pool.close()


async def test_prepare_database_refuses_a_newer_schema_and_an_absent_server(
    database_url: str,
) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO peercoach_schema (version, name) VALUES ($1, 'future')", NEWEST + 1
        )
    finally:
        await connection.close()
    with pytest.raises(SchemaTooNewError):
        await prepare_database(DatabaseUrl.parse(database_url))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = DatabaseUrl.parse(f"postgresql://peercoach:{MARKER}@127.0.0.1:{port}/x")
    with pytest.raises(DatabaseUnavailableError) as refused:
        await prepare_database(gone)
    assert MARKER not in str(refused.value)
