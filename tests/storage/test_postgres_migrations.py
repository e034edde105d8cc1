"""Schema migrations against a real PostgreSQL: in order, once, under a lock, and never onto
a database a newer release migrated."""

import asyncio

import asyncpg
import pytest

from bot.storage.postgres.migrate import (
    Migration,
    SchemaBehindError,
    SchemaTooNewError,
    check_current,
    migrate,
    schema_version,
    shipped,
)
from tests.postgres_server import PostgresServer


async def test_a_fresh_database_gets_every_shipped_migration(postgres: PostgresServer) -> None:
    connection = await asyncpg.connect(await postgres.fresh_database(migrated=False))
    try:
        assert await schema_version(connection) == 0
        applied = await migrate(connection)
        assert applied == [m.version for m in shipped()]
        assert await migrate(connection) == []  # a second run finds nothing to do
        await check_current(connection)
    finally:
        await connection.close()


async def test_two_instances_starting_together_apply_each_migration_once(
    postgres: PostgresServer,
) -> None:
    url = await postgres.fresh_database(migrated=False)
    slow = [Migration(1, "slow", "SELECT pg_sleep(0.3); CREATE TABLE once (x int);")]
    connections = [await asyncpg.connect(url) for _ in range(2)]
    try:
        results = await asyncio.gather(*(migrate(c, slow) for c in connections))
        assert sorted(results) == [[], [1]]  # the second waited on the lock, then had nothing
        count = await connections[0].fetchval("SELECT count(*) FROM peercoach_schema")
        assert count == 1
    finally:
        for connection in connections:
            await connection.close()


async def test_a_database_newer_than_the_code_is_refused(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        newest = await schema_version(connection)
        await connection.execute(
            "INSERT INTO peercoach_schema (version, name) VALUES ($1, 'from_the_future')",
            newest + 1,
        )
        with pytest.raises(SchemaTooNewError, match="newer than this peercoach knows"):
            await migrate(connection)
        with pytest.raises(SchemaTooNewError):
            await check_current(connection)
    finally:
        await connection.close()


async def test_a_database_behind_the_code_says_to_migrate(postgres: PostgresServer) -> None:
    connection = await asyncpg.connect(await postgres.fresh_database(migrated=False))
    try:
        with pytest.raises(SchemaBehindError, match="peercoach db migrate"):
            await check_current(connection)
    finally:
        await connection.close()


async def test_a_failing_migration_leaves_nothing_half_applied(postgres: PostgresServer) -> None:
    connection = await asyncpg.connect(await postgres.fresh_database(migrated=False))
    broken = [
        Migration(1, "good", "CREATE TABLE good (x int);"),
        Migration(2, "bad", "CREATE TABLE half (x int); SELECT no_such_function();"),
    ]
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(connection, broken)
        assert await schema_version(connection) == 1
        assert await connection.fetchval("SELECT to_regclass('half')") is None
    finally:
        await connection.close()
