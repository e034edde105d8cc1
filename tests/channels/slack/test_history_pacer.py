"""The conversations.history pacer (a token bucket on an injected clock) and the setting that
picks its rate."""

import pytest

from bot.channels.slack.history import LIMITS, MARGIN, Pacer, pacer_for
from bot.config import Settings
from bot.errors import ConfigError

SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


class Virtual:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_calls_are_spread_at_the_rate_and_a_429_holds_everything() -> None:
    time = Virtual()
    pacer = Pacer(1, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(3):
        await pacer.take()
        starts.append(time.now)
    gap = 60 * (1 + MARGIN)
    assert starts == pytest.approx([1000, 1000 + gap, 1000 + 2 * gap])
    pacer.hold(300)  # Retry-After: 300
    await pacer.take()
    assert time.now == pytest.approx(starts[-1] + 300 + gap)  # empty after the hold
    assert pacer.calls == 4


async def test_idle_time_does_not_save_up_a_burst() -> None:
    time = Virtual()
    pacer = Pacer(50, clock=time.clock, sleep=time.sleep)
    time.now += 3600  # an hour idle
    await pacer.take()
    await pacer.take()
    assert time.now == pytest.approx(1000 + 3600 + 1.2 * (1 + MARGIN))


def test_the_app_kind_sets_the_rate_and_defaults_to_the_slow_one() -> None:
    slack = Settings.from_env(SLACK).slack
    assert slack is not None
    assert slack.app_kind == "distributed"
    assert LIMITS["distributed"].per_minute == 1
    assert LIMITS["distributed"].messages == 15
    internal = Settings.from_env({**SLACK, "PEERCOACH_SLACK_APP_KIND": " Internal "}).slack
    assert internal is not None
    assert internal.app_kind == "internal"
    assert pacer_for("internal").interval == pytest.approx(1.2 * (1 + MARGIN))
    assert pacer_for("distributed", 120).interval == pytest.approx(0.5 * (1 + MARGIN))


def test_an_unknown_app_kind_names_the_setting_and_the_choices() -> None:
    with pytest.raises(ConfigError) as failed:
        Settings.from_env({**SLACK, "PEERCOACH_SLACK_APP_KIND": "commercial"})
    message = str(failed.value)
    assert "PEERCOACH_SLACK_APP_KIND is 'commercial'" in message
    for kind in ("internal", "marketplace", "distributed"):
        assert kind in message
