"""The leaders' write-ahead journal (bot/storage/tinydb/journal.py): under load, batches
are durable in it and the files follow when the queue is empty; a crash is replayed at the
next start."""

import asyncio
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain import UserKey
from bot.storage.codec import LIST_SECTIONS, to_sections
from bot.storage.tinydb import group_commit
from bot.storage.tinydb.group_commit import Batch, GroupCommitter, run_batch
from bot.storage.tinydb.journal import HEADER, JOURNAL_NAME, Journal
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import Profile, UserState
from tests.calls import record_calls
from tests.stored import read_leader_file

ROOT = Path(__file__).resolve().parents[2]


def journal_in(tmp_path: Path) -> Journal:
    journal = Journal.owned(tmp_path)
    assert journal is not None
    return journal


def test_records_replay_newest_last_and_a_torn_tail_is_ignored(tmp_path: Path) -> None:
    journal = journal_in(tmp_path)
    a, b = tmp_path / "users" / "a.json", tmp_path / "users" / "b.json"
    journal.append({a: b"one", b: b"bee"})
    journal.append({a: b"two"})
    journal.close()
    with (tmp_path / JOURNAL_NAME).open("ab") as handle:  # a crash in the middle of an append
        handle.write(HEADER.pack(5, 100, 0) + b"users")
    reopened = journal_in(tmp_path)
    assert reopened.holds
    assert reopened.replay() == {a: b"two", b: b"bee"}
    reopened.clear()
    assert not reopened.holds
    assert reopened.replay() == {}


def test_a_damaged_record_ends_the_replay(tmp_path: Path) -> None:
    journal = journal_in(tmp_path)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    journal.append({a: b"first"})
    journal.append({b: b"second"})
    journal.close()
    raw = bytearray((tmp_path / JOURNAL_NAME).read_bytes())
    raw[-1] ^= 0xFF  # the second record's content no longer matches its checksum
    (tmp_path / JOURNAL_NAME).write_bytes(bytes(raw))
    assert journal_in(tmp_path).replay() == {a: b"first"}


def test_a_file_outside_the_data_folder_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    journal = journal_in(data)
    for outside in (tmp_path / "a.json", tmp_path / "data2" / "a.json"):  # a sibling, too
        with pytest.raises(ValueError, match="not in the data folder"):
            journal.append({outside: b"x"})
    assert not (data / JOURNAL_NAME).stat().st_size


def test_one_process_owns_the_journal(tmp_path: Path) -> None:
    owner = journal_in(tmp_path)
    assert Journal.owned(tmp_path) is None  # another open description: refused
    second = TinyDBUserStore(tmp_path)  # e.g. `schedule preview` beside `serve`
    assert not second.writes_alone  # writes its files directly
    owner.close()
    assert Journal.owned(tmp_path) is not None


def test_with_work_queued_a_batch_goes_to_the_journal_and_reads_see_it(tmp_path: Path) -> None:
    journal = journal_in(tmp_path)
    pending: dict[Path, bytes | None] = {}
    path = tmp_path / "a.json"
    run_batch([lambda batch: batch.stage(path, b"v1")], tmp_path, pending, journal, defer=True)
    assert not path.exists()  # not yet a file ...
    assert journal.replay() == {path: b"v1"}  # ... but durable
    assert Batch(tmp_path, pending).read(path) == b"v1"  # and what the next job reads
    # While the journal holds anything every write goes there, queue or not: a file written
    # directly could be newer than a record that a crash would replay over it.
    run_batch([lambda batch: batch.stage(path, b"v2")], tmp_path, pending, journal)
    assert not path.exists()
    group_commit.write_pending(tmp_path, pending, journal, limit=10)
    assert path.read_bytes() == b"v2"
    assert not journal.holds
    assert journal.replay() == {}


def test_a_removal_writes_everything_and_empties_the_journal(tmp_path: Path) -> None:
    """ "Forget me" leaves nothing behind: not the file, not a journal record of it."""
    journal = journal_in(tmp_path)
    pending: dict[Path, bytes | None] = {}
    gone, other = tmp_path / "gone.json", tmp_path / "other.json"
    run_batch([lambda batch: batch.stage(gone, b"secret")], tmp_path, pending, journal, defer=True)
    run_batch([lambda batch: batch.stage(other, b"kept")], tmp_path, pending, journal, defer=True)
    assert journal.holds
    ((ok, existed),) = run_batch(
        [lambda batch: batch.remove(gone)], tmp_path, pending, journal, defer=True
    )
    assert ok
    assert existed
    assert not gone.exists()
    assert other.read_bytes() == b"kept"
    assert not journal.holds
    assert (tmp_path / JOURNAL_NAME).stat().st_size == 0
    assert pending == {}


async def test_a_burst_is_journalled_then_written_once_the_queue_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    appended = record_calls(monkeypatch, Journal, "append", lambda _journal, writes: len(writes))
    store = TinyDBUserStore(tmp_path)
    keys = [UserKey.console(f"leader{i}") for i in range(300)]
    await asyncio.gather(*(store.save(k, UserState(), expected_version=0) for k in keys))
    assert appended  # some batches had work queued behind them
    journal = store.committer.journal
    assert journal is not None
    for _ in range(200):  # the drainer writes the files a step at a time
        if not journal.holds:
            break
        await asyncio.sleep(0.01)
    assert not journal.holds
    assert (tmp_path / JOURNAL_NAME).stat().st_size == 0
    for key in keys:
        data = read_leader_file(store.path_for(key))
        assert data["state"]["1"]["version"] == 1
    store.close()


