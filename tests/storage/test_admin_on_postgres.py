"""`peercoach admin` with PEERCOACH_DATABASE_URL: the role lands in the database, where a
running instance's coaching store hears of it (no data folder involved)."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.coaching.store import CoachingStore
from bot.storage.postgres.coaching import PostgresCoachingBackend
from bot.storage.postgres.pool import open_pool
from bot.storage.postgres.url import DatabaseUrl

ROOT = Path(__file__).resolve().parents[2]


def admin(action: str, key: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCOACH_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "admin", action, key],
        env={**env, "PEERCOACH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_coach_granted_from_the_command_line_reaches_a_running_instance(
    database_url: str, tmp_path: Path
) -> None:
    url = DatabaseUrl.parse(database_url)
    pool = await open_pool(url)
    store = CoachingStore(PostgresCoachingBackend(pool, url))
    try:
        await store.load()
        await store.start_listening()
        granted = await asyncio.to_thread(
            admin, "grant-coach", "slack:T1:U0COACH", database_url, tmp_path
        )
        assert granted.returncode == 0, granted.stderr
        assert "within seconds" in granted.stdout
        for _ in range(50):  # bounded: 5 s
            if store.is_coach("slack:T1:U0COACH"):
                break
            await asyncio.sleep(0.1)
        assert store.is_coach("slack:T1:U0COACH")
        revoked = await asyncio.to_thread(
            admin, "revoke-coach", "slack:T1:U0COACH", database_url, tmp_path
        )
        assert revoked.returncode == 0, revoked.stderr
        for _ in range(50):
            if not store.is_coach("slack:T1:U0COACH"):
                break
            await asyncio.sleep(0.1)
        assert not store.is_coach("slack:T1:U0COACH")
        assert not os.listdir(tmp_path)  # no data folder was made beside it
    finally:
        await store.stop_listening()
        await pool.close()
