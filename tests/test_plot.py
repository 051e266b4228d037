"""The compare plot, inspected through matplotlib's objects: what is grouped, styled, labelled and where."""

import subprocess
import sys
from pathlib import Path

import pytest

from mbcalc import api
from mbcalc.errors import MbcalcError
from mbcalc.plot import build_figure, check_plot_target, plot_comparison, published_accuracy

pytest.importorskip("matplotlib")

ROOT = Path(__file__).parent.parent


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_models_are_grouped_by_label_and_published_accuracy_belongs_to_bundled_models(tmp_path):
    """A copy of v2 still named v2 gets a colour and a legend entry of its own, and no published top-1."""
    copy = tmp_path / "my-v2.yaml"
    copy.write_text((ROOT / "specs" / "v2.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    comparison = api.compare(["v2", str(copy)], [1.0, 0.5], [224])
    assert [label for label, _ in comparison.labelled()] == ["v2", "v2", str(copy), str(copy)]

    fig = build_figure(comparison)
    left, right = fig.axes
    lines = lines_by_label(left)
    assert sorted(lines) == sorted(["v2 224px", f"{copy} 224px"])
    assert lines["v2 224px"].get_color() != lines[f"{copy} 224px"].get_color()
    assert list(lines["v2 224px"].get_xdata()) == list(lines[f"{copy} 224px"].get_xdata())  # same counts
    legend = [text.get_text() for text in right.get_legend().get_texts()]
    assert "v2" in legend and str(copy) in legend

    accuracy = lines_by_label(right)
    assert list(accuracy) == ["v2 224px"]  # only the bundled model is placed against published top-1
    assert list(accuracy["v2 224px"].get_ydata()) == [65.4, 72.0]
    assert accuracy["v2 224px"].get_color() == lines["v2 224px"].get_color()

    copy_report = comparison.reports[-1]
    assert copy_report.network.name == "v2" and not copy_report.network.bundled
    assert published_accuracy(copy_report) is None and published_accuracy(comparison.reports[0]) == 72.0
    alone = build_figure(api.compare([str(copy)], [1.0], [224]))
    assert len(alone.axes) == 1  # nothing published for it: no accuracy panel at all


def test_twenty_four_resolutions_look_different_and_the_legend_covers_no_point():
    resolutions = list(range(96, 96 + 8 * 24, 8))
    fig = build_figure(api.compare(["v1", "v2"], [1.0, 0.5], resolutions))
    assert len(fig.axes) == 2

    def look(line):
        return line.get_marker(), line.get_fillstyle(), line.get_linestyle()

    lines = lines_by_label(fig.axes[0])
    looks = {res: look(lines[f"v1 {res}px"]) for res in resolutions}
    assert len(set(looks.values())) == 24
    assert {res: look(lines[f"v2 {res}px"]) for res in resolutions} == looks  # a resolution looks alike in each model
    legend = fig.axes[-1].get_legend()
    entries = dict(zip((t.get_text() for t in legend.get_texts()), legend.get_lines(), strict=True))
    assert {res: look(entries[f"{res}px"]) for res in resolutions} == looks  # the legend shows each one's look
    assert entries["v1"].get_color() == lines["v1 224px"].get_color() != entries["v2"].get_color()

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    for ax in fig.axes:
        assert not box.overlaps(ax.get_window_extent(renderer))
    assert box.x0 > fig.axes[-1].get_window_extent(renderer).x1  # to the right of the last panel
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y0 >= fig.bbox.y0  # and inside the figure


def test_every_point_says_its_alpha_on_both_panels():
    comparison = api.compare(["v1", "v2"], [1.0, 0.75, 0.5], [224, 160])
    left, right = build_figure(comparison).axes

    def annotations(ax):
        return {(text.get_text(), round(text.xy[0], 4), round(text.xy[1], 4)) for text in ax.texts}

    assert len(left.texts) == 2 * 3 * 2
    assert ("0.75", 2.5681, 325.4004) in annotations(left)  # v1 0.75-224: 2,568,144 params, 325,400,448 Mult-Adds
    assert ("1.0", 4.2091, 568.7404) in annotations(left)
    written = {1.0: "1.0", 0.75: "0.75", 0.5: "0.5"}
    points = {
        (written[r.network.config.alpha], round(r.params / 1e6, 4), round(r.macs / 1e6, 4)) for r in comparison.reports
    }
    assert annotations(left) == points
    published = [r for r in comparison.reports if published_accuracy(r) is not None]
    assert len(published) == 12  # the V1 and V2 papers publish top-1 for all twelve configurations
    assert ("0.75", 325.4004, 68.4) in annotations(right)  # v1 0.75-224, published 68.4%
    assert annotations(right) == {
        (written[r.network.config.alpha], round(r.macs / 1e6, 4), published_accuracy(r)) for r in published
    }
    for text in left.texts + right.texts:
        assert text.get_fontsize() <= 7 and text.get_anncoords() == "offset points" and text.xyann != (0, 0)


def test_check_plot_target_fails_before_any_work(monkeypatch):
    with pytest.raises(MbcalcError, match=r"--plot writes \.png or \.svg files, got 'out\.pdf'"):
        check_plot_target("out.pdf")
    assert check_plot_target("out.PNG") is None and check_plot_target("dir/out.svg") is None
    with pytest.raises(MbcalcError, match=r"a file name cannot contain a NUL character"):
        check_plot_target("out\0.png")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(MbcalcError, match=r'--plot needs matplotlib: pip install "mbcalc\[plot\]"'):
        check_plot_target("out.png")


def test_check_plot_target_does_not_load_pyplot():
    code = (
        "import sys; from mbcalc.plot import check_plot_target; check_plot_target('a.png'); "
        "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]


def test_plot_comparison_checks_first_and_writes_whole(tmp_path, monkeypatch):
    comparison = api.compare(["v1"], [1.0, 0.5], [224])
    monkeypatch.setattr("mbcalc.plot.build_figure", lambda _: pytest.fail("drew before checking the target"))
    with pytest.raises(MbcalcError, match=r"--plot writes \.png or \.svg"):
        plot_comparison(comparison, str(tmp_path / "x.pdf"))
    monkeypatch.undo()

    with pytest.raises(MbcalcError, match=r"cannot write .*missing"):
        plot_comparison(comparison, str(tmp_path / "missing" / "x.png"))
    target = tmp_path / "x.png"
    plot_comparison(comparison, str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]  # no partial file left beside it


def test_labels_are_shown_verbatim_not_as_mathematics(tmp_path):
    copy = tmp_path / "v2 $\\frac$.yaml"  # matplotlib would read $...$ as mathematics, and fail on it
    copy.write_text((ROOT / "specs" / "v2.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    fig = build_figure(api.compare(["v2", str(copy)], [1.0], [224]))
    fig.canvas.draw()
    legend = [text.get_text() for text in fig.axes[-1].get_legend().get_texts()]
    assert f"{copy}".replace("$", "\\$") in legend


def test_the_memory_plot_marks_the_peak_and_the_budget(tmp_path):
    from mbcalc.plot import memory_figure, plot_memory

    memory = api.memory("v2", dtype="int8")
    fig = memory_figure(memory, sram=262_144)
    ax = fig.axes[0]
    assert len(ax.patches) == len(memory.steps)  # one bar per operator
    assert max(bar.get_height() for bar in ax.patches) == memory.peak["arena"] / 1024
    assert any(line.get_ydata()[0] == 256 for line in ax.get_lines())  # the budget line, in KiB
    assert "peak 1,470 KiB at block2.dw" in [text.get_text() for text in ax.texts]
    target = tmp_path / "memory.png"
    plot_memory(memory, str(target), 262_144)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
