"""compare, diff, reproduce, docs and plots from the command line, in every format."""

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from mbcalc.docs import stale

ROOT = Path(__file__).parent.parent


def test_compare_table_and_baseline(run):
    result = run(
        "compare",
        "v1",
        "v2",
        "v3-large",
        "v3-small",
        "--alpha",
        "1.0,0.75,0.5",
        "--res",
        "224,192,160,128",
        "--baseline",
        "v2@1.0/224",
    )
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if line.startswith(("v1 ", "v2 ", "v3-"))]
    assert len(rows) == 4 * 3 * 4
    assert "× Mult-Adds" in result.output and "baseline v2@1.0/224" in result.output


def test_compare_json_csv_are_exact(run):
    data = json.loads(
        run("compare", "v2", "v3-small", "--alpha", "1.0,0.75", "-f", "json", "--baseline", "v2@1.0/224").output
    )
    first = data["rows"][0]
    assert (first["model"], first["alpha"], first["resolution"], first["macs"]) == ("v2", 1.0, 224, 300_774_272)
    assert first["macs_ratio"] == 1.0 and data["baseline"]["params"] == 3_470_760
    rows = list(csv.DictReader(io.StringIO(run("compare", "v1", "--alpha", "1.0,0.5", "-f", "csv").output)))
    assert [int(r["macs"]) for r in rows] == [568_740_352, 149_497_088]


