"""Shared helpers: timing, medians, and the machine description for RESULTS.md."""

import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    note: str = ""
    runs: tuple[float, ...] = ()  # each run's figure, when `value` is their median


@dataclass
class BenchResult:
    title: str
    what: str
    figures: list[Figure] = field(default_factory=list)
    target: str = ""
    met: bool | None = None
    context: str = ""  # the machine and its load while this benchmark ran

    def add(self, name: str, value: float, unit: str, note: str = "") -> None:
        self.figures.append(Figure(name, value, unit, note))

    def add_runs(self, name: str, runs: Sequence[float], unit: str, note: str = "") -> float:
        """A figure measured once per run: its median, with every run's figure beside it."""
        value = median(list(runs))
        self.figures.append(Figure(name, value, unit, note, tuple(runs)))
        return value

    def add_ratio(
        self, name: str, subject: Sequence[float], baseline: Sequence[float], note: str = ""
    ) -> float:
        """subject / baseline: the ratio of their medians, with each run's own ratio beside it
        (run i of both was measured in the same run)."""
        value = median(list(subject)) / median(list(baseline))
        each = tuple(s / b for s, b in zip(subject, baseline, strict=True))
        self.figures.append(Figure(name, value, "x", note, each))
        return value

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", self.what, ""]
        if self.context:
            lines += [self.context, ""]
        lines += ["| figure | value (median) | each run |", "| --- | --- | --- |"]
        lines += [
            f"| {f.name} | {' '.join(filter(None, (_number(f.value), f.unit, f.note)))} "
            f"| {', '.join(_number(v) for v in f.runs)} |"
            for f in self.figures
        ]
        if self.target:
            verdict = {True: "met", False: "NOT met", None: "not judged"}[self.met]
            lines += ["", f"Target: {self.target} — **{verdict}**."]
        return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.3f}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def micros_per_item(action: Callable[[str], object], items: Sequence[str], rounds: int) -> float:
    """Microseconds per item of `action` over `rounds` passes through `items`."""
    started = time.perf_counter()
    for _ in range(rounds):
        for item in items:
            action(item)
    return (time.perf_counter() - started) / (rounds * len(items)) * 1e6


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}"
    )


def load() -> str:
    """The load averages (1, 5, 15 minutes): other work on the machine skews absolute figures."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"
