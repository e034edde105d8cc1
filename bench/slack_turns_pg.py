"""Slack DM turns on PostgreSQL (issue 13 §5): bench/slack_turns.py's load (1,000 leaders'
first DMs, then a second DM from each, 20 requests in flight, signed, against the fake Slack
Web API), with `peercoach serve` given PEERCOACH_DATABASE_URL, so that every store (leaders,
schedules, coaching links, ledger, Slack event ids) is in PostgreSQL.

Three systems in each run, interleaved so that drift on the machine hits them alike: the bare
slack-bolt echo app (the baseline), peercoach on TinyDB files, and peercoach on PostgreSQL.
The PostgreSQL server is started for this benchmark on 127.0.0.1 with durable settings (fsync
and synchronous_commit on, as the TinyDB store fsyncs), a fresh migrated database per run.
Median of 3 runs. Target: peercoach on PostgreSQL completes at least 0.5x the echo app's first
DMs per second, as on TinyDB.
"""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

from bench.common import BenchResult
from bench.slack_turns import TARGET_RATIO, USERS, Figures, one_run

SYSTEMS = ("echo", "peercoach", "peercoach-pg")
NAMES = {"echo": "echo", "peercoach": "TinyDB", "peercoach-pg": "PostgreSQL"}
RUNS = 3


def _run_all(server: Any) -> tuple[dict[str, list[Figures]], dict[str, list[Figures]]]:
    first: dict[str, list[Figures]] = {system: [] for system in SYSTEMS}
    second: dict[str, list[Figures]] = {system: [] for system in SYSTEMS}
    for _ in range(RUNS):
        for system in SYSTEMS:
            if system == "peercoach-pg":
                url = asyncio.run(server.fresh_database())
                one, two = asyncio.run(one_run("peercoach", PEERCOACH_DATABASE_URL=url))
            else:
                one, two = asyncio.run(one_run(system))
            first[system].append(one)
            second[system].append(two)
    return first, second


def run() -> BenchResult:
    from bench.pg_ledger import _durable_server  # noqa: PLC0415

    result = BenchResult(
        "Slack on PostgreSQL: first DMs from 1,000 leaders, beside TinyDB",
        (__doc__ or "").split("\n\n")[0].replace("\n", " ")
        + " Echo, TinyDB and PostgreSQL in the same run, median of 3; turns per second are "
        "counted until the fake Web API has every reply's chat.postMessage.",
        target=f"peercoach on PostgreSQL completes at least {TARGET_RATIO:g}x the echo app's "
        "turns per second (first DMs)",
    )
    try:
        server = _durable_server()
    except BaseException as error:
        result.add("skipped", float("nan"), "", f"no PostgreSQL server ({type(error).__name__})")
        return result
    try:
        first, second = _run_all(server)
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)
    for kind, runs in (("", first), ("second DMs, ", second)):
        for system in SYSTEMS:
            name = NAMES[system]
            result.add_runs(
                f"{name}: {kind}completed turns per second",
                [f.turns_per_s for f in runs[system]],
                "/s",
            )
            result.add_runs(f"{name}: {kind}ack p50", [f.p50_ms for f in runs[system]], "ms")
            result.add_runs(f"{name}: {kind}ack p99", [f.p99_ms for f in runs[system]], "ms")
            if system != "echo":
                result.add_runs(
                    f"{name}: {kind}server CPU per turn", [f.cpu_ms for f in runs[system]], "ms"
                )
        pg = result.add_ratio(
            f"ratio PostgreSQL / echo, {kind}turns/s",
            [f.turns_per_s for f in runs["peercoach-pg"]],
            [f.turns_per_s for f in runs["echo"]],
        )
        result.add_ratio(
            f"ratio TinyDB / echo, {kind}turns/s",
            [f.turns_per_s for f in runs["peercoach"]],
            [f.turns_per_s for f in runs["echo"]],
        )
        result.add_ratio(
            f"ratio PostgreSQL / TinyDB, {kind}turns/s",
            [f.turns_per_s for f in runs["peercoach-pg"]],
            [f.turns_per_s for f in runs["peercoach"]],
        )
        if not kind:
            result.met = pg >= TARGET_RATIO
            for system in SYSTEMS:
                result.add_runs(
                    f"{NAMES[system]}: errors logged by the server",
                    [f.errors for f in first[system]],
                    "",
                )
    calls = first["peercoach-pg"][-1].calls
    per_turn = "(" + ", ".join(f"{m} {n / USERS:g}" for m, n in sorted(calls.items())) + ")"
    result.add("PostgreSQL: Web API calls per first DM", sum(calls.values()) / USERS, "", per_turn)
    return result


if __name__ == "__main__":
    print(run().markdown())
