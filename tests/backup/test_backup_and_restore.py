"""`peercoach backup` and `peercoach restore` as an operator runs them: what goes into the
file, which archives and folders are refused (with the data folder untouched), and what a
forced restore keeps."""

import asyncio
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.backup.manifest import SCHEMA_VERSION
from bot.cli import main
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain import UserKey
from bot.schedules.ledger import Entry
from bot.storage.in_use import sole_user_of
from bot.wiring import build_app
from dialogs.model import Profile, UserState
from tests.backup.writer_process import marker
from tests.bot.test_serve import run_serve
from tests.conftest import AT, CONTENT_DIR

ROOT = Path(__file__).resolve().parents[2]
Members = list[tuple[tarfile.TarInfo, bytes]]


async def fill(data: Path, name: str) -> None:
    """A data folder written by the real stores, with a crash's leftover temp file."""
    app = build_app(Settings(data_dir=data, content_dir=CONTENT_DIR), SystemClock())
    await app.open()
    for index in range(3):
        key = UserKey.console(f"{name}{index}")
        state = UserState(profile=Profile(display_name=f"{name} {index}"))
        await app.users.save(key, state, expected_version=0)
        await app.ledger.record(Entry(f"{key}:1", "sent", AT, user=str(key)))
    await app.schedules.put_schedules(marker(1))
    await app.coaching_store.grant(f"console:{name}0", "test", AT)
    await app.close()
    (data / "users" / ".crashed.json.0123abcd.tmp").write_bytes(b'{"half')


LOCKS = (".in-use.lock", ".snapshot.lock")  # empty; any peercoach command may create them


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, temp files included, by relative path; not the locks."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name not in LOCKS
    }


def data_only(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if not any(p.startswith(".") for p in k.split("/"))}


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    source, out = tmp_path / "source", tmp_path / "backup.tar.gz"
    asyncio.run(fill(source, "old"))
    assert main(["backup", "--data-dir", str(source), "--out", str(out)]) == 0
    return out


@pytest.fixture
def occupied(tmp_path: Path) -> Path:
    """A data folder that already holds other data."""
    data = tmp_path / "data"
    asyncio.run(fill(data, "current"))
    return data


