"""`peercoach console` end to end, in a subprocess with piped input, as a user scripts it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain import UserKey

ROOT = Path(__file__).resolve().parents[2]


def console(
    data_dir: Path, lines: list[str], *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "console",
            "--user",
            "alice",
            "--data-dir",
            str(data_dir),
            *args,
        ],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={**os.environ, "TZ": "Europe/London", **(env or {})},
    )


def test_a_whole_dialogue_then_leave_and_resume_later(tmp_path: Path) -> None:
    first = console(
        tmp_path,
        [
            "hello",
            "Skip for now",
            "start",
            "Where is your energy going?",
            "the system board on Tuesday",
        ],
    )
    assert first.returncode == 0, first.stderr
    assert "you> hello" in first.stdout  # piped input is echoed: a readable transcript
    assert "   1. Set up now" in first.stdout
    assert "Where is your energy going?" in first.stdout
    assert "Bye for now" in first.stdout

    second = console(
        tmp_path,
        [
            "2",
            "a walk at lunch",
            "block Thursday lunch",
            "A peer in the system",
            "ask Sam to chair the huddle by Friday",
            "journal",
        ],
    )
    assert second.returncode == 0, second.stderr
    assert "Welcome back" in second.stdout
    assert "I'll ask how it went on" in second.stdout
    assert "the system board on Tuesday" in second.stdout.split("you> journal")[1]


def test_export_writes_a_json_file_and_says_where(tmp_path: Path) -> None:
    result = console(tmp_path, ["start energy", "a late finance call", "export"])
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "Saved to" in x)
    path = Path(line.split("Saved to ", 1)[1])
    document = json.loads(path.read_text())
    assert document["user"] == "console:alice"
    assert document["reflections"][0]["text"] == "a late finance call"


def test_forget_me_removes_everything_after_confirming(tmp_path: Path) -> None:
    result = console(tmp_path, ["start energy", "a late finance call", "forget me", "1"])
    assert result.returncode == 0, result.stderr
    assert "Delete it all?" in result.stdout
    assert not list((tmp_path / "users").glob("*.json"))
    again = console(tmp_path, ["hello"])
    assert "Never type patient details" in again.stdout  # a fresh start: the welcome again


def test_an_unreadable_data_file_stops_the_console_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "users" / f"{UserKey.console('alice').hashed}.json"
    path.parent.mkdir(parents=True)
    path.write_text("{broken")
    result = console(tmp_path, ["hello"])
    assert result.returncode == 1
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text() == "{broken"


def test_invalid_content_stops_the_console_with_the_same_errors(tmp_path: Path) -> None:
    result = console(tmp_path, ["hello"], "--content-dir", "tests/fixtures/broken_content")
    assert result.returncode == 1
    assert "the content has errors" in result.stderr
    expected = (ROOT / "tests/fixtures/broken_content.expected.txt").read_text().splitlines()
    for line in expected:
        if ": (warning)" not in line and line.startswith("tests/"):
            assert line in result.stderr


@pytest.mark.parametrize("name", ["bob", "Dr Jones"])
def test_each_user_name_has_its_own_conversation(tmp_path: Path, name: str) -> None:
    console(tmp_path, ["hello"])
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--user", name, "--data-dir", str(tmp_path)],
        input="hello\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert "Never type patient details" in result.stdout  # welcomed as someone new


FIRST_COMMANDS = [
    ("timezone Europe/Paris", "your nudges now follow Paris time"),
    ("schedule weekdays 08:30", "Added "),
    ("coach add console:bob", "I've asked bob"),
    ("admin coach console:bob", "bob is now a coach"),
]


@pytest.mark.parametrize(("first", "done"), FIRST_COMMANDS, ids=lambda v: v.split()[0])
def test_a_command_as_the_very_first_message_is_carried_out_after_the_welcome(
    tmp_path: Path, first: str, done: str
) -> None:
    env = {"PEERCOACH_ADMINS": "console:alice", "PEERCOACH_DATA_DIR": str(tmp_path)}
    if first.startswith("coach "):
        granted = subprocess.run(
            [sys.executable, "-m", "bot", "admin", "grant-coach", "console:alice"],
            env={**os.environ, **env},
            cwd=ROOT,
            capture_output=True,
            check=False,
            timeout=60,
        )
        assert granted.returncode == 0
    result = console(tmp_path, [first], env=env)
    assert result.returncode == 0, result.stderr
    transcript = result.stdout
    welcome, answer, setup = (
        transcript.index("Never type patient details"),
        transcript.index(done),
        transcript.index("1. Set up now"),
    )
    assert welcome < answer < setup  # welcome, then the command done, then set-up offered
