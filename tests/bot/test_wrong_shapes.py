"""Files that parse but hold the wrong shape are corrupt files: named, left exactly as they
are, never read as "nothing stored" and replaced by a fresh state."""

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.backup.manifest import MANIFEST_NAME, decode_manifest
from bot.channels.teams.notifier import TeamsNotifier
from bot.cli import main
from bot.coaching.store import CoachingStore
from bot.config import Settings
from bot.domain import Reply, UserKey
from bot.errors import BadBackupError, CorruptDataError
from bot.ports import DeliveryError
from bot.schedules.store import ScheduleStore
from bot.services.conversations import SORRY
from bot.storage.tinydb.coaching import TinyDBCoachingBackend
from bot.storage.tinydb.journal import JOURNAL_NAME
from bot.storage.tinydb.journal import _record as journal_record
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore, label_of
from bot.wiring import build_app
from dialogs.model import Profile, Reflection, Say, UserState, UserText
from tests.bot.test_serve import free_port
from tests.channels.teams.world import ALEX as TEAMS_ALEX
from tests.channels.teams.world import teams_world
from tests.conftest import CONTENT_DIR, FakeClock

ALICE = UserKey.console("alice")
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
WRONG_TOP = ["null", "[]", "5", '"text"', "true", '[{"state": {}}]']
Tables = dict[str, Any]


def put(path: Path, content: str) -> None:
    path.write_text(content)


def content_of(path: Path) -> str:
    return path.read_text()


