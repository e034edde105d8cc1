"""Crash safety, corrupt files, schema versions — the TinyDB store's own promises."""

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tinydb import TinyDB
from tinydb.table import Document

from bot.domain import UserKey
from bot.errors import CorruptDataError
from bot.storage import atomic, codec
from bot.storage.tinydb import group_commit
from bot.storage.tinydb.group_commit import Batch, run_batch
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import Profile, Reflection, UserState
from tests.calls import record_calls
from tests.stored import opened, read_leader_file, write_leader_file

ALICE = UserKey.console("alice")
ROOT = Path(__file__).resolve().parents[2]

CRASH_BEFORE_REPLACE = textwrap.dedent("""
    import asyncio, os, signal, sys
    from pathlib import Path
    from bot.domain import UserKey
    from bot.storage.tinydb.users import TinyDBUserStore
    from dialogs.model import Profile, UserState

    store = TinyDBUserStore(Path(sys.argv[1]))
    def crash(*args, **kwargs):  # the temporary file is written and fsynced; now we die
        os.kill(os.getpid(), signal.SIGKILL)
    os.replace = crash
    asyncio.run(store.save(UserKey.console("alice"),
                           UserState(profile=Profile(display_name="NEW")), expected_version=1))
""")


async def test_a_crash_between_temp_write_and_replace_keeps_the_old_data(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path)
    await store.save(ALICE, UserState(profile=Profile(display_name="OLD")), expected_version=0)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", CRASH_BEFORE_REPLACE, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -9  # killed, as planned
    leftovers = list((tmp_path / "users").glob(".*.tmp"))
    assert leftovers, "the crash should have left a temporary file behind"
    reopened = TinyDBUserStore(tmp_path)
    loaded = await reopened.load(ALICE)
    assert loaded is not None
    assert loaded.profile.display_name == "OLD"
    assert list((tmp_path / "users").glob(".*.tmp")) == leftovers  # young: maybe another's
    an_hour_ago = time.time() - 3600
    for leftover in leftovers:
        os.utime(leftover, (an_hour_ago, an_hour_ago))
    TinyDBUserStore(tmp_path)  # a later start clears what the crash left
    assert not list((tmp_path / "users").glob(".*.tmp"))


async def test_start_up_leaves_another_processs_write_in_progress_alone(tmp_path: Path) -> None:
    (tmp_path / "users").mkdir()
    in_progress = tmp_path / "users" / ".abc.json.0123.tmp"
    in_progress.write_bytes(b"{}")  # a running server's batch, about to be renamed
    TinyDBUserStore(tmp_path)  # e.g. `peercoach schedule preview` on the same folder
    assert in_progress.exists()


async def test_an_unreadable_file_is_named_and_left_untouched(tmp_path: Path) -> None:
    before = TinyDBUserStore(tmp_path)
    path = before.path_for(ALICE)
    before.close()
    path.write_text('{"state": {"1": {"version": 1, "prof')  # e.g. edited by hand, then a start
    store = TinyDBUserStore(tmp_path)
    with pytest.raises(CorruptDataError) as raised:
        await store.load(ALICE)
    assert str(path) in str(raised.value)
    with pytest.raises(CorruptDataError):
        await store.save(ALICE, UserState(), expected_version=1)
    assert path.read_text() == '{"state": {"1": {"version": 1, "prof'


async def test_a_file_from_a_newer_peercoach_is_refused(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path)
    await store.save(ALICE, UserState(), expected_version=0)
    path = store.path_for(ALICE)
    data = read_leader_file(path)
    data["meta"]["1"]["schema"] = codec.SCHEMA_VERSION + 1
    write_leader_file(path, data)
    with pytest.raises(CorruptDataError, match="newer peercoach"):
        await store.load(ALICE)