def test_a_backup_holds_every_data_file_with_its_checksum_and_nothing_else(
    tmp_path: Path, backup: Path
) -> None:
    with tarfile.open(backup) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        contents = {n: tar.extractfile(n).read() for n in names if n.startswith("data/")}
    expected = data_only(tree(tmp_path / "source"))
    assert names[-1] == "manifest.json"  # last: an archive cut short has none
    assert {n.removeprefix("data/") for n in contents} == set(expected)
    assert manifest["format_version"] == 1
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["created_at"].endswith("Z")
    for entry in manifest["files"]:
        content = expected[entry["path"]]
        assert entry["size"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert not list(tmp_path.glob(".*"))  # the temporary archive was renamed into place
    assert not list((tmp_path / "source").glob(".backup-*"))  # and the scratch copy removed


def test_a_restore_into_a_new_folder_gives_back_every_file(tmp_path: Path, backup: Path) -> None:
    restored = tmp_path / "restored"
    assert main(["restore", str(backup), "--data-dir", str(restored)]) == 0
    assert tree(restored) == data_only(tree(tmp_path / "source"))


def test_a_folder_holding_data_is_refused_without_force_and_kept_aside_with_it(
    tmp_path: Path, backup: Path, occupied: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(occupied)
    assert main(["restore", str(backup), "--data-dir", str(occupied)]) == 1
    err = capsys.readouterr().err
    assert "already holds data" in err
    assert "--force" in err
    assert "Nothing was changed" in err
    assert tree(occupied) == before

    assert main(["restore", str(backup), "--data-dir", str(occupied), "--force"]) == 0
    out = capsys.readouterr().out
    (aside,) = tmp_path.glob("data.before-restore-*")
    assert str(aside) in out
    assert data_only(tree(aside)) == data_only(before)  # the old data, whole
    assert tree(occupied) == data_only(tree(tmp_path / "source"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["backup.tar.gz", "source", "data", aside.name]
    )


# ---------------------------------------------------------------- archives that are refused


def members_of(archive: Path) -> Members:
    with tarfile.open(archive) as tar:
        return [(m, tar.extractfile(m).read()) for m in tar.getmembers()]


def write_members(members: Members, out: Path) -> None:
    with tarfile.open(out, "w:gz") as tar:
        for info, content in members:
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content) if info.isreg() else None)


def with_file(members: Members, name: str, content: bytes, **fields: object) -> Members:
    """Add a data member, listed in the manifest with its true checksum."""
    info = tarfile.TarInfo(name)
    for field, value in fields.items():
        setattr(info, field, value)
    manifest_info, manifest = members[-1]
    document = json.loads(manifest)
    document["files"].append(
        {
            "path": name.removeprefix("data/"),
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
    )
    return [*members[:-1], (info, content), (manifest_info, json.dumps(document).encode())]


def tampered(members: Members) -> Members:
    info, content = members[0]
    return [(info, content.replace(b"old", b"new")), *members[1:]]


def newer_schema(members: Members) -> Members:
    info, manifest = members[-1]
    document = json.loads(manifest) | {"schema_version": SCHEMA_VERSION + 1}
    return [*members[:-1], (info, json.dumps(document).encode())]


BAD_ARCHIVES: dict[str, tuple[Callable[[Members], Members], str]] = {
    "tampered": (tampered, "checksum of"),
    "traversal": (lambda m: with_file(m, "data/../../evil.json", b"{}"), "outside"),
    "absolute": (lambda m: with_file(m, "/tmp/evil.json", b"{}"), "outside"),
    "symlink": (
        lambda m: with_file(m, "data/users/link.json", b"", type=tarfile.SYMTYPE, linkname="/"),
        "link",
    ),
    "no manifest": (lambda m: m[:-1], "no manifest.json"),
    "duplicate": (lambda m: [m[0], *m], "twice"),
    "unlisted": (lambda m: [(tarfile.TarInfo("data/extra.json"), b"{}"), *m], "does not list"),
    "not json": (lambda m: with_file(m, "data/users/bad.json", b'{"half'), "not valid JSON"),
    "wrong shape": (
        lambda m: with_file(m, "data/users/bad.json", b'{"state": {}, "reflections": []}'),
        "not in peercoach's shape",
    ),
    "newer schema": (newer_schema, "newer peercoach"),
}


@pytest.mark.parametrize("kind", sorted(BAD_ARCHIVES))
def test_a_bad_archive_is_refused_and_the_data_folder_untouched(
    tmp_path: Path, backup: Path, occupied: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    change, reason = BAD_ARCHIVES[kind]
    bad = tmp_path / "bad.tar.gz"
    write_members(change(members_of(backup)), bad)
    assert_refused(bad, occupied, reason, capsys)


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_a_truncated_archive_is_refused(
    tmp_path: Path,
    backup: Path,
    occupied: Path,
    keep: float,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw = backup.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(raw[: int(len(raw) * keep)])
    assert_refused(cut, occupied, "damaged or incomplete", capsys)


def assert_refused(
    archive: Path, data: Path, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(data)
    siblings = sorted(p.name for p in data.parent.iterdir())
    assert main(["restore", str(archive), "--data-dir", str(data), "--force"]) == 1
    err = capsys.readouterr().err
    assert "is not a usable backup" in err
    assert reason in err
    assert "Nothing was changed" in err
    assert err.count("\n") == 1  # one sentence, no traceback
    assert tree(data) == before
    assert sorted(p.name for p in data.parent.iterdir()) == siblings  # no scratch left
    assert not Path("/tmp/evil.json").exists()


def test_a_refused_restore_into_a_new_folder_leaves_no_folder(
    tmp_path: Path, backup: Path
) -> None:
    bad = tmp_path / "bad.tar.gz"
    write_members(tampered(members_of(backup)), bad)
    assert main(["restore", str(bad), "--data-dir", str(tmp_path / "new")]) == 1
    assert not (tmp_path / "new").exists()


# ---------------------------------------------------------------- processes and crashes


def test_serve_refuses_to_start_on_a_folder_being_restored(tmp_path: Path) -> None:
    with sole_user_of(tmp_path):  # what a running restore holds
        result = run_serve({"PEERCOACH_LOCAL_TRIAL": "1", "PEERCOACH_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert f"PEERCOACH_DATA_DIR={tmp_path} is being restored" in result.stderr
    assert "Traceback" not in result.stderr


CRASH_AT = textwrap.dedent("""
    import os, signal, sys
    from bot.backup import restore
    from bot.cli import main

    def crash(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if sys.argv[3] == "before-swap":
        restore.swap_in = crash
    else:  # after the swap, before the old folder is renamed aside
        os.rename = crash
    main(["restore", sys.argv[1], "--data-dir", sys.argv[2], "--force"])
""")


def crash_restore(backup: Path, data: Path, when: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CRASH_AT, str(backup), str(data), when],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -9, result.stderr  # killed, as planned


def test_a_restore_killed_before_the_swap_leaves_the_data_folder_as_it_was(
    tmp_path: Path, backup: Path, occupied: Path
) -> None:
    before = tree(occupied)
    crash_restore(backup, occupied, "before-swap")
    assert tree(occupied) == before
    assert len(list(tmp_path.glob(".data.restoring-*"))) == 1  # the extracted copy
    assert main(["restore", str(backup), "--data-dir", str(occupied), "--force"]) == 0
    assert not list(tmp_path.glob(".data.restoring-*"))  # removed by the next restore


def test_a_restore_killed_just_after_the_swap_never_loses_the_old_data(
    tmp_path: Path, backup: Path, occupied: Path
) -> None:
    before = data_only(tree(occupied))
    crash_restore(backup, occupied, "after-swap")
    assert tree(occupied) == data_only(tree(tmp_path / "source"))  # wholly the backup
    (old,) = tmp_path.glob(".data.restoring-*")
    assert data_only(tree(old)) == before  # wholly the old data
    assert main(["restore", str(backup), "--data-dir", str(occupied), "--force"]) == 0
    assert data_only(tree(old)) == before  # a later restore does not take it for scratch


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")
def test_a_restore_run_as_root_gives_the_files_to_the_data_folders_owner(
    backup: Path, occupied: Path
) -> None:
    os.chown(occupied, 4321, 4321)
    assert main(["restore", str(backup), "--data-dir", str(occupied), "--force"]) == 0
    owners = {(p.stat().st_uid, p.stat().st_gid) for p in [occupied, *occupied.rglob("*")]}
    assert owners == {(4321, 4321)}


def test_backup_names_the_setting_when_the_folder_holds_no_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup", "--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "holds no peercoach data" in err
    assert "PEERCOACH_DATA_DIR" in err


def test_backup_refuses_to_write_into_the_data_folder(
    tmp_path: Path, backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source"
    assert main(["backup", "--data-dir", str(source), "--out", str(source / "b.tar.gz")]) == 1
    assert "inside the data folder" in capsys.readouterr().err


def test_backup_copies_where_it_cannot_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(fill(tmp_path / "source", "old"))

    def refuse(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # fs.protected_hardlinks

    monkeypatch.setattr(os, "link", refuse)
    out, restored = tmp_path / "b.tar.gz", tmp_path / "restored"
    assert main(["backup", "--data-dir", str(tmp_path / "source"), "--out", str(out)]) == 0
    assert main(["restore", str(out), "--data-dir", str(restored)]) == 0
    assert tree(restored) == data_only(tree(tmp_path / "source"))
