"""Sweeps and budgets: every cell the integers one build gives, ranges that do not drift, the
configurations within a budget best first."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcalc import api, models
from mbcalc.errors import ArgumentError, SpecError
from mbcalc.models import bundled
from mbcalc.sweep import parse_range

WIDE = [m for m in bundled() if not api.load(m).program.widths]  # built at any width


def test_ranges_are_inclusive_and_exact():
    widths = parse_range("0.35:1.4:0.05", "alphas", False)
    assert len(widths) == 22 and widths[0] == 0.35 and widths[-1] == 1.4 and widths[13] == 1.0
    assert (
        parse_range("96:512:4", "resolutions", True)[-1] == 512
        and len(parse_range("96:512:4", "resolutions", True)) == 105
    )
    assert parse_range("1.0,0.75", "alphas", False) == [1.0, 0.75]
    for bad in ("1:0:0.1", "0.5:1:0", "a:b:c", "1:2", "96:100:1.5"):
        with pytest.raises(ArgumentError):
            parse_range(bad, "resolutions", True)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(WIDE),
    st.sampled_from([0.25, 0.35, 0.5, 0.75, 1.0, 1.3, 1.4]),
    st.lists(st.integers(32, 400), min_size=1, max_size=4, unique=True),
    st.sampled_from(["paper", "torchvision", "keras"]),
)
def test_every_cell_is_what_one_build_gives(model, alpha, resolutions, profile):
    try:
        swept = api.sweep([model], [alpha], resolutions, profile, ("macs", "params", "peak-memory", "weight-bytes"))
    except Exception as exc:  # a configuration the model refuses is refused by the sweep too
        with pytest.raises(type(exc)):
            for r in resolutions:
                api.analyze(model, alpha=alpha, resolution=r, profile=profile)
        return
    for point in swept.points:
        report = api.analyze(model, alpha=alpha, resolution=point.resolution, profile=profile)
        memory = api.memory(model, alpha=alpha, resolution=point.resolution, profile=profile)
        assert (point.macs, point.params) == (report.total.macs, report.total.params)
        assert (point.peak, point.weights) == (memory.peak["arena"], memory.weights_bytes)


def test_every_bundled_model_sweeps_exactly():
    for model in bundled():
        widths = list(api.load(model).program.widths or [1.0, 0.5])[:2]
        height, _ = models.own_input(model)
        for size in [96, 161, 224] if height == 224 else [height, height + 17, height + 32]:
            try:  # a size the network cannot take (a segmenter's maps that stop adding up) is refused alike
                reports = [api.analyze(model, alpha=alpha, resolution=size) for alpha in widths]
            except SpecError:
                with pytest.raises(SpecError):
                    api.sweep([model], widths, [size])
                continue
            swept = api.sweep([model], widths, [size], metrics=("macs", "params", "peak-memory"))
            for p, report in zip(swept.points, reports, strict=True):
                assert (p.macs, p.params) == (report.total.macs, report.total.params), (model, p)
                assert p.peak == api.memory(model, alpha=p.alpha, resolution=size).peak["arena"], (model, p)


def test_the_sweep_command(run):
    result = run("sweep", "v2", "--alpha", "1.0,0.5", "--res", "96:224:64", "-f", "json")
    points = json.loads(result.output)["points"]
    assert [(p["alpha"], p["resolution"]) for p in points] == [
        (1.0, 96),
        (1.0, 160),
        (1.0, 224),
        (0.5, 96),
        (0.5, 160),
        (0.5, 224),
    ]
    assert points[2]["macs"] == 300_774_272 and points[2]["params"] == 3_470_760
    csv = run(
        "sweep", "v2", "v3-small", "--alpha", "1.0", "--res", "224", "--metric", "macs,peak-memory", "-f", "csv"
    ).output
    assert csv.splitlines()[0] == "model,alpha,resolution,macs,params,peak_bytes"
    assert "v2,1.0,224,300774272,3470760,1505280" in csv
    table = run("sweep", "v3-large", "--alpha", "1.0,0.75", "--res", "224,160", "--exact").output
    assert "v3-large: Mult-Adds" in table and "216,589,760" in table
    assert run("sweep", "v2", "--alpha", "0:1:0.1").exit_code == 2  # alpha 0 is no width


def test_fit_lists_the_configurations_within_the_budget(run):
    fit = api.fit(["v3-large"], macs=150_000_000)
    macs = [p.macs for p in fit.fitting]
    assert macs == sorted(macs, reverse=True) and max(macs) <= 150_000_000
    assert len(fit.sweep.points) == 24 * 15  # 0.25:1.4:0.05 x 96:320:16
    assert fit.checkpoints[("v3-large", 1.0, 160)] == ((), 71.7)  # the V3 paper's Table 9 row
    table = run("fit", "v3-large", "--macs", "150M").output
    assert table.index("v3-large │  0.6 │        272") < table.index("v3-large │  1.0 │        160")
    # the frontier: no fitting configuration is wider and larger; 1.0@176 fits and 1.05@176 does not
    assert ("v3-large", 1.0, 176) in fit.frontier and ("v3-large", 1.0, 160) not in fit.frontier


def test_fit_by_memory_uses_the_arena_peak():
    fit = api.fit(["v2"], memory=256_000, dtype="int8")
    for point in fit.fitting:
        memory = api.memory("v2", alpha=point.alpha, resolution=point.resolution, dtype="int8")
        assert point.peak == memory.peak["arena"] <= 256_000
    outside = [p for p in fit.sweep.points if p not in fit.fitting]
    assert outside and all(p.peak > 256_000 for p in outside)


def test_a_budget_check_exits_1_when_it_does_not_fit(run):
    result = run("fit", "v2", "--alpha", "1", "--res", "224", "--macs", "300M", "--params", "4M")
    assert (
        result.exit_code == 1
        and "v2@1.0/224 does not fit: Mult-Adds 300,774,272 > 300,000,000 by 774,272 (0.3%)" in result.output
    )
    result = run("fit", "v2", "--alpha", "1", "--res", "224", "--macs", "301M", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.output)["verdicts"][0].startswith("v2@1.0/224 fits")
    assert run("fit", "v2").exit_code == 2  # no budget
    assert run("fit", "v2", "--macs", "lots").exit_code == 2


def test_no_progress_bar_off_a_terminal(run):
    result = run("sweep", "v2", "--alpha", "0.25:2.0:0.05", "--res", "96:512:4", "-f", "csv")
    assert result.exit_code == 0 and result.stderr == "" and len(result.output.splitlines()) == 3781


def test_sweep_and_fit_plots(run, tmp_path):
    pytest.importorskip("matplotlib")
    heat = tmp_path / "heat.png"
    assert run("sweep", "v2", "--alpha", "0.35:1.4:0.35", "--res", "96:224:32", "--plot", str(heat)).exit_code == 0
    assert heat.read_bytes()[:4] == b"\x89PNG"
    frontier = tmp_path / "fit.svg"
    assert run("fit", "v2", "v3-large", "--macs", "150M", "--plot", str(frontier)).exit_code == 0
    assert b"<svg" in frontier.read_bytes()[:500]


class FakeTerminal:
    """A standard error that says it is a terminal and keeps what is written to it."""

    def __init__(self, terminal=True):
        self.terminal, self.text = terminal, []

    def isatty(self):
        return self.terminal

    def write(self, text):
        self.text.append(text)

    def flush(self):
        pass


def test_the_progress_bar_shows_only_after_a_second_on_a_terminal():
    from mbcalc.cli.commands import Progress

    now = [0.0]
    quick = Progress(100, stream=FakeTerminal(), clock=lambda: now[0])
    quick(60)
    now[0] = 0.5
    quick(40)
    assert quick.bar is None  # done within the second: no bar
    slow = Progress(100, stream=FakeTerminal(), clock=lambda: now[0])
    now[0] = 1.7
    slow(30)
    assert slow.bar is not None and slow.bar.tasks[0].completed == 30 and slow.bar.tasks[0].total == 100
    slow(20)
    assert slow.bar.tasks[0].completed == 50
    slow.close()
    piped = Progress(100, stream=FakeTerminal(terminal=False), clock=lambda: now[0])
    now[0] = 5.0
    piped(100)
    assert piped.bar is None  # standard error is not a terminal: never a bar


FC_ON_A_MAP = """\
name: fcmap
form: graph
input: 32x32x3
classes: 10
layers:
  - {conv: {out: 4, k: 3, s: 2}}
  - relu
  - {conv: {out: 4, k: 3, s: 2, p: valid}}
  - {fc: {out: $classes}}
