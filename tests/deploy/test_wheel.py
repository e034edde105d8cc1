"""`pip install` of the wheel gives a working peercoach without a checkout (issue 13, §4):
the content and the licence travel inside it."""

import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import yaml

from tests.deploy.installed import ROOT, Installed

CONTENT = ROOT / "content"


def shipped_files() -> list[str]:
    """Every file of content/ that a build should carry: the YAML and the README."""
    return sorted(
        str(path.relative_to(CONTENT))
        for path in CONTENT.rglob("*")
        if path.is_file() and (path.suffix in (".yaml", ".yml") or path.name == "README.md")
    )


def test_the_wheel_carries_every_content_file_and_the_licence(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = HeaderParser().parsestr(
            wheel.read("peercoach-0.1.0.dist-info/METADATA").decode()
        )
        licence = wheel.read("peercoach-0.1.0.dist-info/licenses/LICENSE").decode()
    carried = sorted(
        name.removeprefix("bot/content_files/")
        for name in names
        if name.startswith("bot/content_files/")
    )
    assert carried == shipped_files()
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_wheel_carries_every_file_of_the_code(installed: Installed) -> None:
    """Modules and the files they read (migrations, say): a file missing here is missing in
    every installed copy and every image."""
    code = {
        str(path.relative_to(ROOT))
        for top in ("bot", "dialogs")
        for path in (ROOT / top).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    with zipfile.ZipFile(installed.wheel) as wheel:
        missing = code - set(wheel.namelist())
    assert not missing


def test_content_check_reads_the_installed_copy_outside_a_checkout(
    installed: Installed, tmp_path: Path
) -> None:
    env = installed.env(tmp_path, PEERCOACH_DATA_DIR=str(tmp_path / "data"))
    result = installed.run(["peercoach", "content", "check"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    site = next((installed.venv / "lib").glob("python3*/site-packages"))
    assert result.stdout.startswith(f"{site / 'bot' / 'content_files'}: OK, ")
    assert ", 0 warning(s)" in result.stdout


def test_the_installed_code_is_not_the_checkout(installed: Installed, tmp_path: Path) -> None:
    """The tests above would pass on the checkout's files if the venv could see them."""
    result = installed.run(
        ["python", "-c", "import bot, dialogs; print(bot.__file__); print(dialogs.__file__)"],
        cwd=tmp_path,
        env=installed.env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        assert Path(line).is_relative_to(installed.venv), line


def test_a_scripted_console_session_runs_from_the_installed_package(
    installed: Installed, tmp_path: Path
) -> None:
    data, config = tmp_path / "data", tmp_path / "config"
    env = installed.env(tmp_path, PEERCOACH_DATA_DIR=str(data), XDG_CONFIG_HOME=str(config))
    result = installed.run(
        ["peercoach", "console", "--user", "alice"],
        cwd=tmp_path,
        env=env,
        stdin="hello\nSkip for now\nstart energy\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    onboarding = yaml.safe_load((CONTENT / "onboarding.yaml").read_text(encoding="utf-8"))
    energy = yaml.safe_load(
        (CONTENT / "dialogues/resilience.energy-audit.yaml").read_text(encoding="utf-8")
    )
    assert f"coach> {onboarding['welcome']}" in result.stdout
    assert f"coach> {energy['title']}" in result.stdout
    assert "Traceback" not in result.stderr
    assert list((data / "users").glob("*.json"))  # the conversation was saved, in tmp_path
    assert (config / "peercoach" / "data.key").is_file()


def test_the_content_setting_still_overrides_the_installed_copy(
    installed: Installed, tmp_path: Path
) -> None:
    broken = ROOT / "tests/fixtures/broken_content"
    env = installed.env(tmp_path, PEERCOACH_CONTENT_DIR=str(broken))
    checked = installed.run(["peercoach", "content", "check"], cwd=tmp_path, env=env)
    chatted = installed.run(
        ["peercoach", "console", "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path,
        env={**env, "XDG_CONFIG_HOME": str(tmp_path / "config")},
        stdin="hello\n",
    )
    assert checked.returncode == 1
    assert f"in {broken}: fix the errors above" in checked.stdout
    assert chatted.returncode == 1
    assert "the content has errors" in chatted.stderr


def test_the_licence_file_is_the_one_pyproject_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 peercoach contributors\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence
