"""Benchmark: how long mbcalc takes, as medians of repeated runs (not a test; run it by hand).

    python tests/bench.py [--runs 15]

Cold start is measured as whole processes, against the cost of importing mbcalc's own
dependencies (click, yaml, rich), which is the floor a Python CLI can reach. In-process figures
time the library itself (spec -> report) without interpreter start-up.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def wall(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def inprocess(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    py = sys.executable
    floor_python = wall([py, "-c", "pass"], runs)
    floor_deps = wall([py, "-c", "import click, yaml"], runs)
    floor_rich = wall([py, "-c", "import click, yaml, rich.console, rich.table"], runs)
    rows = [
        ("python -c pass", floor_python, None),
        ("import click, yaml", floor_deps, None),
        ("import click, yaml, rich.table", floor_rich, None),
        ("mbcalc --version", wall([py, "-m", "mbcalc", "--version"], runs), floor_deps),
        ("mbcalc v1 -f json", wall([py, "-m", "mbcalc", "v1", "-f", "json"], runs), floor_deps),
        ("mbcalc v1 (table)", wall([py, "-m", "mbcalc", "v1"], runs), floor_rich),
        ("mbcalc v3-large -f csv", wall([py, "-m", "mbcalc", "v3-large", "-f", "csv"], runs), floor_deps),
        ("mbcalc reproduce all -f json", wall([py, "-m", "mbcalc", "reproduce", "all", "-f", "json"], 5), floor_deps),
    ]
    from mbcalc import api, models

    spec_names = list(models.bundled())
    rows.append(("in-process: load+expand+count v3-large", inprocess(lambda: api.report("v3-large"), runs * 5), None))
    rows.append(("in-process: every bundled model", inprocess(lambda: [api.report(m) for m in spec_names], runs), None))
    print(f"{'benchmark':42} {'median':>10} {'vs floor':>9}")
    for name, seconds, floor in rows:
        ratio = f"{seconds / floor:8.2f}x" if floor else ""
        print(f"{name:42} {seconds * 1000:8.1f}ms {ratio:>9}")


if __name__ == "__main__":
    main()