"""


def test_review_findings_on_sweeps(run, tmp_path):
    """An fc's weights follow the map it reads: each cell's weight bytes are its own build's."""
    spec = tmp_path / "fcmap.yaml"
    spec.write_text(FC_ON_A_MAP, encoding="utf-8")
    swept = api.sweep([str(spec)], [1.0], [32, 64], metrics=("weight-bytes",))
    for point in swept.points:
        assert point.weights == api.memory(str(spec), resolution=point.resolution).weights_bytes
    assert run("sweep", "v2", "--alpha", "0:inf:1").exit_code == 2
    assert run("sweep", "v2", "--metric", ",").exit_code == 2  # no metric
    result = run("sweep", "v2", "--alpha", "1", "--res", "224,100001")
    assert result.exit_code == 2 and "--res must be a whole number from 1 to 100,000" in result.stderr
    result = run("sweep", "v2", "--alpha", "0.25:4:0.0001", "--res", "1:100000:1")
    assert result.exit_code == 2 and "more than 1,000,000" in result.stderr
    assert "--res: resolutions are whole numbers" in run("sweep", "v2", "--res", "1.5").stderr
    assert [p.alpha for p in api.sweep(["v2"], "1.0,1.0,0.5", [224]).points] == [1.0, 0.5]  # each once


def test_a_budget_check_of_several_models(run):
    result = run("fit", "v2", "v3-large", "--alpha", "1", "--res", "224", "--macs", "250M")
    assert result.exit_code == 1
    assert "v2@1.0/224 does not fit: Mult-Adds 300,774,272 > 250,000,000" in result.output
    assert "v3-large@1.0/224 fits" in result.output


def test_checkpoints_only_mark_the_published_networks():
    fit = api.fit(["v2"], alphas=[0.35], resolutions=[96], macs=300_000_000)
    assert fit.checkpoints[("v2", 0.35, 96)][0] == ("TF-Slim",)
    assert api.fit(["v2"], alphas=[0.35], resolutions=[96], macs=300_000_000, classes=10).checkpoints == {}
    assert api.fit(["v3-large"], alphas=[0.75], resolutions=[224], macs=300_000_000).checkpoints[
        ("v3-large", 0.75, 224)
    ][0] == ("TF-Slim",)  # timm's 0.75 is built otherwise (a fixed head): not this network


def test_a_cell_the_spec_refuses_is_named():
    with pytest.raises(SpecError, match=r"in the sweep: ssd300 at alpha 1, resolution 96\)"):
        api.sweep(["ssd300"], [1.0], [300, 96])
    with pytest.raises(SpecError, match=r"a 25x25 map does not split into 2x2 blocks .*resolution 400\)"):
        api.sweep(["yolov2"], [1.0], [416, 400])
