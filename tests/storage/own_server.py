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
    """The stopped cluster up again, on its port, with its options."""
    server.start_again()
