"""Sealing and keys as the stores use them: real AES-GCM, real files, no mocks."""

import base64
import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.crypto.keys import DataKey, KeyRing, generate_key, local_keys, parse_keys
from bot.crypto.sealing import KeyMismatchError, Sealer, SealError, is_sealed, sealed_by
from bot.domain import UserKey
from bot.errors import ConfigError, CorruptDataError
from bot.storage import codec
from bot.storage.rekey import reseal
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.model import Profile, Reflection, UserState
from tests.conftest import AT

ALICE, BOB = UserKey.console("alice"), UserKey.console("bob")
MARKER = "MARKER-7f3a-words-a-leader-wrote"


def ring(*values: str) -> KeyRing:
    return parse_keys(",".join(values))


def state(text: str = MARKER) -> UserState:
    return UserState(
        profile=Profile(display_name="Alice"), reflections=(Reflection("r1", AT, text),)
    )


def test_a_sealed_document_opens_with_its_label_only() -> None:
    sealer = Sealer(ring(generate_key()))
    sealed = sealer.seal(b'{"words": "private"}', "users/a.json")
    assert is_sealed(sealed)
    assert b"private" not in sealed
    assert sealer.open(sealed, "users/a.json", "a") == b'{"words": "private"}'
    with pytest.raises(SealError, match="another leader"):
        sealer.open(sealed, "users/b.json", "b")


def test_every_write_has_its_own_nonce() -> None:
    sealer = Sealer(ring(generate_key()))
    assert sealer.seal(b"same", "x") != sealer.seal(b"same", "x")


def test_a_changed_byte_or_a_header_pointed_at_another_key_does_not_open() -> None:
    old, new = generate_key(), generate_key()
    sealer = Sealer(ring(new, old))
    sealed = bytearray(sealer.seal(b"words", "x"))
    sealed[-1] ^= 1
    with pytest.raises(SealError):
        sealer.open(bytes(sealed), "x", "x")
    older = Sealer(ring(old)).seal(b"words", "x")
    pointed = older.replace(
        DataKey.of(base64.b64decode(old)).id.encode(),
        DataKey.of(base64.b64decode(new)).id.encode(),
    )
    with pytest.raises(SealError):
        sealer.open(pointed, "x", "x")


def test_an_older_key_still_opens_and_the_newest_seals() -> None:
    old, new = generate_key(), generate_key()
    sealed = Sealer(ring(old)).seal(b"words", "x")
    both = Sealer(ring(new, old))
    assert both.open(sealed, "x", "x") == b"words"
    assert not both.is_current(sealed)
    assert sealed_by(both.seal(b"words", "x")) == both.ring.newest.id
    with pytest.raises(KeyMismatchError, match="PEERCOACH_DATA_KEY"):
        Sealer(ring(new)).open(sealed, "x", "x")


