"""`peercoach backup` against a real `peercoach serve` that leaders keep writing to over
Slack, then `peercoach restore` refused while it runs and accepted once it has stopped."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from bot.domain import UserKey
from bot.storage.tinydb.users import TinyDBUserStore
from tests.bot.test_serve import (
    ROOT,
    SECRET,
    free_port,
    slack_serve_env,
    start_serve,
    wait_until_up,
)
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import TEAM_ID, event_body, message_im, signed_headers
from tests.stored import read_leader_file

LEADERS = [f"U0B{i:02d}" for i in range(8)]
MAX_MESSAGES = 300  # per leader: each sets quiet hours that encode its number


def quiet_from(number: int) -> str:
    return f"{10 + number // 60:02d}:{number % 60:02d}"


class Leaders:
    """Leaders writing one message after another, each waiting for the bot's answer."""

    def __init__(self, url: str, fake: FakeSlackApi) -> None:
        self.url, self.fake = url, fake
        self.sent = dict.fromkeys(LEADERS, 0)  # the number of the newest message sent
        self.answered = dict.fromkeys(LEADERS, 0)  # ... and of the newest one answered
        self.stop = asyncio.Event()

    async def run(self) -> None:
        async with aiohttp.ClientSession() as http:
            await asyncio.gather(*(self._leader(http, user) for user in LEADERS))

    async def _leader(self, http: aiohttp.ClientSession, user: str) -> None:
        for number in range(1, MAX_MESSAGES + 1):
            if self.stop.is_set():
                return
            self.sent[user] = number
            body = event_body(message_im(user, f"quiet {quiet_from(number)}-07:00"))
            headers = signed_headers(SECRET, body)
            async with http.post(self.url + "/slack/events", data=body, headers=headers) as r:
                assert r.status == 200
            await self._answer(user, f"between {quiet_from(number)} and")
            self.answered[user] = number

    async def _answer(self, user: str, words: str) -> None:
        for _ in range(1000):  # bounded: 10 s
            if any(words in str(m.get("text")) for m in self.fake.messages["D" + user][-3:]):
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"no answer to {user}")


def run_backup(env: dict[str, str], out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "backup", "--out", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_backup_of_a_busy_server_restores_to_states_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out, port = tmp_path / "data", tmp_path / "backup.tar.gz", free_port()
    async with FakeSlackApi() as fake:
        env = slack_serve_env(fake, port, data)
        server = await asyncio.to_thread(start_serve, env, tmp_path / "serve.log")
        try:
            await wait_until_up(f"http://127.0.0.1:{port}", server)
            leaders = Leaders(f"http://127.0.0.1:{port}", fake)
            load = asyncio.create_task(leaders.run())
            while min(leaders.answered.values()) < 5:  # every leader has a file and history
                assert not load.done(), load
                await asyncio.sleep(0.02)
            low = dict(leaders.answered)
            backup = await asyncio.to_thread(run_backup, env, out)
            high = dict(leaders.sent)
            assert backup.returncode == 0, backup.stderr

            capsys.readouterr()
            refused = await asyncio.to_thread(
                main, ["restore", str(out), "--force", "--data-dir", str(data)]
            )
            message = capsys.readouterr().err
            leaders.stop.set()
            await load
        finally:
            server.terminate()
            assert server.wait(timeout=20) == 0, (tmp_path / "serve.log").read_text()

    assert refused == 1
    assert f"pid {server.pid}" in message
    assert "stop it first" in message
    assert names_in(tmp_path) == ["backup.tar.gz", "data", "serve.log"]  # nothing set aside
    assert max(leaders.answered.values()) > max(low.values())  # writes went on meanwhile

    restored = tmp_path / "restored"
    assert main(["restore", str(out), "--data-dir", str(restored)]) == 0
    every_file_parses(restored)
    store = TinyDBUserStore(restored)
    try:
        for user in LEADERS:
            state = await store.load(UserKey("slack", TEAM_ID, user))
            assert state is not None
            assert state.profile.quiet_hours is not None
            number = written_number(state.profile.quiet_hours[0])
            assert low[user] <= number <= high[user], (user, low[user], number, high[user])
    finally:
        store.close()


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def written_number(quiet_start: str) -> int:
    hours, minutes = (int(part) for part in quiet_start.split(":"))
    return (hours - 10) * 60 + minutes


def every_file_parses(folder: Path) -> None:
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files)
    for path in files:
        assert not path.name.startswith("."), path  # no temp or lock files came back
        if path.suffix == ".json":
            if path.parent.name == "users":
                read_leader_file(path)
            else:
                json.loads(path.read_bytes())
        else:
            raw = path.read_text(encoding="utf-8")  # the delivery ledger: whole JSON lines only
            for line in raw.splitlines():
                json.loads(line)
