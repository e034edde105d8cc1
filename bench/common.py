"""Shared helpers: timing, medians, and the machine description for RESULTS.md."""

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass
class BenchResult:
    title: str
    what: str
    figures: list[Figure] = field(default_factory=list)
    target: str = ""
    met: bool | None = None

    def add(self, name: str, value: float, unit: str, note: str = "") -> None:
        self.figures.append(Figure(name, value, unit, note))

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", self.what, ""]
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [
            f"| {f.name} | {f.value:,.3f} {f.unit}{' ' + f.note if f.note else ''} |"
            for f in self.figures
        ]
        if self.target:
            verdict = {True: "met", False: "NOT met", None: "not judged"}[self.met]
            lines += ["", f"Target: {self.target} — **{verdict}**."]
        return "\n".join(lines) + "\n"


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}"
    )
