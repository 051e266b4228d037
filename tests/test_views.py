"""The per-layer table people use: rows per block or per paper row, hidden zero-cost layers, the
backbone, element-wise counts in the breakdowns, graph roles, and compare's counting options."""

import csv
import io
import itertools
import json

import pytest

import mbcalc
from mbcalc import analyze


@pytest.mark.parametrize(
    "model, by",
    [
        ("v1", "block"),
        ("v2", "block"),
        ("v2", "row"),
        ("v3-large", "row"),
        ("efficientnet-b0", "block"),
        ("googlenet", "block"),
    ],
)
def test_parts_sum_to_the_totals_and_cover_every_layer_once(model, by):
    report = analyze(model)
    parts = report.parts(by)
    assert sum(p.cost.macs for p in parts) == report.macs and sum(p.cost.params for p in parts) == report.params
    assert sum(p.layers for p in parts) == len(report.layers)
    assert all(a.last.number + 1 == b.first.number for a, b in itertools.pairwise(parts))


def test_v2_by_row_is_the_papers_table_and_by_block_its_blocks(run):
    rows = analyze("v2").parts("row")
    assert [p.key.split(": ", 1)[1] for p in rows][2] == "[112²×16, bottleneck, 6, 24, 2, 2]"
    assert (rows[2].layers, rows[2].cost.macs, str(rows[2].first.layer.input), str(rows[2].last.layer.output)) == (
        17,
        54_942_720,  # by hand: (112²·16·96 + 56²·96·9 + 56²·96·24) + (56²·24·144 + 56²·144·9 + 56²·144·24)
        "112x112x16",
        "56x56x24",
    )
    blocks = analyze("v3-large").parts("block")
    assert [b.key for b in blocks][:3] == ["conv1", "block1", "block2"] and blocks[4].key == "block4"
    assert blocks[4].layers == 14  # expand, depthwise, squeeze-excite (6 layers) and project, with their bn/act
    out = run("v2", "--by", "block").output
    assert "Blocks" in out and " block17 " in out and "Layers" not in out
    data = json.loads(run("v2", "--by", "row", "-f", "json").output)
    assert data["by"] == "row" and len(data["rows"]) == 11 and sum(r["macs"] for r in data["rows"]) == data["macs"]
    table = list(csv.DictReader(io.StringIO(run("v2", "--by", "block", "-f", "csv").output)))
    assert len(table) == 21 and sum(int(r["macs"]) for r in table) == 300_774_272


def test_by_row_of_a_graph_spec_is_refused(run):
    result = run("googlenet", "--by", "row")
    assert result.exit_code == 2
    assert "--by row needs a spec written as the paper's table (form v1, v2 or v3); use --by block" in result.stderr
    with pytest.raises(mbcalc.MbcalcError, match="by='row' needs"):
        analyze("googlenet").parts("row")


def test_hide_zero_leaves_out_free_layers_and_says_how_many(run):
    out = run("v3-small", "--hide-zero").output
    assert "101 of 155 layers cost nothing here" in out and "batchnorm" not in out.split("Totals")[0]
    assert "conv1.bn" in run("v3-small").output


def test_backbone_ends_at_the_last_feature_map(run):
    data = json.loads(run("v2", "--backbone", "--profile", "torchvision", "-f", "json").output)
    assert data["backbone"] is True and data["layers"][-1]["name"] == "conv_last.relu6"
    assert (data["macs"], data["params"]) == (299_494_272, 2_223_872)  # torchvision's mobilenet_v2().features
    assert run("v3-large", "--backbone").output.startswith("v3-large backbone: alpha 1.0")


def test_count_adds_elementwise_ops_to_the_breakdowns(run):
    data = json.loads(run("v2", "--count", "-f", "json").output)
    by_type = data["by_type"]
    assert sum(g["elementwise_ops"] for g in by_type.values()) == data["elementwise_ops"]
    assert sum(g["elementwise_ops"] for g in data["by_role"].values()) == data["elementwise_ops"]
    assert "elem. ops" in run("v2", "--count").output.split("By type")[1]


def test_graph_specs_get_stem_head_and_classifier_roles_in_order():
    roles = [g.key for g in analyze("efficientnet-b0").by_role]
    assert roles[0] == "stem" and roles[-2:] == ["head", "classifier"]
    assert [g.key for g in analyze("shufflenet-v2").by_role] == ["stem", "down", "unit", "head", "classifier"]
    stem = next(g for g in analyze("efficientnet-b0").by_role if g.key == "stem")
    assert (stem.layers, stem.cost.macs) == (3, 10_838_016)  # conv, bn, swish; 112²·32·(3·3·3)


def test_compare_takes_the_counting_options(run):
    data = json.loads(
        run(
            "compare", "v2", "v1", "--count", "--flops", "--bn", "all", "--classes", "10", "--backbone", "-f", "json"
        ).output
    )
    first = data["rows"][0]
    single = json.loads(
        run("v2", "--count", "--flops", "--bn", "all", "--classes", "10", "--backbone", "-f", "json").output
    )
    assert (first["macs"], first["params"], first["elementwise_ops"], first["flops"]) == (
        single["macs"],
        single["params"],
        single["elementwise_ops"],
        single["flops"],
    )
    assert "FLOPs (M)" in run("compare", "v2", "--flops").output


