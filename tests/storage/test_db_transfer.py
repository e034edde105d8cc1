"""`peercoach db import` and `db export` as an operator runs them (real processes, a real
PostgreSQL, a data folder written by the real app), and the copy they make: what the folder
holds, the database holds, and an export of it holds again. The password never shows."""

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.config import Settings
from bot.crypto.keys import generate_key, parse_keys
from bot.crypto.sealing import Sealer
from bot.domain import UserKey
from bot.ports import StoredLeader
from bot.schedules.keys import is_current
from bot.schedules.ledger import Entry
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from bot.storage.tinydb.coaching import TinyDBCoachingBackend
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from bot.wiring import build_app
from tests.conftest import CONTENT_DIR, FakeClock
from tests.fixtures.release_3210bb6.make import ONBOARD, finish_dialogue
from tests.postgres_server import PostgresServer
from tests.schedules.world import RecordingNotifier, World
from tests.storage.test_db_migrate import MARKER, marker_role, with_marker_password

__all__ = ["marker_role"]  # the fixture, used by name below

ROOT = Path(__file__).resolve().parents[2]
OLD = ROOT / "tests" / "fixtures" / "release_3210bb6" / "data"
KEY = generate_key()
SEALER = Sealer(parse_keys(KEY))
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PEERCOACH_")}
ALICE, BOB, CAROL, DAVE = (f"console:{n}" for n in ("alice", "bob", "carol", "dave"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def make_folder(data: Path) -> None:
    """A folder as the app leaves it: reflections and commitments, schedules, reminders
    (a quiet-hours hold, follow-ups), a coach and a link, a Teams-style extra, and ledger
    entries sent, deferred and one left pending by an error mid-send."""
    clock = FakeClock(utc("2026-11-24T12:00"))
    settings = Settings(data_dir=data, content_dir=CONTENT_DIR, data_keys=parse_keys(KEY))
    app = build_app(settings, clock)
    notifier = RecordingNotifier(clock)
    app.notifiers["console"] = notifier
    await app.open()
    world = World(app, clock, notifier, await app.start_scheduler(timers=False))
    for user in (ALICE, BOB):
        for text in ONBOARD:
            await world.say(user, text)
        await finish_dialogue(world, user, "start")
    await world.say(BOB, "quiet 22:00-10:00")
    for user in (CAROL, DAVE):
        await world.say(user, "hello")
        await world.say(user, "schedule daily 08:00 influence")
    notifier.failures[DAVE] = [RuntimeError("connection reset")]
    await app.coaching_store.grant(CAROL, "command line", clock.now())
    await app.coaching_store.new_link(CAROL, ALICE, clock.now())
    app.coaching_store.remember_name(CAROL, "Carol")
    await app.users.save_extra(UserKey.parse(ALICE), "teams", {"conversation": {"id": "a:1"}})
    await world.run_until(utc("2026-11-26T09:00"))
    await world.close()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("made") / "data"
    asyncio.run(make_folder(folder))
    return folder


@pytest.fixture
def folder(made: Path, tmp_path: Path) -> Path:
    shutil.copytree(made, tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
async def url(postgres: PostgresServer, marker_role: None) -> str:
    """A fresh, unmigrated database reached with the marker password."""
    return with_marker_password(await postgres.fresh_database(migrated=False))


def run_db(
    action: str, flag: str, folder: Path, url: str | None, key: str = KEY
) -> subprocess.CompletedProcess[str]:
    env = ENV | {"PEERCOACH_DATA_KEY": key} | ({"PEERCOACH_DATABASE_URL": url} if url else {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", action, flag, str(folder)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def counts(result: subprocess.CompletedProcess[str]) -> dict[str, tuple[int, int]]:
    """The table the command prints: each row's two counts."""
    found = {}
    for line in result.stdout.splitlines():
        parts = line.rsplit(maxsplit=2)
        if line.startswith("  ") and len(parts) == 3 and parts[1].isdigit():
            found[parts[0].strip()] = (int(parts[1]), int(parts[2]))
    return found


def clean(result: subprocess.CompletedProcess[str]) -> None:
    assert MARKER not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    clean(result)


@asynccontextmanager
async def file_side(folder: Path) -> AsyncIterator[dict[str, Any]]:
    users = TinyDBUserStore(folder, SEALER)
    ledger = FileDeliveryLedger(folder / "deliveries.log")
    await ledger.open()
    try:
        yield {
            "leaders": await leaders_of(users),
            "schedules": await TinyDBScheduleBackend(folder).load(),
            "coaching": await TinyDBCoachingBackend(folder).load(),
            "ledger": entries_of(ledger.entries()),
            "tick": ledger.last_tick,
        }
    finally:
        await ledger.close()
        users.close()


async def leaders_of(users: TinyDBUserStore | PostgresUserStore) -> dict[UserKey, StoredLeader]:
    return {leader.key: leader async for leader in users.dump_all()}


def entries_of(entries: list[Entry]) -> dict[str, Entry]:
    return {e.key: e for e in entries}


async def rows(url: str) -> dict[str, list[Any]]:
    """Every row of every table, as stored (sealed bytes and timestamps included)."""
    connection = await asyncpg.connect(url)
    try:
        tables = [
            "leaders",
            "leader_extras",
            "schedules",
            "reminders",
            "coaches",
            "links",
            "people",
            "deliveries",
            "delivery_ticks",
        ]
        return {
            t: [tuple(r) for r in await connection.fetch(f"SELECT * FROM {t} ORDER BY 1")]
            for t in tables
        }
    finally:
        await connection.close()


async def test_import_copies_everything_and_again_changes_nothing(folder: Path, url: str) -> None:
    first = await asyncio.to_thread(run_db, "import", "--from", folder, url)
    assert first.returncode == 0, first.stderr
    clean(first)
    table = counts(first)
    assert table["leaders"] == (4, 4)
    assert table["leader extras"] == (1, 1)
    assert table["schedules"][0] >= 3
    assert table["reminders"][0] >= 1
    assert table["coaches"] == table["coaching links"] == table["names"] == (1, 1)
    assert table["deliveries"][0] >= 3
    assert table["last tick"] == (1, 1)
    assert all(here == there for here, there in table.values())
    assert "Compared 4 of 4 leaders field by field" in first.stdout
    before = await rows(url)
    async with file_side(folder) as files:
        assert any(e.status == "pending" for e in files["ledger"].values())
        assert any(e.status == "deferred" for e in files["ledger"].values())
        assert any(
            leader.state and leader.state.reflections for leader in files["leaders"].values()
        )
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            stored = PostgresUserStore(pool, SEALER, DatabaseUrl.parse(url))
            assert await leaders_of(stored) == files["leaders"]  # every leader, whole
        finally:
            await pool.close()
    again = await asyncio.to_thread(run_db, "import", "--from", folder, url)
    assert again.returncode == 0, again.stderr
    assert counts(again) == table
    assert "Wrote nothing: the database already held all of it." in again.stdout
    assert await rows(url) == before


async def test_export_gives_back_the_folder_the_import_took(
    folder: Path, url: str, tmp_path: Path
) -> None:
    assert (await asyncio.to_thread(run_db, "import", "--from", folder, url)).returncode == 0
    back = tmp_path / "back"
    result = await asyncio.to_thread(run_db, "export", "--to", back, url)
    assert result.returncode == 0, result.stderr
    clean(result)
    assert all(here == there for here, there in counts(result).values())
    async with file_side(folder) as original, file_side(back) as exported:
        assert exported == original
    chat = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "console", "--data-dir", str(back), "--user", "alice"],
        env=ENV | {"PEERCOACH_DATA_KEY": KEY},
        cwd=ROOT,
        input="hello\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert chat.returncode == 0, chat.stderr
    assert "you are console:alice" in chat.stdout
    assert "I am peercoach" not in chat.stdout  # alice is known there: no first greeting


async def test_a_database_holding_other_data_is_refused_untouched(
    folder: Path, url: str, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(OLD, other)
    assert (await asyncio.to_thread(run_db, "import", "--from", other, url)).returncode == 0
    before = await rows(url)
    result = await asyncio.to_thread(run_db, "import", "--from", folder, url)
    refused(result, "already holds data that did not come from")
    assert "2 leaders, 1 leader with a newer state" in result.stderr  # erin, frank; one moved on
    assert "13 deliveries" in result.stderr
    assert await rows(url) == before


async def test_the_old_releases_folder_is_taken(url: str, tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(OLD, old)
    result = await asyncio.to_thread(run_db, "import", "--from", old, url)
    assert result.returncode == 0, result.stderr
    table = counts(result)
    assert table["leaders"] == (6, 6)
    assert table["deliveries"][0] > 0
    assert all(here == there for here, there in table.values())
    connection = await asyncpg.connect(url)
    try:
        keys = [r["key"] for r in await connection.fetch("SELECT key FROM deliveries")]
        old_forms = await connection.fetchval(
            "SELECT count(*) FROM deliveries WHERE written_as IS NOT NULL"
        )
    finally:
        await connection.close()
    assert all(is_current(key) for key in keys)  # today's form, naming the leader
    assert old_forms > 0


async def test_a_key_that_does_not_open_the_folder_is_named(folder: Path, url: str) -> None:
    result = await asyncio.to_thread(run_db, "import", "--from", folder, url, generate_key())
    refused(result, "PEERCOACH_DATA_KEY")
    assert "nothing was changed" in result.stderr


async def test_export_refuses_a_folder_that_is_not_empty(folder: Path, url: str) -> None:
    result = await asyncio.to_thread(run_db, "export", "--to", folder, url)
    refused(result, "is not empty")


def test_without_the_setting_or_a_data_folder_it_says_what_to_give(tmp_path: Path) -> None:
    refused(run_db("import", "--from", tmp_path, None), "PEERCOACH_DATABASE_URL is not set")
    refused(
        run_db("import", "--from", tmp_path, "postgresql://u:" + MARKER + "@127.0.0.1:1/x"),
        "is not a peercoach data folder",
    )
    refused(run_db("export", "--to", tmp_path / "new", None), "PEERCOACH_DATABASE_URL is not set")