async def test_older_files_are_migrated_on_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyDBUserStore(tmp_path)
    await store.save(ALICE, UserState(profile=Profile(display_name="a")), expected_version=0)

    def rename(sections: dict[str, object]) -> dict[str, object]:
        state = sections["state"]
        assert isinstance(state, dict)
        state["profile"]["display_name"] = "migrated"
        return sections

    monkeypatch.setattr(codec, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(codec.MIGRATIONS, 1, rename)
    loaded = await store.load(ALICE)
    assert loaded is not None
    assert loaded.profile.display_name == "migrated"


async def test_files_are_private_and_named_by_a_hash(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path)
    await store.save(ALICE, UserState(), expected_version=0)
    path = store.path_for(ALICE)
    assert "alice" not in path.name
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


async def test_a_leaders_file_is_a_tinydb_database(tmp_path: Path) -> None:
    """Read and written whole through TinyDB's storage layer: opened with its key, TinyDB
    itself (and a person with it) still reads the content as a database with one table per
    section."""
    store = TinyDBUserStore(tmp_path)
    state = UserState(
        profile=Profile(display_name="Alice", timezone="Europe/London"),
        reflections=(
            Reflection("r1", datetime(2026, 11, 2, 9, 0, tzinfo=UTC), "first"),
            Reflection("r2", datetime(2026, 11, 3, 9, 0, tzinfo=UTC), "second"),
        ),
    )
    await store.save(ALICE, state, expected_version=0)
    await store.save_extra(ALICE, "teams", {"conversation": {"id": "a"}})
    await store.save_extra(ALICE, "other", {"x": 1})
    await store.save_extra(ALICE, "teams", {"conversation": {"id": "b"}})

    plain = tmp_path / "opened.json"
    plain.write_bytes(opened(store.path_for(ALICE)))
    with TinyDB(plain, access_mode="r") as db:
        assert db.table("meta").get(doc_id=1) == {"schema": 1, "key": str(ALICE)}
        stored = db.table("state").get(doc_id=1)
        assert isinstance(stored, dict)
        assert stored["profile"]["display_name"] == "Alice"
        assert stored["version"] == 1
        texts = [row["text"] for row in db.table("reflections").all()]
        assert texts == ["first", "second"]
        extras = {row["name"]: (row.doc_id, row["value"]) for row in db.table("extra").all()}
        assert extras == {"teams": (1, {"conversation": {"id": "b"}}), "other": (2, {"x": 1})}
    loaded = await store.load(ALICE)
    assert loaded is not None
    assert [r.text for r in loaded.reflections] == ["first", "second"]


async def test_a_file_written_by_tinydb_itself_is_read(tmp_path: Path) -> None:
    """Files TinyDB's own Table layer wrote (every earlier release, unsealed) load unchanged."""
    store = TinyDBUserStore(tmp_path)
    await store.save(ALICE, UserState(profile=Profile(display_name="Alice")), expected_version=0)
    path = store.path_for(ALICE)
    sections = read_leader_file(path)
    path.unlink()
    with TinyDB(path) as db:
        for name, rows in sections.items():
            for doc_id, row in rows.items():
                db.table(name).insert(Document(row, doc_id=int(doc_id)))
    loaded = await store.load(ALICE)
    assert loaded is not None
    assert loaded.profile.display_name == "Alice"
    saved = await store.save(ALICE, loaded, expected_version=loaded.version)
    assert saved.version == loaded.version + 1


def test_temporary_files_hold_all_the_data_and_reads_get_all_of_it(tmp_path: Path) -> None:
    big = os.urandom(3 * atomic.READ_CHUNK + 17)  # more than one read, not a whole number
    temp = atomic.write_temp(tmp_path / "file.json", big)
    assert temp.name.startswith(".file.json.")
    assert temp.name.endswith(atomic.TEMP_SUFFIX)
    assert atomic.read_bytes(temp) == big
    assert atomic.read_bytes(tmp_path / "missing.json") is None
    again = atomic.write_temp(tmp_path / "file.json", b"")
    assert again != temp
    assert atomic.read_bytes(again) == b""


def test_a_forked_child_names_its_temporary_files_by_its_own_pid(tmp_path: Path) -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the name it would use, and leave at once
        name = atomic.write_temp(tmp_path / "file.json", b"x").name
        os.write(write, name.encode())
        os._exit(0)
    os.close(write)
    child_name = os.read(read, 1000).decode()
    os.waitpid(pid, 0)
    assert f".{pid}-" in child_name
    assert f".{os.getpid()}-" in atomic.write_temp(tmp_path / "file.json", b"y").name


async def test_each_save_is_one_staged_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = record_calls(monkeypatch, Batch, "stage", lambda _batch, path, _data: path)
    store = TinyDBUserStore(tmp_path)
    await store.save(ALICE, UserState(), expected_version=0)
    await store.load(ALICE)
    assert staged == [store.path_for(ALICE)]


async def test_saving_an_unchanged_extra_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyDBUserStore(tmp_path)
    await store.save_extra(ALICE, "teams", {"conversation": {"id": "a"}})
    staged = record_calls(monkeypatch, Batch, "stage", lambda _batch, path, _data: path)
    await store.save_extra(ALICE, "teams", {"conversation": {"id": "a"}})
    assert staged == []
    await store.save_extra(ALICE, "teams", {"conversation": {"id": "b"}})
    assert staged == [store.path_for(ALICE)]
    assert await store.load_extra(ALICE, "teams") == {"conversation": {"id": "b"}}


async def test_concurrent_writers_share_batches_and_each_is_durable(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path)
    keys = [UserKey.console(f"leader{i}") for i in range(200)]
    await asyncio.gather(*(store.save(k, UserState(), expected_version=0) for k in keys))
    assert store.committer.batches < 50  # group commit: far fewer syncs than writers
    for key in keys:
        assert (await store.load(key)) is not None
    assert not list((tmp_path / "users").glob(".*.tmp"))


def test_a_failing_job_stages_nothing_and_the_others_commit(tmp_path: Path) -> None:
    def good(batch: Batch) -> str:
        batch.stage(tmp_path / "good.json", b"{}")
        return "ok"

    def bad(batch: Batch) -> str:
        batch.stage(tmp_path / "bad.json", b"{}")
        raise ValueError("half-way")

    results = run_batch([good, bad], tmp_path)
    assert results[0] == (True, "ok")
    assert isinstance(results[1][1], ValueError)
    assert (tmp_path / "good.json").exists()
    assert not (tmp_path / "bad.json").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_failing_job_puts_back_what_an_earlier_job_staged_for_the_same_file(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared.json"

    def first(batch: Batch) -> str:
        batch.stage(shared, b"first")
        return "ok"

    def second(batch: Batch) -> str:
        assert batch.read(shared) == b"first"  # a job reads what its batch staged
        batch.stage(shared, b"second")
        raise ValueError("half-way")

    run_batch([first, second], tmp_path)
    assert shared.read_bytes() == b"first"


def test_a_file_written_twice_in_a_batch_is_created_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[Path] = []
    original = group_commit.write_temp
    monkeypatch.setattr(
        group_commit,
        "write_temp",
        lambda path, data, **kw: (created.append(path), original(path, data, **kw))[1],
    )
    run_batch([lambda batch: batch.stage(tmp_path / "a.json", b"1")] * 2, tmp_path)
    assert created == [tmp_path / "a.json"]
    assert (tmp_path / "a.json").read_bytes() == b"1"


def test_a_failed_commit_tells_every_writer_and_leaves_old_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.json").write_text("old")

    def write(batch: Batch) -> str:
        batch.stage(tmp_path / "a.json", b"new")
        return "ok"

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(group_commit, "sync_files", full_disk)
    (result,) = run_batch([write], tmp_path)
    assert result[0] is False
    assert (tmp_path / "a.json").read_text() == "old"
    assert not list(tmp_path.glob(".*.tmp"))
