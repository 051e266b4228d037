"""What the counting tools print, reproduced exactly: every record of tests/data/counting_tools.json
(measured by tests/harness/tool_counts.py on the real tools and models)."""

import json
from pathlib import Path

import pytest

import mbcalc
from mbcalc.tools import TOOLS

DATA = Path(__file__).parent / "data"
MEASURED = json.loads((DATA / "counting_tools.json").read_text(encoding="utf-8"))
TF = json.loads((DATA / "tf_profiler.json").read_text(encoding="utf-8"))  # tests/harness/tf_profiler_counts.py


def ids(record):
    return f"{record['model']}-{record.get('profile', 'keras')}-{record['alpha']}-{record['resolution']}"


@pytest.mark.parametrize("record", MEASURED["builds"], ids=ids)
def test_every_tool_prints_what_mbcalc_reports(record):
    for name in (name for name in TOOLS if name in record):  # timm's figures are published: references.yaml
        report = mbcalc.analyze(
            record["model"],
            alpha=record["alpha"],
            resolution=record["resolution"],
            profile=record["profile"],
            counting=name,
        )
        printed = record[name]
        assert report.reported == printed.get("macs", printed.get("flops")), name
        assert sum(report.reported_by_layer) == report.reported
        if "params" in printed:
            assert report.params == printed["params"], name


@pytest.mark.parametrize("record", TF["records"], ids=ids)
def test_the_tensorflow_profiler_prints_what_mbcalc_reports(record):
    report = mbcalc.analyze(
        record["model"], alpha=record["alpha"], resolution=record["resolution"], profile="keras", counting="tf-profiler"
    )
    assert (report.reported, report.params) == (record["total_float_ops"], record["params"])


def test_the_v2_figures_of_the_brief():
    expected = {
        "ptflops": 320_300_008,
        "fvcore": 314_193_216,
        "thop": 327_486_720,
        "torchinfo": 300_809_384,
        "ptflops-aten": 300_775_272,
        "flopcounter": 601_548_544,
    }
    for name, value in expected.items():
        assert mbcalc.analyze("v2", profile="torchvision", counting=name).reported == value


def test_json_gives_counting_and_reported_and_the_rows_sum_to_it(run):
    data = json.loads(run("v3-small", "--profile", "torchvision", "--counting", "thop", "-f", "json").output)
    assert (data["counting"], data["reported_unit"]) == ("thop", "MACs")
    assert sum(layer["reported"] for layer in data["layers"]) == data["reported"]
    assert data["macs"] == 56_510_400 and "ultralytics-thop 2.2.3" in data["convention"]


def test_a_model_whose_pytorch_modules_are_unknown_is_refused(run):
    result = run("googlenet", "--profile", "torchvision", "--counting", "fvcore")
    assert result.exit_code == 2 and "googlenet with profile 'torchvision' is not one of them" in result.stderr
    assert "--counting fvcore reproduces the counting tools for the PyTorch models" in result.stderr
    assert "v2 with profile 'paper' is not one of them" in run("v2", "--counting", "fvcore").stderr
    assert (
        "the Keras applications of profile 'keras'"
        in run("v2", "-p", "torchvision", "--counting", "tf-profiler").stderr
    )
    with pytest.raises(mbcalc.MbcalcError, match="counting must be one of"):
        mbcalc.analyze("v2", profile="torchvision", counting="nvprof")


def test_explain_reaches_every_tools_number_from_the_same_line_items(run):
    data = json.loads(run("explain", "v2", "-f", "json").output)
    assert data["totals"] == {
        "Mult-Adds": 300_774_272,
        "flopcounter": 601_548_544,
        "ptflops": 320_300_008,
        "ptflops-aten": 300_775_272,
        "thop": 327_486_720,
        "fvcore": 314_193_216,
        "torchinfo": 300_809_384,
        "timm": 314_193_216,  # timm's benchmark table prints 0.31 GMACs for mobilenetv2_100
    }
    for name, total in data["totals"].items():
        assert sum(item["counted"][name] for item in data["items"]) == total
    assert {item["item"]: item["quantity"] for item in data["items"]}["bn_elements"] == 6_678_112
    keras = json.loads(run("explain", "v2", "--profile", "keras", "-f", "json").output)
    assert keras["totals"]["tf-profiler"] == 601_833_648
    table = run("explain", "v3-small").output
    assert "printed total" in table and "(×4)" in table  # thop's batch norm
    assert run("explain", "googlenet").exit_code == 2


def test_timm_counts_as_fvcore_does_on_timms_modules():
    """timm's benchmark GMACs are fvcore's count of timm's build (its published table is compared in
    references.yaml): on V2, whose timm and torchvision builds fvcore counts alike, it is fvcore's."""
    timm = mbcalc.analyze("v2", profile="torchvision", counting="timm").reported
    assert timm == mbcalc.analyze("v2", profile="torchvision", counting="fvcore").reported == 314_193_216
    # timm's V3 squeezes with x.mean, which fvcore does not count; torchvision's with a pool module
    v3 = {
        name: mbcalc.analyze("v3-large", profile="torchvision", counting=name).reported for name in ("timm", "fvcore")
    }
    layers = mbcalc.build("v3-large", profile="torchvision").layers
    se_pools = sum(layer.input.size for layer in layers if layer.role == "se" and layer.op == "avgpool")
    assert v3["fvcore"] - v3["timm"] == se_pools


def test_review_cases_for_counting(run):
    # the parameters are the tool's: --bn and --biases cannot change them
    result = run("v1", "-p", "paper", "--counting", "ptflops", "--biases")
    assert result.exit_code == 2 and "leave out --bn and --biases" in result.stderr
    # timm builds only some networks, and V3 below 1.0 its own way
    assert "alexnet is not one of them" in run("alexnet", "-p", "torchvision", "--counting", "timm").stderr
    assert (
        "timm builds V3 below width 1.0"
        in run("v3-large", "-a", "0.75", "-p", "torchvision", "--counting", "timm").stderr
    )
    assert run("efficientnet-b0", "-p", "torchvision", "--counting", "timm").exit_code == 0
    # Keras without its top has no softmax: the backbone's count is the full count less the classifier's
    full = mbcalc.analyze("v2", profile="keras", counting="tf-profiler")
    backbone = mbcalc.analyze("v2", profile="keras", counting="tf-profiler", backbone=True)
    assert backbone.reported_by_layer[-1] == full.reported_by_layer[len(backbone.reported_by_layer) - 1]
    # blocks carry the tool's count too, and still sum to it
    data = json.loads(run("v2", "-p", "torchvision", "--counting", "ptflops", "--by", "block", "-f", "json").output)
    assert sum(block["reported"] for block in data["blocks"]) == data["reported"] == 320_300_008
    # --hide-zero keeps what the tool counts (ptflops counts every ReLU6)
    assert "conv1.relu6" in run("v2", "-p", "torchvision", "--counting", "ptflops", "--hide-zero").output
