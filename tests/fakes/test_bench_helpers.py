"""The benchmark helpers that decide what RESULTS.md says: each run's figure beside the median,
ratios against the baseline of the same run, the server's errors by kind, and the combined
benchmark's fake telling a chat reply from a nudge as the app really sends them."""

from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_sdk.web.async_client import AsyncWebClient

from bench.__main__ import RESULTS, _updated
from bench.__main__ import main as bench_main
from bench.combined_fake import Seen
from bench.common import BenchResult
from bench.processes import error_kinds
from bench.teams_turns import _ConnectorOnPort
from bot.channels.slack.notifier import ChannelPacer, SlackNotifier, post
from bot.domain import Reply, UserKey
from bot.storage.memory.users import InMemoryUserStore
from dialogs.model import Say
from tests.bot.test_serve import free_port
from tests.fakes.slack_api import FakeSlackApi


def test_a_figure_shows_its_median_and_every_run_and_a_ratio_each_runs_own_ratio() -> None:
    result = BenchResult("Title", "What was measured.", context="Machine: test.")
    result.add_runs("turns per second", [300.0, 100.0, 200.0], "/s")
    ratio = result.add_ratio(
        "ratio peercoach / echo", [300.0, 100.0, 200.0], [600.0, 400.0, 400.0]
    )

    assert ratio == 200.0 / 400.0  # of the medians, not the median of the ratios
    table = result.markdown()
    assert "Machine: test." in table
    assert "| turns per second | 200 /s | 300, 100, 200 |" in table
    assert "| ratio peercoach / echo | 0.500 x | 0.500, 0.250, 0.500 |" in table


def test_error_kinds_names_our_error_events_and_a_librarys_logger_never_its_message(
    tmp_path: Path,
) -> None:
    log = tmp_path / "server.log"
    log.write_text(
        "ts=1 level=info logger=peercoach.deliveries event=delivery.sent key=s1@x\n"
        "ts=2 level=error logger=peercoach.conversations event=turn.failed user=ab12 "
        "channel=slack error=StaleStateError file_error=False\n"
        "ts=3 level=error logger=peercoach.conversations event=turn.failed user=cd34 "
        "channel=slack error=StaleStateError file_error=False\n"
        "ts=4 level=error logger=apscheduler.executors.default "
        'msg="Job nudge:abc raised an exception"\n'
        "Traceback (most recent call last):\n"
    )

    assert error_kinds(log) == {
        "turn.failed StaleStateError": 2,
        "apscheduler.executors.default": 1,
        "Traceback (most recent call last)": 1,
    }


async def test_the_combined_fake_tells_a_reply_from_a_nudge_as_the_app_sends_them() -> None:
    async with FakeSlackApi() as slack, aiohttp.ClientSession() as http:
        status = TestServer(Seen(slack).app(), host="127.0.0.1", port=0)
        await status.start_server()
        try:
            client = AsyncWebClient(token=slack.token, base_url=slack.url + "api/", timeout=5)
            notifier = SlackNotifier(client, InMemoryUserStore(), ChannelPacer(0))
            leader = UserKey("slack", "T0FAKE", "U000001")
            reply = Reply((Say("Here is your journal."),))
            await post(client, "DU000001", reply)  # a chat turn's reply
            await notifier.deliver(leader, reply, "k3f9qa@2026-11-30T08:30Z")  # a nudge

            async with http.get(
                status.make_url("/reply"), params={"channel": "DU000001", "n": "1"}
            ) as answer:
                assert (await answer.json())["at"] is not None
            async with http.get(status.make_url("/report")) as answer:
                report = await answer.json()
        finally:
            await status.close()

    assert [key for key, _ in report["deliveries"]] == ["k3f9qa@2026-11-30T08:30Z"]
    assert report["calls"]["chat.postMessage"] == 2


async def test_the_teams_benchmarks_connector_serves_on_its_fixed_port() -> None:
    port = free_port()
    async with _ConnectorOnPort(port) as fake:  # `as` gives the fake itself, started
        assert fake.url == f"http://127.0.0.1:{port}/"
        async with aiohttp.ClientSession() as http, http.get(fake.url + "v3/nothing"):
            pass
        assert [r.path for r in fake.requests] == ["/v3/nothing"]  # recorded, as the bench reads


def test_an_update_replaces_only_the_sections_it_ran() -> None:
    old = "# Benchmark results\n\nRun at X.\n\n## A\n\nold a\n\n## B\n\nold b\n"
    header, sections = _updated(old, ["## B\n\nnew b\n", "## C\n\nnew c\n"])
    assert header.startswith("# Benchmark results\n\nRun at X.\n\nRe-run at ")
    assert "'B', 'C'" in header
    assert sections == ["## A\n\nold a\n", "## B\n\nnew b\n", "## C\n\nnew c\n"]


@pytest.mark.parametrize("args", [["--help"], ["--update", "slack_turn"], ["-h"]])
def test_an_unknown_name_or_option_runs_nothing_and_leaves_the_results_alone(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = RESULTS.read_bytes() if RESULTS.exists() else None
    assert bench_main(args) == 2
    assert "not a benchmark" in capsys.readouterr().err
    assert (RESULTS.read_bytes() if RESULTS.exists() else None) == before
