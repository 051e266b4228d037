"""Benchmark: how long mbcalc takes, as medians of repeated runs (not a test; run it by hand).

    python tests/bench.py [--runs 15]

Cold start is measured as whole processes, against the cost of importing mbcalc's own
dependencies (click, yaml: the tables are drawn without rich), which is the floor a Python CLI can
reach. In-process figures
time the library itself (spec -> report) without interpreter start-up. Scaling: `mbcalc validate`
of a graph spec of 10,000 and of 100,000 layers (the second about 10 MB: each line carries a long
comment, as the old 10 MB test had them), whose ratio should be about 10 (linear), and the
100,000-layer runs, with and without the comments, as multiples of a cold `mbcalc v1 -f json`.
Bounded work: the largest spec the limits admit (100,000 layers) in every format, and `diff` of two
such specs whose layers all look alike (the worst case for aligning them), each of which must finish
in well under a minute.

Sweeps, each against its floor in the same run: configurations per second in process (V2's 3,780
of 0.25:2.0:0.05 x 96:512:4, floor 10,000/s; EfficientNet-B0 at 1,000 resolutions, floor
2,000/s); `mbcalc sweep` of those 3,780 against one cold `mbcalc v2 -f json` (at most 3x); and the
cold start in CPU time (the processes' user + system time): `mbcalc v2 -f json` and `mbcalc v2`
against `import click, yaml` (at most 1.5x; the table is drawn without rich, so its floor is the
same). The package's bytecode is compiled first, as an install has it.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu(commands: list[list[str]], runs: int) -> list[float]:
    """The median CPU time (user + system) of each whole process, the commands run in turn so that
    a slower or faster spell of the machine falls on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for argv, spent in zip(commands, times, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [statistics.median(spent) for spent in times]


def sweeps(runs: int) -> list[tuple[str, float, float, str]]:
    """(what, measured, floor, unit) for the sweep figures of the issue that asked for them."""
    from mbcalc import api

    py = sys.executable
    grid = ("0.25:2.0:0.05", "96:512:4")
    v2 = inprocess(lambda: api.sweep(["v2"], *grid), runs)
    b0 = inprocess(lambda: api.sweep(["efficientnet-b0"], [1.0], "96:1095:1"), runs)
    command = [py, "-m", "mbcalc", "sweep", "v2", "--alpha", grid[0], "--res", grid[1], "-f", "csv"]
    floor, json_cold, table_cold, swept = cpu(
        [
            [py, "-c", "import click, yaml"],
            [py, "-m", "mbcalc", "v2", "-f", "json"],
            [py, "-m", "mbcalc", "v2"],
            command,
        ],
        2 * runs,
    )
    return [
        ("in-process sweep: V2 configurations/s", 3780 / v2, 10_000, "/s"),
        ("in-process sweep: EfficientNet-B0 configurations/s", 1000 / b0, 2_000, "/s"),
        ("mbcalc sweep v2 (3,780) vs cold v2 -f json (CPU)", swept, json_cold, "s"),
        ("cold mbcalc v2 -f json vs import click, yaml (CPU)", json_cold, floor, "s"),
        ("cold mbcalc v2 (table) vs import click, yaml (CPU)", table_cold, floor, "s"),
    ]


def inprocess(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def long_spec(folder: Path, layers: int, comment: bool = True) -> str:
    """A graph spec of `layers` 1x1 convs, one a line, with a long comment as the 10 MB test had them."""
    lines = ["name: big", "form: graph", "input: 8x8x3", "classes: 10", "layers:"]
    line = "  - {pw: {out: 8}, role: body}" + ("   # a comment, as real specs have " + "." * 36) * comment
    lines += [line] * layers
    path = folder / f"big-{layers}{'' if comment else '-plain'}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def varied_spec(folder: Path, layers: int) -> str:
    """A graph spec of about `layers` layers that uses the language: names, $expressions, residual adds."""
    lines = [
        "name: varied",
        "form: graph",
        "input: 8x8x3",
        "classes: 10",
        "layers:",
        "  - {name: x0, conv: {out: 16, k: 3}}",
    ]
    for i in range(1, layers // 6 + 1):
        lines += [
            f'  - conv: {{out: "$in + {i % 7 + 1}", k: {1 + 2 * (i % 2)}}}',
            "  - bn",
            "  - relu",
            f"  - {{name: x{i}, conv: {{out: 16, k: 1}}}}",
            f"  - add: [x{i}, x{i - 1}]",
            "  - relu6",
        ]
    path = folder / f"varied-{layers}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    py = sys.executable
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "mbcalc"), quiet=1)
    floor_python = wall([py, "-c", "pass"], runs)
    floor_deps = wall([py, "-c", "import click, yaml"], runs)
    rows = [
        ("python -c pass", floor_python, None),
        ("import click, yaml", floor_deps, None),
        ("mbcalc --version", wall([py, "-m", "mbcalc", "--version"], runs), floor_deps),
        ("mbcalc v1 -f json", wall([py, "-m", "mbcalc", "v1", "-f", "json"], runs), floor_deps),
        ("mbcalc v1 (table)", wall([py, "-m", "mbcalc", "v1"], runs), floor_deps),
        ("mbcalc v3-large -f csv", wall([py, "-m", "mbcalc", "v3-large", "-f", "csv"], runs), floor_deps),
        ("mbcalc reproduce all -f json", wall([py, "-m", "mbcalc", "reproduce", "all", "-f", "json"], 5), floor_deps),
    ]
    from mbcalc import analyze, models

    spec_names = list(models.bundled())
    rows.append(("in-process: load+expand+count v3-large", inprocess(lambda: analyze("v3-large"), runs * 5), None))
    rows.append(("in-process: every bundled model", inprocess(lambda: [analyze(m) for m in spec_names], runs), None))
    v1_json = rows[4][1]
    with tempfile.TemporaryDirectory() as folder:
        small, large = long_spec(Path(folder), 10_000), long_spec(Path(folder), 100_000)
        plain = long_spec(Path(folder), 100_000, comment=False)
        varied = varied_spec(Path(folder), 100_000)
        at_10k = wall([py, "-m", "mbcalc", "validate", small], 5)
        at_100k = wall([py, "-m", "mbcalc", "validate", large], 3)
        at_plain = wall([py, "-m", "mbcalc", "validate", plain], 3)
        at_varied = wall([py, "-m", "mbcalc", "validate", varied], 3)
        renamed = Path(folder) / "big-renamed.yaml"
        renamed.write_text(Path(plain).read_text().replace("name: big", "name: other", 1))
        bounded = [
            (f"  100,000 layers, -f {fmt}", wall([py, "-m", "mbcalc", plain, "-f", fmt], 1))
            for fmt in ("table", "markdown", "latex", "json", "csv")
        ]
        bounded.append(
            ("  diff of two alike 100,000-layer specs", wall([py, "-m", "mbcalc", "diff", plain, str(renamed)], 1))
        )
    rows.append(("mbcalc validate, 10,000 layers (1 MB)", at_10k, None))
    rows.append(("mbcalc validate, 100,000 layers (10 MB)", at_100k, v1_json))
    rows.append(("  the same without the comments (3 MB)", at_plain, v1_json))
    rows.append(("  100,000 layers with names, $exprs, adds", at_varied, v1_json))
    rows += [(name, seconds, v1_json) for name, seconds in bounded]
    print(f"{'benchmark':42} {'median':>10} {'vs floor':>9}")
    for name, seconds, floor in rows:
        ratio = f"{seconds / floor:8.2f}x" if floor else ""
        print(f"{name:42} {seconds * 1000:8.1f}ms {ratio:>9}")
    print(
        f"scaling: 100,000 / 10,000 layers = {at_100k / at_10k:.2f} (linear: 10); "
        f"100,000 layers = {at_100k / v1_json:.1f} x a cold 'mbcalc v1 -f json'"
    )
    print(f"{'sweeps':52} {'measured':>12} {'floor':>10} {'ratio':>7}")
    for name, measured, floor, unit in sweeps(runs):
        shown = (
            (f"{measured:10,.0f}{unit}", f"{floor:8,.0f}{unit}")
            if unit == "/s"
            else (f"{measured * 1000:10.1f}ms", f"{floor * 1000:8.1f}ms")
        )
        print(f"{name:52} {shown[0]:>12} {shown[1]:>10} {measured / floor:6.2f}x")


if __name__ == "__main__":
    main()