async def test_closing_writes_what_the_journal_still_holds(tmp_path: Path) -> None:
    journal = journal_in(tmp_path)
    committer = GroupCommitter(tmp_path, journal=journal)
    path = tmp_path / "a.json"
    committer.pending[path] = b"late"
    journal.append({path: b"late"})
    committer.close()
    assert path.read_bytes() == b"late"
    assert (tmp_path / JOURNAL_NAME).stat().st_size == 0


KILLED_AFTER_JOURNALLING = textwrap.dedent("""
    import asyncio, os, signal, sys, time
    from pathlib import Path
    from bot.domain import UserKey
    from bot.storage.tinydb import group_commit
    from bot.storage.tinydb.users import TinyDBUserStore
    from dialogs.model import Profile, UserState

    def not_yet(*args, **kwargs):  # the files of the burst are never written in this run
        time.sleep(0.01)
    group_commit.write_pending = not_yet

    async def main():
        store = TinyDBUserStore(Path(sys.argv[1]))
        keys = [UserKey.console(f"leader{i}") for i in range(300)]  # more than one batch
        states = [UserState(profile=Profile(display_name=f"n{i}")) for i in range(300)]
        await asyncio.gather(*(store.save(k, s, expected_version=0) for k, s in zip(keys, states)))
        print("acknowledged", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    asyncio.run(main())
""")


async def test_after_a_crash_the_next_start_writes_what_the_journal_held(tmp_path: Path) -> None:
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", KILLED_AFTER_JOURNALLING, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -9, result.stderr
    assert "acknowledged" in result.stdout
    assert (tmp_path / JOURNAL_NAME).stat().st_size > 0
    users = tmp_path / "users"
    assert len([p for p in users.iterdir() if p.suffix == ".json"]) < 300  # files not written
    store = TinyDBUserStore(tmp_path)  # replays before anything else
    assert (tmp_path / JOURNAL_NAME).stat().st_size == 0
    for i in range(300):
        key = UserKey.console(f"leader{i}")
        loaded = await store.load(key)
        assert loaded is not None
        assert loaded.profile.display_name == f"n{i}"
    store.close()
    assert len([p for p in users.iterdir() if p.suffix == ".json"]) == 300


async def test_the_writing_process_knows_new_leaders_without_asking_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyDBUserStore(tmp_path)
    known, new = UserKey.console("known"), UserKey.console("newcomer")
    await store.save(known, UserState(), expected_version=0)
    read = record_calls(monkeypatch, group_commit, "read_bytes", lambda path: path)
    assert await store.load(new) is None
    assert read == []  # no system call: with the loop busy, each one waits for the GIL
    assert await store.load(known) is not None
    assert read == [store.path_for(known)]
    other = TinyDBUserStore(tmp_path)  # not the owner: it asks the disk
    assert await other.load(new) is None
    assert read[-1] == other.path_for(new)
    await store.delete(known)
    read.clear()
    assert await store.load(known) is None
    assert read == []
    store.close()
    other.close()


async def test_stored_hashes_include_files_the_journal_still_holds(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path)
    committer = store.committer
    on_disk, journalled = UserKey.console("on-disk"), UserKey.console("journalled")
    await store.save(on_disk, UserState(), expected_version=0)
    save = partial(store._save, journalled, UserState(), 0)
    run_batch([save], tmp_path, committer.pending, committer.journal, committer.known, defer=True)
    assert not store.path_for(journalled).exists()  # in the journal only, for now
    assert await store.stored_hashes() == {on_disk.hashed, journalled.hashed}
    other = TinyDBUserStore(tmp_path)  # not the owner: lists the folder
    assert await other.stored_hashes() == {on_disk.hashed}
    await store.delete(on_disk)
    assert await store.stored_hashes() == {journalled.hashed}
    store.close()
    other.close()


async def test_a_backup_taken_mid_burst_restores_what_the_journal_held(tmp_path: Path) -> None:
    data, out, restored = tmp_path / "data", tmp_path / "backup.tar.gz", tmp_path / "restored"
    store = TinyDBUserStore(data)
    alice = UserKey.console("alice")
    await store.save(alice, UserState(profile=Profile(display_name="on disk")), expected_version=0)
    journal = store.committer.journal
    assert journal is not None
    newer = (await store.load(alice)) or UserState()
    newer = replace(newer, profile=Profile(display_name="in the journal"), version=2)
    file = store.path_for(alice)
    journal.append({file: json.dumps(_tables(str(alice), newer)).encode()})  # as a burst would
    assert main(["backup", "--data-dir", str(data), "--out", str(out)]) == 0
    journal.clear()
    store.close()
    assert main(["restore", str(out), "--data-dir", str(restored)]) == 0
    reopened = TinyDBUserStore(restored)  # the first start replays the restored journal
    loaded = await reopened.load(alice)
    assert loaded is not None
    assert loaded.profile.display_name == "in the journal"
    reopened.close()


def _tables(key: str, state: UserState) -> dict[str, dict[str, object]]:
    sections = to_sections(key, state)
    tables: dict[str, dict[str, object]] = {"meta": {"1": sections["meta"]}}
    tables["state"] = {"1": sections["state"]}
    for name in LIST_SECTIONS:
        tables[name] = {str(i): row for i, row in enumerate(sections[name], 1)}
    return tables


async def test_a_batch_that_breaks_fails_its_writers_instead_of_leaving_them_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in the storage thread")

    store = TinyDBUserStore(tmp_path)
    monkeypatch.setattr(group_commit, "run_batch", broken)
    async with asyncio.timeout(5):  # it used to wait for ever
        with pytest.raises(RuntimeError, match="a bug"):
            await store.save(UserKey.console("alice"), UserState(), expected_version=0)
    store.close()
