"""A PostgreSQL server of one test module's own, for tests that stop or restart it (the
session's `postgres` must never be seen down by other tests)."""

import shutil
from collections.abc import Iterator

import pytest

from tests.postgres_server import PostgresServer, start_server


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)


def start_again(server: PostgresServer) -> None:
    """pg_ctl start on the stopped cluster, as PostgresServer.start configured it."""
    options = f"-p {server.port} -k {server.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    server._run(server._pg_ctl, "-D", str(server.folder / "data"), "-o", options,
                "-l", str(server.folder / "log"), "-w", "-t", "30", "start")  # fmt: skip
