"""Child processes for the benchmarks that need a real server: spawn, wait until it listens,
stop, read its CPU time and count the errors it logged. Every wait is bounded."""

import asyncio
import contextlib
import math
import os
import re
import socket
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FIELD = re.compile(r'(\w+)=("[^"]*"|\S+)')
START_WITHIN = 30  # seconds a child may take to start listening

# Settings a child must not inherit: the parent's own credentials, data folder or proxies.
_NOT_INHERITED = (
    "CONNECTIONS__",
    "MICROSOFT",
    "SLACK_",
    "PEERCOACH_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
)


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_NOT_INHERITED)}
    return env | {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"} | extra


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def spawn(
    args: list[str], log: Path, env: dict[str, str], *, pipe: bool = False
) -> asyncio.subprocess.Process:
    """`python ARGS` in the repository root, stderr to `log`; stdin/stdout piped if asked."""
    with log.open("wb") as stderr:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE if pipe else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if pipe else asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


async def stop(process: asyncio.subprocess.Process) -> None:
    """Close its stdin (children that watch it exit), SIGTERM, and SIGKILL after 5 s."""
    if process.returncode is not None:
        return
    if process.stdin is not None:
        process.stdin.close()
    process.terminate()
    try:
        async with asyncio.timeout(5):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


async def listening(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    """Wait until the child accepts connections on `port`; its log tail if it died."""
    async with asyncio.timeout(START_WITHIN):
        while True:
            if process.returncode is not None:
                tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-2000:]
                raise RuntimeError(f"server exited with {process.returncode}:\n{tail}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                return
            await asyncio.sleep(0.05)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of a process, all its threads, and of its main thread alone
    (Linux /proc; nan elsewhere)."""
    try:
        process = _stat_cpu(Path(f"/proc/{pid}/stat"))
        return process, _stat_cpu(Path(f"/proc/{pid}/task/{pid}/stat"))
    except OSError:
        return math.nan, math.nan


def _stat_cpu(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def errors_logged(log: Path) -> int:
    """Lines a child logged at ERROR, and tracebacks."""
    return sum(error_kinds(log).values())


def error_kinds(log: Path) -> Counter[str]:
    """The errors a child logged, by kind: "event error" from our key=value lines, the logger's
    name from a library's (its message could quote a request), and tracebacks."""
    kinds: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(("ERROR", "Traceback")):
            kinds[line.split(":", 1)[0]] += 1
        elif "level=error" in line:
            fields = dict(_FIELD.findall(line))
            named = (fields.get("event") or fields.get("logger", "?"), fields.get("error", ""))
            kinds[" ".join(named).strip()] += 1
    return kinds
