"""Counts the services keep about themselves, as plain data.

The services only count; bot/metrics.py turns these into Prometheus text at scrape time.
Keeping the metrics library at the edge keeps the services free of it, and fixed buckets keep
memory flat however long the server runs.
"""

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)  # seconds
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0)  # seconds


@dataclass
class Histogram:
    """Observations counted per bucket: `counts[i]` holds values <= bounds[i] (and above the
    bound before it); the last count is everything above the largest bound."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[tuple[str, int]]:
        """(upper bound, how many at or below it), ending with "+Inf": Prometheus's shape."""
        running, out = 0, []
        for bound, count in zip((*map(str, self.bounds), "+Inf"), self.counts, strict=True):
            running += count
            out.append((bound, running))
        return out


@dataclass
class TurnStats:
    """Leader turns by channel, and how long each took from arrival to the reply sent."""

    turns: Counter[str] = field(default_factory=Counter)
    latency: dict[str, Histogram] = field(default_factory=dict)

    def observe(self, channel: str, seconds: float) -> None:
        self.turns[channel] += 1
        self.latency.setdefault(channel, Histogram(TURN_BUCKETS)).observe(seconds)
