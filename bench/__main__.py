"""`make bench`: run every benchmark and write bench/RESULTS.md."""

import importlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.common import machine

BENCHMARKS = ["bench.storage", "bench.scheduler", "bench.slack_turns", "bench.teams_turns"]
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def main(names: list[str]) -> int:
    chosen = [b for b in BENCHMARKS if not names or b.rsplit(".", 1)[1] in names]
    sections = []
    for name in chosen:
        print(f"running {name} ...", flush=True)
        result = importlib.import_module(name).run()
        print(result.markdown(), flush=True)
        sections.append(result.markdown())
    header = (
        f"# Benchmark results\n\nMachine: {machine()}. "
        f"Run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench`.\n\n"
    )
    RESULTS.write_text(header + "\n".join(sections))
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
