"""Leaders' files as the tests read and write them behind the store's back: sealed with the
test session's local key (tests/conftest.py points XDG_CONFIG_HOME at a temporary folder)."""

import base64
import json
import os
from pathlib import Path
from typing import Any

from bot.crypto.keys import key_file, local_keys
from bot.crypto.sealing import local_sealer
from bot.storage.tinydb.users import label_of


def opened(path: Path) -> bytes:
    """The plain content of a leader's file."""
    return local_sealer().open(path.read_bytes(), label_of(path), str(path))


def read_leader_file(path: Path) -> Any:
    return json.loads(opened(path))


def write_leader_file(path: Path, data: Any) -> None:
    plain = data if isinstance(data, bytes) else json.dumps(data).encode()
    path.write_bytes(local_sealer().seal(plain, label_of(path)))


def session_key() -> str:
    """The test session's local key as a PEERCOACH_DATA_KEY value, for `serve` subprocesses:
    what they seal, the tests open."""
    ring, _ = local_keys(key_file(os.environ))
    return base64.b64encode(ring.newest.secret).decode("ascii")
