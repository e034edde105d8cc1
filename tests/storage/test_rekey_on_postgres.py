"""`peercoach rekey` with PEERCOACH_DATABASE_URL: every leader's row and channel data
re-sealed with the newest key in place, the words unchanged, the old key no longer needed."""

import os
import subprocess
import sys
from pathlib import Path

from bot.crypto.keys import generate_key, parse_keys
from bot.crypto.sealing import Sealer
from bot.domain import UserKey
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from dialogs.model import Reflection, UserState
from tests.conftest import AT

ROOT = Path(__file__).resolve().parents[2]
LEADERS = [UserKey("slack", "T1", f"U{i:03d}") for i in range(5)]


def rekey(url: str, keys: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCOACH_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "rekey"],
        env={**env, "PEERCOACH_DATABASE_URL": url, "PEERCOACH_DATA_KEY": keys},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_rekey_reseals_every_row_and_the_old_key_can_go(database_url: str) -> None:
    old, new = generate_key(), generate_key()
    url = DatabaseUrl.parse(database_url)
    pool = await open_pool(url)
    try:
        before = PostgresUserStore(pool, Sealer(parse_keys(old)), url)
        for key in LEADERS:
            state = UserState(reflections=(Reflection("r1", AT, f"words of {key.user}", None),))
            await before.save(key, state, expected_version=0)
            await before.save_extra(key, "teams", {"conversation": key.user})

        refused = rekey(database_url, new)  # the old key missing: nothing opens, nothing changes
        assert refused.returncode == 2
        assert "Traceback" not in refused.stderr
        assert (await before.load(LEADERS[0])) is not None

        done = rekey(database_url, f"{new},{old}")
        assert done.returncode == 0, done.stderr
        assert "5 leader(s) re-sealed" in done.stdout
        assert rekey(database_url, f"{new},{old}").stdout.count("0 leader(s) re-sealed") == 1

        after = PostgresUserStore(pool, Sealer(parse_keys(new)), url)  # the old key dropped
        for key in LEADERS:
            state = await after.load(key)
            assert state is not None
            assert state.reflections[0].text == f"words of {key.user}"
            assert await after.load_extra(key, "teams") == {"conversation": key.user}
    finally:
        await pool.close()


def test_rekey_with_a_key_that_opens_nothing_changes_nothing(database_url: str) -> None:
    # an empty database opens with any key; a wrong key on a full one is refused by name
    result = rekey(database_url, generate_key())
    assert result.returncode == 0, result.stderr
    assert "0 leader(s) re-sealed" in result.stdout
