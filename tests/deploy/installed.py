"""peercoach as someone installs it: a wheel built from this tree, installed with its
dependencies into a fresh venv, run from a folder outside the checkout."""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a build reads: the Dockerfile copies exactly these into its build stage.
BUILD_INPUTS = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "bot",
    "dialogs",
    "content",
)
PIP_SECONDS = 300  # bounded; a warm pip cache takes about 10 s here


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, home: Path, **settings: str) -> dict[str, str]:
        """A bare environment: nothing of this checkout or test session leaks in."""
        return {
            "PATH": f"{self.bin}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "TZ": "Europe/London",
            **settings,
        }

    def run(
        self, args: list[str], *, cwd: Path, env: dict[str, str], stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            input=stdin,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def pip(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=PIP_SECONDS,
        check=False,
    )
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stderr[-3000:]}"


def build_and_install(workdir: Path) -> Installed:
    """Copy the build inputs (as the Dockerfile does), build the wheel there, so the checkout
    gets no build/ or egg-info, then install it with its dependencies into a new venv."""
    source = workdir / "source"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in BUILD_INPUTS:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=skip)
        else:
            shutil.copy2(origin, source / name)
    wheels = workdir / "wheels"
    pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source))
    (wheel,) = wheels.glob("peercoach-*.whl")
    venv = workdir / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip("--python", str(venv / "bin" / "python"), "install", "--quiet", str(wheel))
    return Installed(wheel=wheel, venv=venv)
