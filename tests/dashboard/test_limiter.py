"""The bad-token limiter: a few failures are free, then the address waits until the oldest
ages out; other addresses are not held up; memory stays bounded."""

from bot.dashboard.limiter import BadTokenLimiter
from tests.conftest import FakeClock


def test_an_address_waits_after_five_failures_until_the_oldest_ages_out() -> None:
    clock = FakeClock()
    limiter = BadTokenLimiter(clock)
    for _ in range(4):
        limiter.failed("10.0.0.1")
        clock.advance(minutes=1)
    assert limiter.wait("10.0.0.1") == 0
    limiter.failed("10.0.0.1")
    assert limiter.wait("10.0.0.1") == 6 * 60  # the first failure, ten minutes on
    assert limiter.wait("10.0.0.2") == 0
    clock.advance(minutes=6, seconds=1)
    assert limiter.wait("10.0.0.1") == 0


def test_memory_is_bounded() -> None:
    limiter = BadTokenLimiter(FakeClock(), max_addresses=100)
    for n in range(1000):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._failures) <= 100