def test_compare_shows_small_networks_params_without_rounding_them_to_zero(run, tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        "name: tiny\nform: graph\ninput: 8x8x3\nclasses: 10\nlayers:\n  - conv: {out: 4, k: 3}\n", encoding="utf-8"
    )
    row = next(line for line in run("compare", str(spec)).output.splitlines() if line.startswith("tiny"))
    assert "0.000108" in row  # 108 parameters


def test_labels_stay_unique_when_a_name_is_another_specs_path(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = "form: graph\ninput: 8x8x3\nclasses: 10\nlayers:\n  - conv: {{out: {}, k: 3}}\n"
    (tmp_path / "a.yaml").write_text("name: b.yaml\n" + body.format(4), encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: z\n" + body.format(5), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: z\n" + body.format(6), encoding="utf-8")
    data = json.loads(run("compare", "a.yaml", "b.yaml", "c.yaml", "-f", "json").output)
    assert [row["model"] for row in data["rows"]] == ["a.yaml", "b.yaml", "c.yaml"]
    assert len(data["conventions"]) == 3


def test_compare_never_shows_a_count_or_a_multiple_as_zero(run, tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        "name: tiny\nform: graph\ninput: 1x1x1\nclasses: 10\nlayers:\n  - conv: {out: 2, k: 1}\n", encoding="utf-8"
    )
    row = next(line for line in run("compare", str(spec), "--baseline", "v1").output.splitlines() if "tiny" in line)
    cells = row.split("│")
    assert cells[3].strip() == "0.000002" and cells[5].strip() == "0.00000000352"  # 2 of 568,740,352


def test_a_network_without_a_backbone_is_refused_and_compare_says_backbones(run, tmp_path):
    spec = tmp_path / "gp.yaml"
    spec.write_text(
        "name: gp\nform: graph\ninput: 8x8x3\nclasses: 10\nlayers:\n  - avgpool: {k: global}\n  - fc: {out: 10}\n",
        encoding="utf-8",
    )
    result = run(str(spec), "--backbone")
    assert result.exit_code == 2 and "--backbone: gp has no layers before its global pooling" in result.stderr
    assert run("compare", "v1", "--backbone").output.startswith("Comparison, profile paper, backbones only")
    assert json.loads(run("compare", "v1", "--backbone", "-f", "json").output)["backbone"] is True


@pytest.mark.parametrize("extra", [["-f", "json"], ["-f", "csv"], ["--by", "block"]])
def test_hide_zero_where_it_cannot_hide_anything_is_refused(run, extra):
    result = run("v2", "--hide-zero", *extra)
    assert result.exit_code == 2 and "--hide-zero leaves rows out of the per-layer table" in result.stderr


def test_names_cannot_change_a_markdown_page_or_run_as_a_spreadsheet_formula(run, tmp_path):
    spec = tmp_path / "odd.yaml"
    spec.write_text(
        'name: "=HYPERLINK(1)"\nform: graph\ninput: 8x8x3\nclasses: 10\nlayers:\n'
        '  - {conv: {out: 4, k: 3}, name: "a|<b>"}\n',
        encoding="utf-8",
    )
    markdown = run(str(spec), "-f", "markdown").output
    row = next(line for line in markdown.splitlines() if line.startswith("| 1 "))
    assert "a\\|&lt;b&gt;" in row and row.count(" | ") == 6  # seven cells, as in the header
    table = list(csv.reader(io.StringIO(run(str(spec), "-f", "csv").output)))
    assert table[1][1] == "a|<b>"
    assert next(csv.reader(io.StringIO(run("compare", str(spec), "-f", "csv").output.splitlines()[1])))[0] == (
        "'=HYPERLINK(1)"
    )


def test_a_fully_connected_layer_inside_a_block_is_not_the_classifier(run, tmp_path):
    """A squeeze-excite gate built from fc layers sits inside the features: the backbone goes on."""
    spec = tmp_path / "sefc.yaml"
    spec.write_text(
        "name: sefc\nform: graph\ninput: 32x32x3\nclasses: 10\nblocks:\n  se:\n    params: [c]\n    layers:\n"
        "      - {name: x, relu: }\n      - adaptive_avgpool: {out: 1}\n      - fc: {out: 4}\n      - relu\n"
        "      - fc: {out: $c}\n      - sigmoid\n      - {name: scale, multiply: [x, sigmoid1]}\n"
        "layers:\n  - conv: {out: 16, k: 3, s: 2}\n  - se: {c: 16}\n  - conv: {out: 32, k: 3, s: 2}\n"
        "  - conv: {out: 64, k: 3, s: 2}\n  - adaptive_avgpool: {out: 1}\n  - fc: {out: 10}\n",
        encoding="utf-8",
    )
    report = analyze(str(spec))
    assert [layer.role for layer in report.network.layers if layer.op == "fc"] == ["se", "se", "classifier"]
    assert analyze(str(spec), backbone=True).network.layers[-1].name == "conv3"


def test_diff_csv_names_both_operators(run):
    rows = list(csv.DictReader(io.StringIO(run("diff", "v1", "v1-conv", "-f", "csv").output)))
    assert {(r["a_op"], r["b_op"]) for r in rows if r["a_name"] == "block1.dw"} == {("depthwise", "conv")}
