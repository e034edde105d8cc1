"""The Dockerfile and what its image runs (issue 13, §4). No container runtime can run on
the test machine, so the checks are: the Dockerfile's shape (slim Python 3.12, a non-root
user, exec-form start, a health check against /healthz) and its exact start command and
health check, run from the installed wheel with the image's settings."""

import asyncio
import base64
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import DEFAULT_PORT
from tests.bot.test_serve import SECRET, free_port, wait_until_up
from tests.deploy.dockerfile import Instruction, environment, only, stages
from tests.deploy.installed import BUILD_INPUTS, ROOT, Installed
from tests.fakes.slack_api import FakeSlackApi

DOCKERFILE = ROOT / "Dockerfile"
BASE = "python:3.12-slim"


@pytest.fixture(scope="module")
def image() -> list[Instruction]:
    """The final stage: what runs."""
    return stages(DOCKERFILE)[-1]


def test_every_stage_is_slim_python_3_12() -> None:
    for stage in stages(DOCKERFILE):
        assert stage[0].arguments.split()[0] == BASE


def test_the_image_runs_as_a_user_of_its_own(image: list[Instruction]) -> None:
    users = [i for i in image if i.keyword == "USER"]
    assert users, "no USER: the image would run as root"
    user = users[-1].arguments.split(":")[0]
    assert user not in ("root", "0")
    assert image.index(users[-1]) < image.index(only(image, "CMD"))


def test_the_start_is_exec_form_peercoach_serve(image: list[Instruction]) -> None:
    """Exec form: peercoach is PID 1, so a stop's SIGTERM reaches it (a shell would eat it)."""
    assert only(image, "CMD").exec_form() == ["peercoach", "serve"]
    assert not [i for i in image if i.keyword == "ENTRYPOINT"]


def test_the_health_check_asks_healthz_without_curl(image: list[Instruction]) -> None:
    check = only(image, "HEALTHCHECK")
    command = check.exec_form()
    assert command[0] == "python"
    assert "/healthz" in " ".join(command)
    assert "curl" not in check.arguments  # slim images have none


def test_port_data_folder_and_volume_agree(image: list[Instruction]) -> None:
    env = environment(image)
    assert env["PORT"] == str(DEFAULT_PORT)
    assert only(image, "EXPOSE").arguments == env["PORT"]
    assert env["PEERCOACH_DATA_DIR"] in only(image, "VOLUME").exec_form()


def test_the_build_copies_what_the_wheel_is_built_from() -> None:
    """The wheel test builds from BUILD_INPUTS; the image must build from the same files, and
    .dockerignore (everything out, then these back in) must let each of them through."""
    build = stages(DOCKERFILE)[0]
    copied = [
        part.removesuffix("/")
        for i in build
        if i.keyword == "COPY" and not i.arguments.startswith("--from")
        for part in i.arguments.split()[:-1]
    ]
    assert sorted(copied) == sorted(BUILD_INPUTS)
    ignore = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ignore[0] == "**"
    let_in = {line[1:].removesuffix("/") for line in ignore if line.startswith("!")}
    assert let_in == set(BUILD_INPUTS)


def health_check(image: list[Instruction], python: str, port: int) -> int:
    command = only(image, "HEALTHCHECK").exec_form()
    done = subprocess.run(
        [python, *command[1:]],
        env={**os.environ, "PORT": str(port)},
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode


@pytest.fixture
async def answering_503() -> AsyncIterator[int]:
    async def unhealthy(_: web.Request) -> web.Response:
        return web.json_response({"status": "failing"}, status=503)

    app = web.Application()
    app.router.add_get("/healthz", unhealthy)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server.port
    finally:
        await server.close()


async def test_the_health_check_fails_on_503_and_on_silence(
    image: list[Instruction], answering_503: int
) -> None:
    assert await asyncio.to_thread(health_check, image, sys.executable, answering_503) != 0
    assert await asyncio.to_thread(health_check, image, sys.executable, free_port()) != 0


def start(
    installed: Installed, command: list[str], env: dict[str, str], folder: Path
) -> subprocess.Popen[bytes]:
    """`command` as the image runs it (from the venv's bin, where the image has it on PATH),
    its output in `folder`/serve.log."""
    with (folder / "serve.log").open("wb") as log:
        return subprocess.Popen(
            [str(installed.bin / command[0]), *command[1:]],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def test_the_image_start_command_serves_and_passes_its_health_check(
    image: list[Instruction], installed: Installed, tmp_path: Path
) -> None:
    """CMD, run from the installed wheel with the image's ENV (the data folder and port moved
    into this test) and an operator's settings: it serves, and HEALTHCHECK passes."""
    port = free_port()
    async with FakeSlackApi() as slack:
        moved = {"PEERCOACH_DATA_DIR": str(tmp_path / "data"), "PORT": str(port)}
        env = installed.env(
            tmp_path,
            **(environment(image) | moved),
            PEERCOACH_DATA_KEY=base64.b64encode(os.urandom(32)).decode(),
            SLACK_BOT_TOKEN=slack.token,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.url + "api/",
        )
        command = only(image, "CMD").exec_form()
        process = await asyncio.to_thread(start, installed, command, env, tmp_path)
        try:
            await wait_until_up(f"http://127.0.0.1:{port}", process)
            python = str(installed.bin / "python")
            assert await asyncio.to_thread(health_check, image, python, port) == 0
        finally:
            process.terminate()  # what `docker stop` sends to PID 1
            code = await asyncio.to_thread(process.wait, 20)
    assert code == 0, (tmp_path / "serve.log").read_text()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
