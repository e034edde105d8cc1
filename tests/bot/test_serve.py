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

from bot.storage.tinydb.journal import Journal
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_signing import event_body, message_im, signed_headers
from tests.schedules.fanout_process import setup
from tests.stored import session_key

ROOT = Path(__file__).resolve().parents[2]
SECRET = "serve-test-secret"
BASE_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("SLACK_", "CONNECTIONS__", "Microsoft", "PEERCOACH_"))
} | {"PEERCOACH_DATA_KEY": session_key()}  # a test that wants none sets it to ""


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


def test_a_second_process_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    """One process writes a data folder (it owns the leaders' journal and trusts what it knows
    of their files): a second `serve` or `console` on it says so and stops."""
    owner = Journal.owned(tmp_path)  # as a running `peercoach serve` holds it
    assert owner is not None
    try:
        env = {"PEERCOACH_DATA_DIR": str(tmp_path), "PEERCOACH_LOCAL_TRIAL": "1"}
        served = run_serve({**env, "PORT": str(free_port())})
        chatted = subprocess.run(
            [sys.executable, "-m", "bot", "console", "--user", "ann", "--data-dir", str(tmp_path)],
            input="hello\n",
            env={**BASE_ENV, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        owner.close()
    for result, command in ((served, "serve"), (chatted, "console")):
        assert result.returncode == 1
        assert "already using the data directory" in result.stderr
        assert f"`peercoach {command}`" in result.stderr
        assert "Traceback" not in result.stderr


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
    assert document["channels"] == {"slack": "ok"}
    assert document["scheduler_running"] is True
    assert document["storage_writable"] is True
    assert document["content_version"]


async def test_slack_unreachable_at_start_is_reported_not_fatal(tmp_path: Path, port: int) -> None:
    """Nothing listens at SLACK_API_URL: serve starts all the same, /healthz names Slack as
    down (200, degraded: see bot/health.py), and the log holds no traceback."""
    env = {
        **BASE_ENV,
        "SLACK_BOT_TOKEN": "xoxb-unreachable",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/",
        "PORT": str(port),
        "PEERCOACH_DATA_DIR": str(tmp_path),
    }
    process = await asyncio.to_thread(start_serve, env, tmp_path / "serve.log")
    try:
        await wait_until_up(f"http://127.0.0.1:{port}", process)
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as health,
        ):
            document = await health.json()
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0
    log = (tmp_path / "serve.log").read_text()
    assert document["status"] == "degraded"
    assert document["channels"] == {
        "slack": "down: Slack Web API unreachable (ClientConnectorError)"
    }
    assert document["scheduler_running"] is True
    assert "event=channel.down channel=slack" in log
    assert "Traceback" not in log
    assert "xoxb-unreachable" not in log


async def test_a_graceful_stop_logs_no_error(tmp_path: Path, port: int) -> None:
    """APScheduler's asyncio shutdown runs in a loop callback: asked twice, the second one
    logged SchedulerNotRunningError at every stop."""
    env = {**BASE_ENV, "PEERCOACH_LOCAL_TRIAL": "1", "PORT": str(port)}
    process = await asyncio.to_thread(
        start_serve, {**env, "PEERCOACH_DATA_DIR": str(tmp_path)}, tmp_path / "serve.log"
    )
    try:
        await wait_until_up(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0
    log = (tmp_path / "serve.log").read_text()
    assert "event=serve.stopping" in log
    assert "level=error" not in log


def metric(text: str, name: str) -> float:
    """The value of one sample line (`name{labels} value`) of a Prometheus text page."""
    (line,) = [ln for ln in text.splitlines() if ln.startswith(name + " ")]
    return float(line.rsplit(" ", 1)[1])


async def test_metrics_count_turns_and_their_latency_in_prometheus_text(
    served: tuple[str, FakeSlackApi],
) -> None:
    url, fake = served
    async with aiohttp.ClientSession() as http:
        for text in ("hello", "help"):
            body = event_body(message_im("U0ANN", text))
            headers = signed_headers(SECRET, body)
            async with http.post(url + "/slack/events", data=body.encode(), headers=headers):
                pass
            await fake.wait_for(
                "chat.postMessage", count=len(fake.calls_to("chat.postMessage")) + 1
            )
        async with http.get(url + "/metrics") as response:
            assert response.status == 200
            assert response.content_type == "text/plain"
            page = await response.text()
    assert metric(page, 'peercoach_turns_total{channel="slack"}') == 2
    assert metric(page, 'peercoach_turn_seconds_count{channel="slack"}') == 2
    assert metric(page, 'peercoach_turn_seconds_bucket{channel="slack",le="+Inf"}') == 2
    assert metric(page, 'peercoach_nudges_total{outcome="delivered"}') == 0
    assert metric(page, "peercoach_inactive_leaders") == 0
    assert metric(page, "peercoach_scheduler_running") == 1
    assert "peercoach_delivery_lag_seconds_bucket" in page
    assert "process_resident_memory_bytes" in page
    assert "U0ANN" not in page  # counts only: no user keys


async def test_health_is_503_with_the_reason_while_storage_cannot_be_written(
    served: tuple[str, FakeSlackApi], tmp_path: Path
) -> None:
    url, _ = served
    users = tmp_path / "users"
    users.rename(tmp_path / "users.away")
    users.write_text("not a folder")  # a real failure: writes under users/ now fail
    try:
        async with aiohttp.ClientSession() as http, http.get(url + "/healthz") as response:
            assert response.status == 503
            document = await response.json()
        assert document["status"] == "unhealthy"
        assert document["storage_writable"] is False
        (problem,) = document["problems"]
        assert "PEERCOACH_DATA_DIR" in problem
    finally:
        users.unlink()
        (tmp_path / "users.away").rename(users)
    async with aiohttp.ClientSession() as http, http.get(url + "/healthz") as response:
        assert response.status == 200  # recovered without a restart


# ------------------------------------------------------------------ graceful stop

LEADERS = 6


def delivery_keys(fake: FakeSlackApi) -> list[str]:
    return [
        str(call.params["metadata"]["event_payload"]["delivery"])
        for call in fake.calls_to("chat.postMessage")
        if call.params.get("metadata")
    ]


async def test_sigterm_lets_deliveries_in_flight_finish_and_nothing_is_sent_twice(
    tmp_path: Path, port: int
) -> None:
    async with FakeSlackApi() as fake:
        # LEADERS Slack leaders with a nudge due a minute ago, the server down since
        await setup(tmp_path, LEADERS, user=f"slack:{fake.team_id}:U0LEADER{{i}}")
        fake.delay("chat.postMessage", 1.0)  # every nudge is in flight when SIGTERM comes
        env = {
            **BASE_ENV,
            "SLACK_BOT_TOKEN": fake.token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.url + "api/",
            "PORT": str(port),
            "PEERCOACH_DATA_DIR": str(tmp_path),
        }
        url = f"http://127.0.0.1:{port}"
        process = await asyncio.to_thread(start_serve, env, tmp_path / "serve.log")
        try:
            await wait_until_up(url, process)
            await fake.wait_for("chat.postMessage", within=10)
            process.terminate()
            code = await asyncio.to_thread(process.wait, 30)
        finally:
            if process.poll() is None:
                process.kill()
        log = (tmp_path / "serve.log").read_text()
        assert code == 0, log
        assert "scheduler.drained" in log
        first = delivery_keys(fake)
        assert len(first) == LEADERS  # every send in flight was let finish
        fake.delay("chat.postMessage", 0)
        process = await asyncio.to_thread(start_serve, env, tmp_path / "serve2.log")
        try:
            await wait_until_up(url, process)
            async with aiohttp.ClientSession() as http:
                for _ in range(100):  # bounded: 10 s for the restart's catch-up to settle
                    async with http.get(url + "/healthz") as response:
                        if (await response.json())["scheduler_running"]:
                            break
                    await asyncio.sleep(0.1)
        finally:
            process.terminate()
            assert await asyncio.to_thread(process.wait, 30) == 0
        assert sorted(delivery_keys(fake)) == sorted(set(first))  # nothing sent twice
