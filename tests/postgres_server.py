"""A real PostgreSQL server for the test session: initdb on a temporary folder, a free port on
127.0.0.1, and a fresh database per test cloned from a migrated template (about 0.1 s).

As root (this machine image, CI), initdb and the server run as the `postgres` user through
`runuser`, since PostgreSQL refuses to run as root. Where no PostgreSQL is installed the tests
that need it skip with one line saying how to enable them; under CI=true they fail instead.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HOW_TO_INSTALL = (
    "PostgreSQL tests need Debian's PostgreSQL server (initdb, pg_ctl): "
    "`apt-get install -y postgresql` as root (make test does it when run as root)"
)
_SEARCH = [
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
]
TEMPLATE = "peercoach_template"


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in _SEARCH:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return None


def missing(reason: str) -> None:
    """Skip, or under CI=true fail: a missing service never passes quietly in CI."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}. {HOW_TO_INSTALL}", pytrace=False)
    pytest.skip(f"{reason}. {HOW_TO_INSTALL}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """One throwaway cluster. `url(db)` is a libpq URL with a password, as in production."""

    folder: Path
    port: int
    user: str = "peercoach"
    password: str = "test-secret-pw"
    _as_postgres: list[str] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as_postgres, *command],
            check=check,
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )

    def start(self) -> None:
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            missing("initdb and pg_ctl are not installed")
        assert initdb is not None
        assert pg_ctl is not None
        data = self.folder / "data"
        if os.geteuid() == 0:
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, "postgres")
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password)
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres")
        self._run(
            initdb, "-D", str(data), "-U", self.user, "--auth=scram-sha-256",
            f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._pg_ctl, self._options = pg_ctl, options
        self.start_again()

    def start_again(self) -> None:
        """Start the cluster with the options `start` gave it; nothing if it is running."""
        data = str(self.folder / "data")
        if self._run(self._pg_ctl, "-D", data, "status", check=False).returncode == 0:
            return
        self._run(self._pg_ctl, "-D", data, "-o", self._options, "-l", str(self.folder / "log"),
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(self._pg_ctl, "-D", str(self.folder / "data"), "-m", mode, "-w", "stop",
                  check=False)  # fmt: skip

    def restart(self) -> None:
        """Stop and start the same cluster on the same port (a database restart)."""
        # -l as at start: without it the server keeps pg_ctl's output pipes open, and the
        # call never returns. A stopped server is started (with the options it last had).
        self._run(self._pg_ctl, "-D", str(self.folder / "data"), "-m", "fast", "-w",
                  "-t", "30", "-l", str(self.folder / "log"), "restart")  # fmt: skip

    async def prepare_template(self) -> None:
        """A database with every migration applied: each test's database is a copy of it."""
        import asyncpg  # noqa: PLC0415 - only where PostgreSQL runs

        from bot.storage.postgres.migrate import migrate  # noqa: PLC0415

        admin = await asyncpg.connect(self.url("postgres"))
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
            await admin.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await admin.close()
        connection = await asyncpg.connect(self.url(TEMPLATE))
        try:
            await migrate(connection)
        finally:
            await connection.close()

    async def fresh_database(self, migrated: bool = True) -> str:
        """A new database (a copy of the migrated template, or empty); returns its URL."""
        import asyncpg  # noqa: PLC0415

        name = f"t{os.getpid()}_{next(self._numbers)}"
        admin = await asyncpg.connect(self.url("postgres"))
        try:
            template = TEMPLATE if migrated else "template0"
            await admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            await admin.close()
        return self.url(name)


def start_server() -> PostgresServer:
    folder = Path(tempfile.mkdtemp(prefix="peercoach-pg-"))
    server = PostgresServer(folder, _free_port())
    server.start()
    asyncio.run(server.prepare_template())
    return server