async def stored_file(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    """A real leader's file with one reflection, and its tables as written."""
    store = TinyDBUserStore(tmp_path)
    state = UserState(
        profile=Profile(display_name="Alice"),
        reflections=(Reflection("r1", AT, "kept words"),),
    )
    await store.save(ALICE, state, expected_version=0)
    store.close()
    path = store.path_for(ALICE)
    plain = store.sealer.open(path.read_bytes(), label_of(path), str(path))
    return path, json.loads(plain)  # changed and written back plain, as an older release did


async def assert_refused(tmp_path: Path, path: Path, content: str) -> None:
    put(path, content)
    store = TinyDBUserStore(tmp_path)
    try:
        with pytest.raises(CorruptDataError) as raised:
            await store.load(ALICE)
        assert str(path) in str(raised.value)
        with pytest.raises(CorruptDataError):
            await store.save(ALICE, UserState(), expected_version=1)
        with pytest.raises(CorruptDataError):
            await store.transact(ALICE, lambda _stored: (UserState(), None))
        with pytest.raises(CorruptDataError):
            await store.save_extra(ALICE, "teams", {"conversation": {}})
    finally:
        store.close()
    assert content_of(path) == content


@pytest.mark.parametrize("content", WRONG_TOP)
async def test_a_leader_file_of_the_wrong_shape_is_corrupt(tmp_path: Path, content: str) -> None:
    path, _ = await stored_file(tmp_path)
    await assert_refused(tmp_path, path, content)


NESTED: dict[str, Callable[[Tables], Tables]] = {
    "reflections a list": lambda t: t | {"reflections": []},
    "reflections a number": lambda t: t | {"reflections": 5},
    "a reflection null": lambda t: t | {"reflections": {"1": None}},
    "a reflection a list": lambda t: t | {"reflections": {"1": []}},
    "doc id not a number": lambda t: t | {"reflections": {"a": {}}},
    "state null, reflections kept": lambda t: t | {"state": {"1": None}},
    "state empty, reflections kept": lambda t: t | {"state": {}},
    "state missing, reflections kept": lambda t: {k: v for k, v in t.items() if k != "state"},
    "state a list": lambda t: t | {"state": []},
    "state without a version": lambda t: t | {"state": {"1": {"profile": {}}}},
    "state of the wrong type inside": lambda t: t | {"state": {"1": {"version": 1, "seq": []}}},
    "reflections inside the state": lambda t: (
        t | {"state": {"1": t["state"]["1"] | {"reflections": {}}}}
    ),
    "two state documents": lambda t: t | {"state": {"1": t["state"]["1"], "2": {}}},
    "meta a number": lambda t: t | {"meta": 5},
    "extra value a list": lambda t: t | {"extra": {"1": {"name": "teams", "value": []}}},
    "extra without a name": lambda t: t | {"extra": {"1": {"value": {}}}},
}


@pytest.mark.parametrize("change", NESTED.values(), ids=NESTED.keys())
async def test_a_wrong_shape_inside_a_leader_file_is_corrupt(
    tmp_path: Path, change: Callable[[Tables], Tables]
) -> None:
    path, tables = await stored_file(tmp_path)
    await assert_refused(tmp_path, path, json.dumps(change(tables)))


async def test_a_file_of_only_a_teams_reference_is_still_a_new_leader(tmp_path: Path) -> None:
    """Meta and a conversation reference, no state yet: a real first contact, not corrupt."""
    store = TinyDBUserStore(tmp_path)
    await store.save_extra(ALICE, "teams", {"conversation": {"x": 1}})
    assert await store.load(ALICE) is None
    saved = await store.save(ALICE, UserState(), expected_version=0)
    assert saved.version == 1
    assert await store.load_extra(ALICE, "teams") == {"conversation": {"x": 1}}
    store.close()


async def test_a_leader_whose_file_holds_null_keeps_it_and_is_told_sorry(tmp_path: Path) -> None:
    """Today's bug: `null` read as "no file", so the next turn wrote a fresh state over it."""
    path, _ = await stored_file(tmp_path)
    put(path, "null")
    app = build_app(Settings(data_dir=tmp_path, content_dir=CONTENT_DIR), FakeClock(AT))
    await app.open()
    reply = await app.conversations.handle(ALICE, UserText("hello", AT))
    await app.close()
    assert [m.text for m in reply.messages] == [SORRY]  # type: ignore[attr-defined]
    assert content_of(path) == "null"


SHARED_WRONG = [
    *WRONG_TOP,
    '{"schedules": []}',
    '{"schedules": 5}',
    '{"schedules": {"1": null}}',
    '{"schedules": {"1": []}}',
    '{"schedules": {"x": {}}}',
    '{"schedules": {"1": {"id": 5}}}',
    '{"reminders": {"1": {"id": "r", "user": "console:a"}}}',
]


@pytest.mark.parametrize("content", SHARED_WRONG)
async def test_a_schedules_file_of_the_wrong_shape_is_corrupt(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "schedules.json"
    put(path, content)
    store = ScheduleStore(TinyDBScheduleBackend(tmp_path))
    with pytest.raises(CorruptDataError) as raised:
        await store.load()
    assert str(path) in str(raised.value)
    if '"id"' not in content:  # no TinyDB tables; a bad row stays as it is when others change
        with pytest.raises(CorruptDataError):
            await store.backend.file.write(lambda db: db.table("schedules").all())
    assert content_of(path) == content


COACHING_WRONG = [
    *WRONG_TOP,
    '{"coaches": []}',
    '{"links": {"1": "x"}}',
    '{"links": {"1": {"id": "a", "coach": "console:c"}}}',
    '{"people": {"1": {"user": 5, "name": "x"}}}',
]


@pytest.mark.parametrize("content", COACHING_WRONG)
async def test_a_coaching_file_of_the_wrong_shape_is_corrupt(tmp_path: Path, content: str) -> None:
    path = tmp_path / "coaching.json"
    put(path, content)
    store = CoachingStore(TinyDBCoachingBackend(tmp_path))
    with pytest.raises(CorruptDataError) as raised:
        await store.load()
    assert str(path) in str(raised.value)
    if content in WRONG_TOP or content.startswith(('{"coaches": []', '{"links": {"1": "')):
        with pytest.raises(CorruptDataError):
            await store.grant("console:c", "console:admin", AT)
    assert content_of(path) == content


LEDGER_WRONG = [
    "null",
    "[]",
    "5",
    '"sent"',
    '{"k": "a"}',
    '{"k": "a", "s": "lost", "at": "2026-11-27T09:00:00+00:00"}',
    '{"k": "a", "s": "sent", "at": 5}',
    '{"k": 5, "s": "sent", "at": "2026-11-27T09:00:00+00:00"}',
    '{"k": "a", "s": "sent", "at": "2026-11-27T09:00:00+00:00", "d": "soon"}',
    '{"t": "tick", "at": null}',
]


@pytest.mark.parametrize("line", LEDGER_WRONG)
async def test_a_ledger_line_of_the_wrong_shape_is_corrupt(tmp_path: Path, line: str) -> None:
    path = tmp_path / "deliveries.log"
    good = '{"k":"b","s":"sent","at":"2026-11-27T09:00:00+00:00"}'
    content = f"{good}\n{line}\n{good}\n"
    put(path, content)
    ledger = FileDeliveryLedger(path)
    with pytest.raises(CorruptDataError) as raised:
        await ledger.open()
    assert str(path) in str(raised.value)
    assert "line 2" in str(raised.value)
    assert content_of(path) == content


async def test_a_torn_last_ledger_line_is_still_only_dropped(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.log"
    put(path, '{"k":"b","s":"sent","at":"2026-11-27T09:00:00+00:00"}\n{"k":"c","s')
    ledger = FileDeliveryLedger(path)
    await ledger.open()
    assert ledger.status("b") == "sent"
    assert ledger.torn_lines == 1
    await ledger.close()


@pytest.mark.parametrize(
    "conversation", [[], 5, "x", {"claims": []}, {"claims": {}, "conversation_reference": 5}]
)
async def test_a_teams_reference_of_the_wrong_shape_is_kept_and_not_used(
    tmp_path: Path, conversation: object
) -> None:
    async with teams_world(tmp_path, FakeClock(AT)) as world:
        await world.say("hello")
        notifier = world.app.notifiers["teams"]
        assert isinstance(notifier, TeamsNotifier)
        await world.app.users.save_extra(TEAMS_ALEX, "teams", {"conversation": conversation})
        notifier.deps.memory.conversations.clear()  # as after a restart
        with pytest.raises(DeliveryError) as raised:
            await notifier.deliver(TEAMS_ALEX, Reply((Say("a nudge"),)), "k")
        assert raised.value.permanent
        stored = await world.app.users.load_extra(TEAMS_ALEX, "teams")
        assert stored == {"conversation": conversation}


@pytest.mark.parametrize("name", ["../outside.json", "/tmp/x.json", "users/a.txt", ""])
def test_a_journal_record_naming_no_leaders_file_replays_nothing(
    tmp_path: Path, name: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    journal_path = data / JOURNAL_NAME
    good = journal_record("users/a.json", b'{"meta": {}}')
    journal_path.write_bytes(good + journal_record(name, b"{}"))
    with pytest.raises(CorruptDataError) as raised:
        TinyDBUserStore(data)
    assert str(journal_path) in str(raised.value)
    assert not (tmp_path / "outside.json").exists()
    assert not (data / "users" / "a.json").exists()  # nothing of it was replayed
    assert journal_path.read_bytes() == good + journal_record(name, b"{}")


@pytest.mark.parametrize("content", [*WRONG_TOP, '{"files": [], "created_at": null}'])
def test_a_backup_manifest_of_the_wrong_shape_is_refused(content: str) -> None:
    with pytest.raises(BadBackupError, match=MANIFEST_NAME):
        decode_manifest(content.encode())


@pytest.mark.parametrize("command", ["serve", "console"])
def test_serve_and_console_name_a_refused_file_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    path = tmp_path / "coaching.json"
    put(path, '{"links": []}')
    monkeypatch.setenv("PEERCOACH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PEERCOACH_LOCAL_TRIAL", "1")
    monkeypatch.setenv("PORT", str(free_port()))
    monkeypatch.setattr("sys.stdin", io.StringIO("hello\n"))
    assert main([command]) == 1
    error = capsys.readouterr().err
    assert f"cannot read {path}: table 'links' is a list" in error
    assert "Traceback" not in error
    assert content_of(path) == '{"links": []}'