def test_compare_accepts_spec_files(run):
    out = run("compare", str(ROOT / "specs" / "v1-shallow.yaml"), "-f", "json").output
    assert json.loads(out)["rows"][0]["macs"] == 307_323_392


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "v1", "--alpha", "1.0,x"], "--alpha takes a comma-separated list"),
        (["compare", "v9"], "unknown model 'v9'"),
        (["compare", "v1", "--baseline", "v2@big/224"], "expected MODEL@ALPHA/RES"),
        (["compare", "v1", "--plot", "out.pdf"], "--plot writes .png or .svg files"),
        (["diff", "v1", "nope@1.0/224"], "unknown model 'nope'"),
    ],
)
def test_compare_and_diff_errors(run, args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_markdown_compare_is_golden(run, golden):
    golden(
        "compare.md",
        run(
            "compare",
            "v1",
            "v2",
            "v3-large",
            "v3-small",
            "--alpha",
            "1.0,0.75",
            "--res",
            "224,160",
            "--baseline",
            "v2@1.0/224",
            "-f",
            "markdown",
        ).output,
    )


def test_markdown_model_report_is_golden(run, golden):
    golden("v3-small-0.75-192.md", run("v3-small", "--alpha", "0.75", "--res", "192", "-f", "markdown").output)


def test_diff_collapses_unchanged_layers(run, golden):
    out = run("diff", "v3-large@1.0/224", "v3-large@0.75/224").output
    assert "unchanged layers" in out and "-62.03M" in out
    golden("diff-v3-large.md", run("diff", "v3-large@1.0/224", "v3-large@0.75/224", "-f", "markdown").output)


def test_diff_names_each_sides_counting_when_they_differ(run):
    """Only B has attention, whose matrix products its Mult-Adds include: the footer says so for B."""
    out = run("diff", "mobilenetv4-conv-medium", "mobilenetv4-hybrid-medium", "--profile", "torchvision").output
    assert "Counting (A): Mult-Adds of conv and FC layers;" in out
    assert "Counting (B): Mult-Adds of conv and FC layers and of attention's" in out


def test_diff_json_and_csv_sum_to_the_totals(run):
    data = json.loads(run("diff", "v1", "v1-shallow", "-f", "json").output)
    assert data["a"]["macs"] - data["b"]["macs"] == 568_740_352 - 307_323_392
    b_layers = [p["b"] for p in data["layers"] if p["b"]]
    assert sum(layer["macs"] for layer in b_layers) == data["b"]["macs"]
    removed = [p["a"]["name"] for p in data["layers"] if p["b"] is None]
    assert len(removed) == 5 * 6  # the five separable blocks: dw, bn, relu, pw, bn, relu
    rows = list(csv.DictReader(io.StringIO(run("diff", "v1@1.0/224", "v1@0.5/224", "-f", "csv").output)))
    assert sum(int(r["delta_macs"]) for r in rows) == 149_497_088 - 568_740_352


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv"])
def test_reproduce_every_format_passes(run, fmt):
    result = run("reproduce", "all", "-f", fmt)
    assert result.exit_code == 0, result.output[-2000:]
    if fmt == "json":
        data = json.loads(result.output)
        assert data["verdicts"]["unexplained"] == 0 and data["figures"] >= 200
    if fmt == "table":
        assert "UNEXPLAINED" not in result.output


def test_reproduce_fails_when_a_figure_moves(run, monkeypatch):
    """The CI regression: a change that moves a V1 Table 6 number makes reproduce exit 1."""
    import mbcalc.reproduce as reproduce

    refs = [dict(r) for r in reproduce.load_references()]
    table6 = next(r for r in refs if r["id"] == "v1-table6-0.75")
    table6["figures"] = {"macs": "326M"}
    monkeypatch.setattr(reproduce, "load_references", lambda: tuple(refs))
    result = run("reproduce", "v1")
    assert result.exit_code == 1 and "UNEXPLAINED" in result.output


def test_reproduce_per_family(run):
    v2 = json.loads(run("reproduce", "v2", "-f", "json").output)
    assert {row["id"].split("-")[0] for row in v2["rows"]} <= {
        "v2",
        "tf",
        "v3",
        "torchvision",
        "keras",
        "timm",
        "mcunet",
        "mcunetv2",
    }
    assert all("v2@" in row["configuration"] for row in v2["rows"])


def test_committed_docs_are_current():
    assert stale(ROOT / "docs") == [], "docs are stale: run `mbcalc docs` from the repository root"


def test_docs_check_command(run, tmp_path):
    assert run("docs", "--check", "--dir", str(ROOT / "docs")).exit_code == 0
    (tmp_path / "conventions.md").write_text("x\n<!-- begin: v2-reconciliation -->\n<!-- end: v2-reconciliation -->\n")
    (tmp_path / "spec-format.md").write_text("y\n<!-- begin: operators -->\n<!-- end: operators -->\n")
    (tmp_path / "deployment.md").write_text("z\n<!-- begin: devices -->\n<!-- end: devices -->\n")
    result = run("docs", "--check", "--dir", str(tmp_path))
    assert result.exit_code == 1 and "stale" in result.output
    assert run("docs", "--dir", str(tmp_path)).exit_code == 0
    assert "300,774,272" in (tmp_path / "conventions.md").read_text()
    assert "| `conv` " in (tmp_path / "spec-format.md").read_text()
    assert "| `pixel-1` " in (tmp_path / "deployment.md").read_text()
    assert run("docs", "--check", "--dir", str(tmp_path)).exit_code == 0


def test_plot_draws_a_picture(run, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "compare.png"
    result = run("compare", "v1", "v2", "--alpha", "1.0,0.5", "--plot", str(target))
    assert result.exit_code == 0 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "compare.svg"
    assert run("compare", "v3-small", "--plot", str(svg)).exit_code == 0 and b"<svg" in svg.read_bytes()[:500]


def test_plot_without_matplotlib_says_how_to_install(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = run("compare", "v1", "--plot", str(tmp_path / "x.png"))
    assert result.exit_code == 2
    assert 'pip install "mbcalc[plot]"' in result.stderr and not (tmp_path / "x.png").exists()
    assert result.stdout == ""  # refused before the comparison is computed or printed


def test_a_spec_file_named_like_a_bundled_model_keeps_its_own_label(run, tmp_path):
    """A copy of v2 with a stage cut, still `name: v2`, is not v2: its rows are labelled by path."""
    text = (ROOT / "specs" / "v2.yaml").read_text(encoding="utf-8")
    copy = tmp_path / "my-v2-shallow.yaml"
    copy.write_text(text.replace("6,  160,  3, 2]", "6,  160,  2, 2]"), encoding="utf-8")
    data = json.loads(run("compare", "v2", str(copy), "-f", "json").output)
    assert [row["model"] for row in data["rows"]] == ["v2", str(copy)]
    assert data["rows"][0]["macs"] != data["rows"][1]["macs"]
    assert set(data["conventions"]) == {"v2", str(copy)}
    diff = run("diff", "v2", str(copy)).output
    assert f"A = v2@1.0/224, B = {copy}@1.0/224" in diff.splitlines()[0]


def test_diff_shows_both_operators_and_no_empty_tables(run):
    out = run("diff", "v1", "v1-conv").output
    assert "dw 3x3 / conv 3x3" in out
    same = run("diff", "v1", "v1").output
    assert "By type" not in same and "Layers that change" not in same and "No layer differs" in same


def test_docs_into_an_empty_folder_says_what_it_cannot_write(run, tmp_path):
    result = run("docs", "--dir", str(tmp_path))
    assert result.exit_code == 1 and f"missing: {tmp_path / 'conventions.md'}" in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written into a folder that cannot be made whole
    check = run("docs", "--dir", str(tmp_path), "--check")
    assert check.exit_code == 1 and "missing:" in check.output


@pytest.mark.parametrize(
    "alias, model",
    [
        ("mobilenetv2", "v2"),
        ("mobilenet_v2", "v2"),
        ("MobileNetV2", "v2"),
        ("mobilenet_v3_large", "v3-large"),
        ("mobilenetv3_small_100", "v3-small"),
        ("efficientnet_b3", "efficientnet-b3"),
        ("shufflenet_v2_x1_0", "shufflenet-v2"),
        ("mobilenetv4_conv_small", "mobilenetv4-conv-small"),
    ],
)
def test_common_aliases_resolve(run, alias, model):
    assert json.loads(run(alias, "-f", "json").output)["model"] == model
    assert json.loads(run("compare", alias, "-f", "json").output)["rows"][0]["model"] == model


def test_diff_aligns_specs_with_alike_layers_by_their_shared_start_and_end(run, tmp_path):
    """Two differently named specs whose layers all look alike (the case exact matching is slow on)."""
    body = "form: graph\ninput: 8x8x3\nclasses: 10\nlayers:\n" + "  - {pw: {out: 8}}\n" * 3000
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("name: a\n" + body, encoding="utf-8")
    b.write_text("name: b\n" + body + "  - {pw: {out: 16}}\n", encoding="utf-8")
    data = json.loads(run("diff", str(a), str(b), "-f", "json").output)
    changed = [pair for pair in data["layers"] if pair["changed"]]
    assert len(data["layers"]) == 3001 and len(changed) == 1 and changed[0]["a"] is None
    assert changed[0]["b"]["output"] == [16, 8, 8]
