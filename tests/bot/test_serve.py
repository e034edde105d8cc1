"""`peercoach serve` as an operator runs it: a real process, configured by environment."""

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers

ROOT = Path(__file__).resolve().parents[2]
SECRET = "serve-test-secret"
BASE_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("SLACK_", "CONNECTIONS__", "Microsoft", "PEERCOACH_"))
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_serve(env: dict[str, str], timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env={**BASE_ENV, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_bot_token_without_a_signing_secret_is_refused_by_name(tmp_path: Path) -> None:
    result = run_serve({"SLACK_BOT_TOKEN": "xoxb-1", "PEERCOACH_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_nothing_configured_is_refused_naming_the_settings(tmp_path: Path) -> None:
    result = run_serve({"PEERCOACH_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    for name in ("SLACK_BOT_TOKEN", "CLIENTID", "PEERCOACH_LOCAL_TRIAL"):
        assert name in result.stderr


def test_invalid_content_stops_serve_with_the_errors(tmp_path: Path) -> None:
    result = run_serve(
        {
            "PEERCOACH_LOCAL_TRIAL": "1",
            "PEERCOACH_DATA_DIR": str(tmp_path),
            "PEERCOACH_CONTENT_DIR": str(ROOT / "tests/fixtures/broken_content"),
        }
    )
    assert result.returncode == 1
    assert "the content has errors" in result.stderr


def start_serve(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def port() -> int:
    return free_port()


async def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):  # bounded: 20 s
            assert process.poll() is None, "serve exited early"
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("serve did not come up")


def slack_serve_env(fake: FakeSlackApi, port: int, data_dir: Path) -> dict[str, str]:
    """The environment of a `serve` whose Slack is `fake`, on 127.0.0.1:`port`."""
    return {
        **BASE_ENV,
        "SLACK_BOT_TOKEN": fake.token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url + "api/",
        "PORT": str(port),
        "PEERCOACH_DATA_DIR": str(data_dir),
    }


@pytest.fixture
async def served(tmp_path: Path, port: int) -> AsyncIterator[tuple[str, FakeSlackApi]]:
    async with FakeSlackApi() as fake:
        env = slack_serve_env(fake, port, tmp_path)
        process = await asyncio.to_thread(start_serve, env, tmp_path / "serve.log")
        try:
            await wait_until_up(f"http://127.0.0.1:{port}", process)
            yield f"http://127.0.0.1:{port}", fake
        finally:
            process.terminate()  # SIGTERM: a graceful stop
            assert process.wait(timeout=20) == 0, (tmp_path / "serve.log").read_text()


async def test_serve_answers_a_signed_dm_and_reports_health(
    served: tuple[str, FakeSlackApi],
) -> None:
    url, fake = served
    body = event_body(message_im("U0ANN", "hello"))
    async with aiohttp.ClientSession() as http:
        async with http.post(
            url + "/slack/events", data=body.encode(), headers=signed_headers(SECRET, body)
        ) as response:
            assert response.status == 200
        (reply,) = await fake.wait_for("chat.postMessage")
        assert reply.params["channel"] == "DU0ANN"
        async with http.get(url + "/healthz") as health:
            document = await health.json()
    assert document["status"] == "ok"
    assert document["channels"] == ["slack"]
    assert document["scheduler"] is True
