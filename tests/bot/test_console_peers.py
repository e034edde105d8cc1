"""`organisation`, `about` and `avoid` in `peercoach console`, as a user scripts it: the
set-up asks for the organisation, and another console user can be avoided by name."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def console(data_dir: Path, user: str, lines: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", "--user", user, "--data-dir", str(data_dir)],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={**os.environ, "TZ": "Europe/London"},
    )


def test_set_up_organisation_about_and_avoid_in_the_console(tmp_path: Path) -> None:
    bob = console(tmp_path, "bob", ["hello", "Skip for now"])
    assert bob.returncode == 0, bob.stderr
    run = console(
        tmp_path,
        "alice",
        [
            "hello",
            "Set up now",
            "Resilience and energy",
            "That's enough",
            "08:00",
            "leeds teching hospitals",  # a typo, at the set-up's last question
            "about Leading the merger of two outpatient teams",
            "avoid bob",
            "avoid carol",
            "avoid",
            "organisation",
            "export",
        ],
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "which organisation do you work for?" in out
    assert "Saved: Leeds Teaching Hospitals NHS Trust." in out
    assert "Saved. Peers in a circle will see: Leading the merger" in out
    assert "Done: you won't be matched with bob. Nobody is told." in out
    assert "I don't know anyone called carol here yet" in out
    assert "You won't be matched in a circle with: bob." in out
    assert "Your organisation: Leeds Teaching Hospitals NHS Trust." in out
    (saved,) = (tmp_path / "exports").glob("*.json")
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["profile"]["organisation"] == "Leeds Teaching Hospitals NHS Trust"
    assert document["profile"]["about"] == "Leading the merger of two outpatient teams"
    assert document["avoiding"] == ["bob"]
