"""Data keys: `PEERCOACH_DATA_KEY` (base64 keys, comma-separated, newest first) and the local
key file the console and a local trial use when that setting is not given.

A key id is a short hash of the key, stored beside each ciphertext, so a file says which key
opened it and `peercoach rekey` knows what is left to re-seal. The id reveals nothing of the
key: 32 bits of a SHA-256 over 256 random bits.
"""

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

SETTING = "PEERCOACH_DATA_KEY"
KEY_BYTES = 32  # AES-256
KEY_FILE = Path("peercoach") / "data.key"


@dataclass(frozen=True)
class DataKey:
    id: str
    secret: bytes

    def __repr__(self) -> str:  # the secret never reaches a log or a traceback
        return f"DataKey(id={self.id!r})"

    @classmethod
    def of(cls, secret: bytes) -> "DataKey":
        return cls(hashlib.sha256(b"peercoach key id\x00" + secret).hexdigest()[:8], secret)


@dataclass(frozen=True)
class KeyRing:
    """Keys that may open stored data, the newest (the one that seals) first."""

    keys: tuple[DataKey, ...]
    source: str  # where they came from, for messages: the setting or the key file's path

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a key ring holds at least one key")

    @property
    def newest(self) -> DataKey:
        return self.keys[0]

    def find(self, key_id: str) -> DataKey | None:
        return next((key for key in self.keys if key.id == key_id), None)


def generate_key() -> str:
    """A new random key, base64, as `peercoach keygen` prints it."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_keys(value: str, source: str = SETTING) -> KeyRing:
    """The keys of a `PEERCOACH_DATA_KEY` value; ConfigError names the setting and the fix."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        raise ConfigError(_bad(source, "holds no key"))  # only a key file can be empty
    keys = []
    for number, part in enumerate(parts, 1):
        secret = _decode(part)
        if secret is None or len(secret) != KEY_BYTES:
            which = f"(key {number} of {len(parts)}) " if len(parts) > 1 else ""
            raise ConfigError(_bad(source, f"{which}is not a base64 value of 32 bytes"))
        keys.append(DataKey.of(secret))
    return KeyRing(tuple(keys), source)


def _decode(part: str) -> bytes | None:
    """Standard or URL-safe base64, padding optional; None if it is neither."""
    standard = part.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _bad(source: str, problem: str) -> str:
    if source == SETTING:
        return (
            f"{SETTING} {problem}; set it to the output of `peercoach keygen`, e.g. "
            f"{SETTING}=q0Jd...= (several keys comma-separated, newest first)"
        )
    return (
        f"the key file {source} {problem}; delete it only if no data was written with it, or "
        f"set {SETTING} to the key the data was written with"
    )


def key_file(env: Mapping[str, str]) -> Path:
    """`$XDG_CONFIG_HOME/peercoach/data.key`, by default under ~/.config: outside the data
    folder, so a copy or backup of the folder does not carry its key."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / KEY_FILE


def read_key_file(path: Path) -> KeyRing | None:
    """The keys in the local key file; None if there is none."""
    try:
        value = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read the key file {path} ({exc}); fix its permissions or set {SETTING}"
        ) from exc
    return parse_keys(value, source=str(path))


def local_keys(path: Path) -> tuple[KeyRing, bool]:
    """The local key file's keys, creating the file (0600, its folder 0700) on first use;
    True if it was created now."""
    found = read_key_file(path)
    if found is not None:
        return found, False
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another console created it a moment ago: use theirs
        return local_keys(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the key file {path} ({exc.strerror}); set {SETTING} instead "
            "(`peercoach keygen` makes a key)"
        ) from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return parse_keys(value, source=str(path)), True
