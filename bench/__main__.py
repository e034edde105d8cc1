"""`make bench`: run every benchmark and write bench/RESULTS.md.

`python -m bench storage combined` runs only those (RESULTS.md then holds only them);
`python -m bench --update safety sealing` runs only those and replaces their sections in
RESULTS.md, keeping the others as they were (each section names its own run's load)."""

import importlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.common import load, machine

BENCHMARKS = [
    "bench.storage",
    "bench.sealing",
    "bench.db_drivers",
    "bench.scheduler",
    "bench.pg_ledger",
    "bench.failover",
    "bench.slack_turns",
    "bench.slack_turns_pg",
    "bench.slack_recovery",
    "bench.teams_turns",
    "bench.combined",
    "bench.safety",
    "bench.routing",
    "bench.peer_matching",
    "bench.dashboard",
]
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PREAMBLE = (
    "Every figure is the median of the runs shown beside it; every ratio compares peercoach "
    "with a baseline measured in the same run of the same benchmark, so it holds up better "
    "than the absolute figures when other work shares the machine (the load averages say how "
    "busy it was)."
)


USAGE = (
    "usage: python -m bench [--update] [NAME ...]\n"
    "  NAME: one of {names}\n"
    "  --update: replace only those sections of bench/RESULTS.md, keeping the others"
)


def main(names: list[str]) -> int:
    """Run the named benchmarks (all without names); a name or option it does not know is
    refused before anything runs, so RESULTS.md is never rewritten by a typo or `--help`."""
    update = "--update" in names
    names = [n for n in names if n != "--update"]
    known = {b.rsplit(".", 1)[1] for b in BENCHMARKS}
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"not a benchmark: {' '.join(unknown)}", file=sys.stderr)
        print(USAGE.format(names=", ".join(sorted(known))), file=sys.stderr)
        return 2
    chosen = [b for b in BENCHMARKS if not names or b.rsplit(".", 1)[1] in names]
    started_load, sections = load(), []
    for name in chosen:
        print(f"running {name} ...", flush=True)
        before = load()
        result = importlib.import_module(name).run()
        result.context = (
            f"Machine: {machine()}. Load average (1 / 5 / 15 min) at the start: {before}; "
            f"at the end: {load()}."
        )
        print(result.markdown(), flush=True)
        sections.append(result.markdown())
    header = (
        f"# Benchmark results\n\nMachine: {machine()}. "
        f"Run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench`. Load average "
        f"(1 / 5 / 15 min) at the start: {started_load}; at the end: {load()}.\n\n"
        f"{PREAMBLE}\n\n"
    )
    if update and RESULTS.exists():
        header, sections = _updated(RESULTS.read_text(), sections)
    RESULTS.write_text(header + "\n".join(sections))
    print(f"wrote {RESULTS}")
    return 0


def _updated(old: str, fresh: list[str]) -> tuple[str, list[str]]:
    """The old file's header (with a line saying what was re-run) and its sections, each
    replaced by the fresh one of the same title; fresh sections with a new title at the end."""
    head, *parts = old.split("\n## ")
    kept = ["## " + part.rstrip("\n") + "\n" for part in parts]
    titles = [section.splitlines()[0] for section in kept]
    for section in fresh:
        title = section.splitlines()[0]
        if title in titles:
            kept[titles.index(title)] = section
        else:
            kept.append(section)
            titles.append(title)
    names = ", ".join(f"'{section.splitlines()[0][3:]}'" for section in fresh)
    note = f"Re-run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (`--update`): {names}.\n\n"
    return head.rstrip("\n") + "\n\n" + note, kept


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
