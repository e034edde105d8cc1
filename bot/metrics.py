"""`GET /metrics`: what the services counted, in Prometheus text format.

Read at scrape time from the services' own counts (bot/stats.py), so nothing is counted twice
and nothing here holds personal data: channels, outcomes and reasons are fixed words.
"""

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from bot.probes import Probes
from bot.schedules.model import INACTIVE
from bot.stats import Histogram
from bot.wiring import App

CONTENT_TYPE = CONTENT_TYPE_LATEST


class PeercoachCollector(Collector):
    def __init__(
        self,
        app: App,
        channels_up: Callable[[], Mapping[str, bool]],
        probes: Probes | None = None,
    ) -> None:
        self.app = app
        self.channels_up = channels_up
        self.probes = probes

    def collect(self) -> Iterator[Metric]:
        yield from self._turns()
        yield from self._deliveries()
        yield from self._schedules()
        yield self._channels()
        yield from self._database()

    def _database(self) -> Iterator[Metric]:
        pool = self.probes.pool if self.probes is not None else None
        if pool is None:
            return
        size, idle = pool.get_size(), pool.get_idle_size()
        for name, doc, value in (
            ("size", "Connections the database pool holds open now.", size),
            ("idle", "Pool connections open and waiting for work.", idle),
            ("in_use", "Pool connections lent out to a store right now.", size - idle),
            ("max", "The most connections the pool may open.", pool.get_max_size()),
        ):
            yield GaugeMetricFamily(f"peercoach_db_pool_{name}", doc, value=value)

    def _channels(self) -> Metric:
        family = GaugeMetricFamily(
            "peercoach_channel_up",
            "1 while the channel's platform takes its start-up check, 0 while it is down.",
            labels=["channel"],
        )
        for name, up in sorted(self.channels_up().items()):
            family.add_metric([name], float(up))
        return family

    def _turns(self) -> Iterator[Metric]:
        stats = self.app.conversations.turn_stats
        turns = CounterMetricFamily(
            "peercoach_turns", "Leader turns handled, by channel.", labels=["channel"]
        )
        latency = HistogramMetricFamily(
            "peercoach_turn_seconds",
            "Time from a leader's message arriving to the reply sent, by channel.",
            labels=["channel"],
        )
        for channel, count in sorted(stats.turns.items()):
            turns.add_metric([channel], count)
            _add_histogram(latency, [channel], stats.latency[channel])
        yield turns
        yield latency

    def _deliveries(self) -> Iterator[Metric]:
        stats = self.app.deliveries.stats
        nudges = CounterMetricFamily(
            "peercoach_nudges",
            "Scheduled deliveries (nudges, snoozes, follow-ups) by outcome; retried counts "
            "each retry of a transient failure.",
            labels=["outcome"],
        )
        nudges.add_metric(["delivered"], stats.delivered)
        nudges.add_metric(["retried"], stats.retried)
        nudges.add_metric(["deferred"], stats.deferred)
        nudges.add_metric(["skipped"], sum(stats.skipped.values()))
        nudges.add_metric(["failed"], sum(stats.failed.values()))
        yield nudges
        for name, counts, doc in (
            ("peercoach_nudges_skipped", stats.skipped, "Skipped deliveries, by reason."),
            ("peercoach_nudges_failed", stats.failed, "Failed deliveries, by reason."),
        ):
            family = CounterMetricFamily(name, doc, labels=["reason"])
            for reason, count in sorted(counts.items()):
                family.add_metric([reason], count)
            yield family
        lag = HistogramMetricFamily(
            "peercoach_delivery_lag_seconds",
            "How late each delivery went out after it fell due (scheduler lag).",
        )
        _add_histogram(lag, [], stats.lag)
        yield lag

    def _schedules(self) -> Iterator[Metric]:
        schedules = self.app.schedules.schedules()
        inactive = {s.user for s in schedules if (s.paused_reason or "").startswith(INACTIVE)}
        yield GaugeMetricFamily(
            "peercoach_inactive_leaders",
            "Leaders whose schedules are paused because they could not be reached.",
            value=len(inactive),
        )
        yield GaugeMetricFamily(
            "peercoach_schedules", "Nudge schedules stored.", value=len(schedules)
        )
        scheduler = self.app.scheduler
        running = scheduler is not None and scheduler.state != "stopped"
        yield GaugeMetricFamily(
            "peercoach_scheduler_running", "1 while the scheduler fires jobs.", value=running
        )
        active = self.probes.leadership.role == "active" if self.probes is not None else True
        yield GaugeMetricFamily(
            "peercoach_scheduler_active",
            "1 on the instance that runs the scheduler, 0 on one standing by to take over.",
            value=active,
        )


def _add_histogram(family: HistogramMetricFamily, labels: list[str], data: Histogram) -> None:
    family.add_metric(labels, buckets=data.cumulative(), sum_value=data.total)


def build_registry(
    app: App, channels_up: Callable[[], Mapping[str, bool]] = dict, probes: Probes | None = None
) -> CollectorRegistry:
    """A registry per app (not the library's global one): tests run many apps in one process.
    `probes` None: one process on TinyDB, which always leads and has no pool."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PeercoachCollector(app, channels_up, probes))
    ProcessCollector(registry=registry)  # memory, CPU, open files: what an operator checks first
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