def test_plain_documents_from_before_sealing_are_read_as_they_are() -> None:
    assert Sealer(ring(generate_key())).open(b'{"a": 1}', "x", "x") == b'{"a": 1}'


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("not base64!", "is not a base64 value of 32 bytes"),
        (base64.b64encode(b"short").decode(), "is not a base64 value of 32 bytes"),
        (f"{generate_key()},nope", "(key 2 of 2) is not"),
    ],
)
def test_a_malformed_key_names_the_setting_and_never_echoes_it(value: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PEERCOACH_DATA_KEY": value})
    message = str(raised.value)
    assert message.startswith("PEERCOACH_DATA_KEY")
    assert problem in message
    assert "peercoach keygen" in message
    assert value not in message


def test_keys_are_standard_or_url_safe_base64_newest_first_and_never_shown() -> None:
    raw = bytes(range(250, 256)) * 5 + b"\xfb\xff"
    standard, urlsafe = base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()
    assert standard != urlsafe
    settings = Settings.from_env(
        {"PEERCOACH_DATA_KEY": f" {urlsafe.rstrip('=')} , {generate_key()}"}
    )
    assert settings.data_keys is not None
    assert settings.data_keys.newest.secret == raw
    assert len(settings.data_keys.keys) == 2
    assert parse_keys(standard).newest.secret == raw
    shown = repr(settings)
    for secret in (standard, urlsafe, repr(raw)):
        assert secret not in shown


def test_the_local_key_file_is_made_once_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "config" / "peercoach" / "data.key"
    first, created = local_keys(path)
    again, created_again = local_keys(path)
    assert (created, created_again) == (True, False)
    assert first.newest == again.newest
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


# ------------------------------------------------------------------ through the store


async def test_a_leaders_file_holds_no_word_they_wrote(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path, Sealer(ring(generate_key())))
    await store.save(ALICE, state(), expected_version=0)
    await store.save_extra(ALICE, "teams", {"conversation": {"id": MARKER}})
    raw = store.path_for(ALICE).read_bytes()
    assert MARKER.encode() not in raw
    assert b"Alice" not in raw
    loaded = await store.load(ALICE)
    assert loaded is not None
    assert loaded.reflections[0].text == MARKER
    store.close()


async def test_a_file_copied_onto_another_leaders_name_does_not_open(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path, Sealer(ring(generate_key())))
    await store.save(ALICE, state(), expected_version=0)
    await store.save(BOB, state("bob's own"), expected_version=0)
    store.close()
    copied = store.path_for(ALICE).read_bytes()
    store.path_for(BOB).write_bytes(copied)
    reopened = TinyDBUserStore(tmp_path, store.sealer)
    with pytest.raises(CorruptDataError, match="copied from another leader"):
        await reopened.load(BOB)
    assert store.path_for(BOB).read_bytes() == copied  # left exactly as it is
    reopened.close()


async def test_files_of_the_current_release_are_read_and_sealed_on_their_next_write(
    tmp_path: Path,
) -> None:
    """A folder as the release before sealing wrote it: plain TinyDB JSON per leader."""
    users = tmp_path / "users"
    users.mkdir()
    sections = codec.to_sections(str(ALICE), state())
    tables = {
        name: {"1": value}
        if name in ("meta", "state")
        else dict((str(i), row) for i, row in enumerate(value, 1))
        for name, value in sections.items()
    }
    plain = users / f"{ALICE.hashed}.json"
    plain.write_text(json.dumps(tables))
    store = TinyDBUserStore(tmp_path, Sealer(ring(generate_key())))
    loaded = await store.load(ALICE)
    assert loaded is not None
    assert loaded.reflections[0].text == MARKER
    assert plain.read_text() == json.dumps(tables)  # reading changes nothing
    await store.save(ALICE, loaded, expected_version=loaded.version)
    assert is_sealed(plain.read_bytes())
    assert MARKER.encode() not in plain.read_bytes()
    store.close()


async def test_rekey_reseals_plain_and_old_files_with_the_newest_key_and_can_run_again(
    tmp_path: Path,
) -> None:
    old, new = generate_key(), generate_key()
    store = TinyDBUserStore(tmp_path, Sealer(ring(old)))
    await store.save(ALICE, state(), expected_version=0)
    store.close()
    plain = tmp_path / "users" / "0123456789abcdef.json"
    plain.write_text(json.dumps({"meta": {"1": {"schema": 1, "key": "console:carol"}}}))

    rotated = TinyDBUserStore(tmp_path, Sealer(ring(new, old)))
    done = await reseal(rotated)
    assert (done.resealed, done.current) == (2, 0)
    again = await reseal(rotated)
    assert (again.resealed, again.current) == (0, 2)
    rotated.close()

    only_new = TinyDBUserStore(tmp_path, Sealer(ring(new)))  # the old key can go now
    loaded = await only_new.load(ALICE)
    assert loaded is not None
    assert loaded.reflections[0].text == MARKER
    assert is_sealed(plain.read_bytes())
    only_new.close()


async def test_rekey_with_a_wrong_key_changes_nothing(tmp_path: Path) -> None:
    store = TinyDBUserStore(tmp_path, Sealer(ring(generate_key())))
    await store.save(ALICE, state(), expected_version=0)
    await store.save(BOB, state(), expected_version=0)
    store.close()
    before = {p.name: p.read_bytes() for p in (tmp_path / "users").iterdir()}
    wrong = TinyDBUserStore(tmp_path, Sealer(ring(generate_key())))
    with pytest.raises(KeyMismatchError):
        await reseal(wrong)
    wrong.close()
    assert {p.name: p.read_bytes() for p in (tmp_path / "users").iterdir()} == before
