"""Every way an operator's input can stop `peercoach` at start: one sentence on stderr naming
the setting, a non-zero exit, never a traceback. Each case is a real process."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli_guard import CRASH_EXIT, run_guarded
from tests.bot.test_serve import BASE_ENV, ROOT, free_port

SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
TEAMS_ID = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"
TRIAL = {"PEERCOACH_LOCAL_TRIAL": "1"}


def peercoach(
    *args: str, env: dict[str, str], data_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    folder = {"PEERCOACH_DATA_DIR": str(data_dir)} if data_dir else {}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**BASE_ENV, "PORT": str(free_port()), **folder, **env},
        cwd=ROOT,
        input="",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def assert_one_sentence_naming(result: subprocess.CompletedProcess[str], setting: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]


BAD_SETTINGS = [
    ({"PORT": "abc"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"PORT": "0"}, "PORT"),
    ({"PORT": "-1"}, "PORT"),
    ({"PEERCOACH_GRACE_MINUTES": "x"}, "PEERCOACH_GRACE_MINUTES"),
    ({"PEERCOACH_GRACE_MINUTES": "99999999999999"}, "PEERCOACH_GRACE_MINUTES"),
    ({"PEERCOACH_ADMINS": "bad"}, "PEERCOACH_ADMINS"),
    ({"PEERCOACH_ADMINS": "slack:T1"}, "PEERCOACH_ADMINS"),
    ({"PEERCOACH_LOG_LEVEL": "loud"}, "PEERCOACH_LOG_LEVEL"),
    ({"PEERCOACH_LOCAL_TRIAL": "maybe"}, "PEERCOACH_LOCAL_TRIAL"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({**SLACK, "SLACK_API_URL": "slack.com/api/"}, "SLACK_API_URL"),
    ({TEAMS_ID: "app-id"}, "CLIENTSECRET"),
    ({"MicrosoftAppPassword": "secret"}, "CLIENTID"),
    ({**TRIAL, "PEERCOACH_CONTENT_DIR": "/nonexistent/content"}, "PEERCOACH_CONTENT_DIR"),
]


@pytest.mark.parametrize(("env", "setting"), BAD_SETTINGS, ids=lambda v: str(v)[:40])
def test_a_bad_setting_stops_serve_in_one_sentence(
    tmp_path: Path, env: dict[str, str], setting: str
) -> None:
    assert_one_sentence_naming(peercoach("serve", env=env, data_dir=tmp_path), setting)


@pytest.mark.parametrize(
    "command", [("serve",), ("console",), ("admin", "grant-coach", "console:bob")]
)
def test_a_data_folder_that_is_a_file_is_named(tmp_path: Path, command: tuple[str, ...]) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("")
    for folder in (not_a_folder, not_a_folder / "below"):
        result = peercoach(*command, env=TRIAL, data_dir=folder)
        assert_one_sentence_naming(result, "PEERCOACH_DATA_DIR")


def test_a_content_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "content").write_text("")
    env = {**TRIAL, "PEERCOACH_CONTENT_DIR": str(tmp_path / "content")}
    for command in (("serve",), ("console",)):
        result = peercoach(*command, env=env, data_dir=tmp_path / "data")
        assert_one_sentence_naming(result, "PEERCOACH_CONTENT_DIR")


def test_a_port_in_use_stops_serve_naming_port_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = peercoach("serve", env={**TRIAL, "PORT": port}, data_dir=tmp_path)
    assert_one_sentence_naming(result, f"PORT={port}")
    assert "in use" in result.stderr
    assert not (tmp_path / "users").exists()  # refused before storage was opened


def test_an_unexpected_error_is_one_sentence_and_a_log_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> int:
        return {"a": 1}["secret-looking key"]

    assert run_guarded(broken) == CRASH_EXIT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "secret-looking key" not in err  # the exception's text may hold data: not shown
    (sentence,) = err.splitlines()
    assert sentence.startswith("peercoach stopped on an unexpected error (KeyError at ")
    assert "test_startup_errors.py:" in sentence  # where to look
    assert "event=cli.crashed" in sentence
    assert "PEERCOACH_LOG_LEVEL=DEBUG" in sentence
    (record,) = [r for r in caplog.records if r.getMessage() == "cli.crashed"]
    assert record.fields == {"error": "KeyError", "at": sentence.split(" at ")[1].split(")")[0]}


def test_debug_asks_for_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> int:
        raise RuntimeError("boom")

    assert run_guarded(broken, debug=True) == CRASH_EXIT
    assert "Traceback" in capsys.readouterr().err


def test_an_unreadable_data_file_met_while_starting_is_named(tmp_path: Path) -> None:
    (tmp_path / "schedules.json").write_text("{broken")
    result = peercoach("serve", env=TRIAL, data_dir=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (sentence,) = [line for line in result.stderr.splitlines() if "schedules.json" in line]
    assert "restore it from a backup" in sentence
    assert (tmp_path / "schedules.json").read_text() == "{broken"
