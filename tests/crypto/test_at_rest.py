"""Leaders' words at rest, end to end: a real console conversation, the journal under a
burst, a real backup; keys and their errors as an operator meets them, in subprocesses."""

import asyncio
import gzip
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.crypto.commands import serve_keys
from bot.crypto.keys import generate_key, parse_keys
from bot.crypto.sealing import Sealer
from bot.domain import UserKey
from bot.storage.snapshot_lock import open_lock_file
from bot.storage.tinydb.journal import JOURNAL_NAME, Journal
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import Reflection, UserState
from tests.bot.test_console import console
from tests.bot.test_serve import run_serve
from tests.calls import record_calls
from tests.conftest import AT, ROOT
from tests.stored import read_leader_file

MARKER = "ZEBRA-4c1d-what-alice-wrote"
CHAT = ["hello", "Skip for now", "start energy", f"{MARKER} on the wards", "journal"]


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def archive_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_no_word_a_leader_wrote_is_in_any_file_of_the_data_folder_or_a_backup(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    chatted = console(data, CHAT)
    assert chatted.returncode == 0, chatted.stderr
    assert MARKER in chatted.stdout  # the conversation really held it
    out = tmp_path / "backup.tar.gz"
    assert main(["backup", "--data-dir", str(data), "--out", str(out)]) == 0

    files = every_file(data)
    assert any(name.startswith("users/") for name in files)
    for name, content in files.items():
        assert MARKER.encode() not in content, name
    assert MARKER.encode() not in gzip.decompress(out.read_bytes())
    for name, content in archive_members(out).items():
        assert MARKER.encode() not in content, name
    stored = next((data / "users").glob("*.json"))
    assert MARKER in str(read_leader_file(stored))  # and opened, it is all there


async def test_the_journal_never_holds_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    appended = record_calls(monkeypatch, Journal, "append", lambda _j, writes: dict(writes))
    store = TinyDBUserStore(tmp_path, Sealer(parse_keys(generate_key())))
    keys = [UserKey.console(f"leader{i}") for i in range(300)]
    state = UserState(reflections=(Reflection("r1", AT, MARKER),))
    await asyncio.gather(*(store.save(k, state, expected_version=0) for k in keys))
    journalled = (tmp_path / JOURNAL_NAME).read_bytes()
    store.close()
    assert appended  # a burst: batches went to the journal
    assert MARKER.encode() not in journalled
    for writes in appended:
        for content in writes.values():
            assert MARKER.encode() not in content


def test_console_exports_go_with_forget_me_and_never_into_a_backup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    exported = console(data, [*CHAT, "export"])
    assert exported.returncode == 0, exported.stderr
    (export,) = (data / "exports").iterdir()
    assert MARKER.encode() in export.read_bytes()  # the leader's own readable copy
    out = tmp_path / "backup.tar.gz"
    assert main(["backup", "--data-dir", str(data), "--out", str(out)]) == 0
    assert not [name for name in archive_members(out) if "exports" in name]

    forgot = console(data, ["forget me", "1"])
    assert forgot.returncode == 0, forgot.stderr
    assert "Backups made before now still hold it" in forgot.stdout
    assert not list((data / "exports").iterdir())
    assert not list((data / "users").glob("*.json"))
    for name, content in every_file(data).items():
        assert MARKER.encode() not in content, name


def test_folders_are_0700_and_every_file_0600_locks_journal_ledger_exports_included(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    assert console(data, [*CHAT, "export"]).returncode == 0
    out = tmp_path / "backup.tar.gz"
    assert main(["backup", "--data-dir", str(data), "--out", str(out)]) == 0
    seen = set()
    for root, folders, files in os.walk(data):
        assert os.stat(root).st_mode & 0o777 == 0o700, root
        for name in files:
            seen.add(name)
            assert os.stat(Path(root, name)).st_mode & 0o777 == 0o600, name
        assert folders is not None
    assert {".in-use.lock", ".snapshot.lock", JOURNAL_NAME, "deliveries.log"} <= seen
    assert out.stat().st_mode & 0o777 == 0o600
    with tarfile.open(out, "r:gz") as tar:
        assert {m.mode for m in tar.getmembers()} == {0o600}


def test_an_older_folder_is_made_private_by_rekey(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert console(data, CHAT).returncode == 0
    os.chmod(data / "users", 0o755)
    os.chmod(data / "deliveries.log", 0o644)
    assert main(["rekey", "--data-dir", str(data)]) == 0
    assert (data / "users").stat().st_mode & 0o777 == 0o700
    assert (data / "deliveries.log").stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------ keys, as an operator


def key_env(tmp_path: Path) -> dict[str, str]:
    """A fresh config home: whether a key file is made, and where, is the point here."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PEERCOACH_DATA_KEY": ""}


def test_the_console_makes_a_key_outside_the_data_folder_says_where_and_keeps_it(
    tmp_path: Path,
) -> None:
    env = key_env(tmp_path)
    first = console(tmp_path / "data", CHAT, env=env)
    key_file = tmp_path / "config" / "peercoach" / "data.key"
    assert first.returncode == 0, first.stderr
    assert f"kept in {key_file}" in first.stderr
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = console(tmp_path / "data", ["journal"], env=env)
    assert again.returncode == 0, again.stderr
    assert "kept in" not in again.stderr  # the same key, said once
    assert MARKER in again.stdout


def test_serve_refuses_to_start_without_a_key_unless_it_is_a_local_trial(tmp_path: Path) -> None:
    data = tmp_path / "data"
    refused = run_serve(
        {
            **key_env(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "PEERCOACH_DATA_DIR": str(data),
        }
    )
    assert refused.returncode == 2
    assert "PEERCOACH_DATA_KEY is not set" in refused.stderr
    assert "peercoach keygen" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not data.exists()  # nothing was touched
    assert not (tmp_path / "config").exists()  # and no key was made for it


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="hello\n",
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["console", "serve", "rekey"])
def test_a_wrong_key_stops_in_one_sentence_and_changes_nothing(
    tmp_path: Path, command: str
) -> None:
    data = tmp_path / "data"
    written = generate_key()
    chatted = console(data, CHAT, env={"PEERCOACH_DATA_KEY": written})
    assert chatted.returncode == 0, chatted.stderr
    before = {
        name: (content, os.stat(data / name).st_mtime_ns)
        for name, content in every_file(data).items()
    }
    args = {
        "console": ["console", "--user", "alice", "--data-dir", str(data)],
        "serve": ["serve"],
        "rekey": ["rekey", "--data-dir", str(data)],
    }[command]
    env = {
        "PEERCOACH_DATA_KEY": generate_key(),
        "PEERCOACH_DATA_DIR": str(data),
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
    }
    result = run_cli(args, env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PEERCOACH_DATA_KEY" in lines[0]
    assert "Traceback" not in result.stderr
    assert written not in result.stderr
    after = {
        name: (content, os.stat(data / name).st_mtime_ns)
        for name, content in every_file(data).items()
    }
    assert after == before


def test_a_malformed_key_stops_every_command_naming_the_setting(tmp_path: Path) -> None:
    result = run_cli(
        ["console", "--data-dir", str(tmp_path / "data")], {"PEERCOACH_DATA_KEY": "abc"}
    )
    assert result.returncode == 2
    assert "PEERCOACH_DATA_KEY is not a base64 value of 32 bytes" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_keygen_prints_a_key_the_setting_accepts() -> None:
    result = run_cli(["keygen"], {})
    assert result.returncode == 0
    (key,) = result.stdout.split()
    assert len(parse_keys(key).newest.secret) == 32
    assert "PEERCOACH_DATA_KEY" in result.stderr


def test_rekey_refuses_while_another_process_writes_the_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert console(data, CHAT).returncode == 0
    owner = Journal.owned(data)  # as a running serve holds it
    assert owner is not None
    try:
        result = run_cli(["rekey", "--data-dir", str(data)], {})
    finally:
        owner.close()
    assert result.returncode == 1
    assert "another peercoach process" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_local_trial_serve_uses_the_consoles_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One key file for both, so a trial's data survives restarts and either command."""
    env = key_env(tmp_path)
    assert console(tmp_path / "data", CHAT, env=env).returncode == 0
    monkeypatch.setenv("XDG_CONFIG_HOME", env["XDG_CONFIG_HOME"])
    trial = Settings(data_dir=tmp_path / "data", local_trial=True)
    keys = serve_keys(trial).data_keys  # and it opens the console's data, or this raises
    assert keys is not None
    assert keys.source == str(tmp_path / "config" / "peercoach" / "data.key")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_lock_file_root_creates_is_private_and_its_folders_owners(tmp_path: Path) -> None:
    """A backup run as root must not leave a lock file the server's own user cannot open."""
    folder = tmp_path / "data"
    folder.mkdir()
    os.chown(folder, 1234, 1234)
    os.close(open_lock_file(folder / ".snapshot.lock"))
    made = os.stat(folder / ".snapshot.lock")
    assert (made.st_uid, made.st_gid, made.st_mode & 0o777) == (1234, 1234, 0o600)
