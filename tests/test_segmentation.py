"""Segmentation networks on MobileNetV3-Large, exact against torchvision's builds.

tests/data/segmentation.json: parameters and conv Mult-Adds of lraspp_mobilenet_v3_large and
deeplabv3_mobilenet_v3_large (21 classes, no auxiliary head), whole and backbone alone, at
520x520, 512x512 and 1024x2048, measured by tests/harness/segmentation_counts.py.
"""

import json
import re
from pathlib import Path

import pytest

from mbcalc import api
from mbcalc.errors import SpecError
from mbcalc.published import Printed

MEASURED = json.loads((Path(__file__).parent / "data" / "segmentation.json").read_text())["builds"]


@pytest.mark.parametrize("build", MEASURED, ids=[f"{b['model']}-{b['height']}x{b['width']}" for b in MEASURED])
def test_exact_against_torchvision(build):
    size = f"{build['height']}x{build['width']}"
    whole = api.analyze(build["model"], resolution=size, profile="torchvision")
    assert (whole.total.macs, whole.total.params) == (build["macs"], build["params"])
    backbone = api.analyze(build["model"], resolution=size, profile="torchvision", backbone=True)
    assert (backbone.total.macs, backbone.total.params) == (build["backbone_macs"], build["backbone_params"])


def test_the_head_is_what_the_backbone_leaves(run):
    report = api.analyze("lraspp-v3-large", profile="torchvision")
    head = {group.key: group.cost for group in report.by_role}["segmentation"]
    assert (head.macs, head.params) == (2_086_219_688 - 1_937_374_688, 3_221_538 - 2_971_952)
    data = json.loads(run("lraspp-v3-large", "--res", "1024x2048", "--profile", "torchvision", "-f", "json").output)
    assert (data["resolution"], data["width"], data["macs"]) == (1024, 2048, 15_785_910_144)


def test_memory_and_compare_take_them(run):
    memory = api.memory("lraspp-v3-large", dtype="int8")
    assert memory.peak["arena"] >= memory.peak["layer-io"] > 0
    # the last upsample reads the input only for its size: the image is not kept live to the end
    last = memory.steps[-1]
    assert last.layer == "out_resized" and "input" not in last.live and last.inputs == ("out",)
    result = run("compare", "lraspp-v3-large", "deeplabv3-v3-large", "--profile", "torchvision", "--memory", "int8")
    assert result.exit_code == 0 and "lraspp-v3-large" in result.output and "deeplabv3-v3-large" in result.output


DETECTION, SSD300 = json.loads((Path(__file__).parent / "data" / "detection.json").read_text())["builds"]


def test_ssdlite320_exact_against_torchvision(run):
    """tests/data/detection.json: torchvision's ssdlite320_mobilenet_v3_large (91 classes, reduced
    tail), measured by tests/harness/detection_counts.py: backbone and head apart."""
    data = json.loads(run("ssdlite320-v3-large", "--profile", "torchvision", "-f", "json").output)
    assert (data["macs"], data["params"]) == (DETECTION["macs"], DETECTION["params"]) == (583_171_904, 3_440_060)
    backbone = api.analyze("ssdlite320-v3-large", profile="torchvision", backbone=True)
    assert (backbone.total.macs, backbone.total.params) == (DETECTION["backbone_macs"], DETECTION["backbone_params"])
    whole = api.analyze("ssdlite320-v3-large", profile="torchvision")
    head = {group.key: group.cost for group in whole.by_role}["detection"]
    assert (head.macs, head.params) == (DETECTION["head_macs"], DETECTION["head_params"])
    taps = ["c4", "c5", "extra1", "extra2", "extra3", "extra4"]
    shapes = {layer.name: layer.output for layer in whole.network.layers}
    assert [shapes[t].as_list() for t in taps] == DETECTION["feature_maps"]  # the six maps the head reads


def test_ssd300_exact_against_torchvision():
    """torchvision's ssd300_vgg16 (91 classes: --classes 90), measured by the same harness: the
    caffe model's structure, so the 80-class spec is the SSD paper's COCO model."""
    whole = api.analyze("ssd300", classes=90, profile="torchvision")
    assert (whole.total.macs, whole.total.params) == (SSD300["macs"], SSD300["params"]) == (34_858_153_472, 35_641_826)
    head = {group.key: group.cost for group in whole.by_role}["detection"]
    assert (head.macs, head.params) == (SSD300["head_macs"], SSD300["head_params"])
    assert whole.total.params - head.params == SSD300["backbone_params"]  # VGG, its L2 scales and the extra layers


def test_review_findings(run, tmp_path):
    """A head listed before the end of the backbone: --backbone refuses rather than cut it short.
    Outputs give the width; targets take HxW; table forms stay square."""
    text = (Path(__file__).parent.parent / "specs" / "ssdlite320-v3-large.yaml").read_text()
    early = text.replace(
        "  - {name: c4_dw, conv_bn_act",
        "  - {name: early, input: c4, pw: {out: 8}, role: detection}\n  - {name: c4_dw, input: c4, conv_bn_act",
        1,
    )
    spec = tmp_path / "early.yaml"
    spec.write_text(early, encoding="utf-8")
    result = run(str(spec), "--backbone")
    assert result.exit_code == 2 and "backbone layer c4_dw after head layer early" in result.stderr
    data = json.loads(run("memory", "lraspp-v3-large", "--res", "256x512", "-f", "json").output)
    assert (data["resolution"], data["width"]) == (256, 512)
    data = json.loads(run("diff", "lraspp-v3-large@1.0/256x512", "lraspp-v3-large@1.0/256", "-f", "json").output)
    assert (data["a"]["width"], data["b"]["width"]) == (512, 256)
    assert run("v2", "--res", "²").exit_code == 2  # a digit to str.isdigit, not to int
    with pytest.raises(Exception, match="resolutions must be whole numbers"):
        api.sweep(["v2"], [1.0], [160.9])
    table = tmp_path / "wide-v2.yaml"
    table.write_text(
        (Path(__file__).parent.parent / "specs" / "v2.yaml").read_text().replace("input: 224x224x3", "input: 224x448x3")
    )
    result = run(str(table))
    assert result.exit_code == 2 and "'input' of a table form is square" in result.stderr


def test_reports_group_by_backbone_neck_and_head(run):
    """torchvision's backbone of SSDLite is the feature extractor and its extra layers: mbcalc's
    backbone and neck together; its head is the predictors."""
    parts = {g.key: g.cost for g in api.analyze("ssdlite320-v3-large", profile="torchvision").by_part}
    assert list(parts) == ["backbone", "neck", "head"]
    assert parts["backbone"].macs + parts["neck"].macs == DETECTION["backbone_macs"]
    assert (parts["head"].macs, parts["head"].params) == (DETECTION["head_macs"], DETECTION["head_params"])
    data = json.loads(run("lraspp-v3-large", "--profile", "torchvision", "-f", "json").output)
    assert {k: v["macs"] for k, v in data["by_part"].items()} == {"backbone": 1_937_374_688, "head": 148_845_000}
    assert "by_part" not in json.loads(run("v2", "-f", "json").output) and api.analyze("v2").by_part == ()


def test_compare_explain_and_validate_take_height_x_width(run):
    data = json.loads(
        run(
            "compare", "lraspp-v3-large", "--res", "512x1024,1024x2048", "--profile", "torchvision", "-f", "json"
        ).output
    )
    half = api.analyze("lraspp-v3-large", resolution="512x1024", profile="torchvision").total.macs
    assert [(r["resolution"], r["width"], r["macs"]) for r in data["rows"]] == [
        (512, 1024, half),
        (1024, 2048, 15_785_910_144),
    ]
    assert run("validate", "lraspp-v3-large", "--res", "64x128").exit_code == 0
    assert run("explain", "v2", "--res", "160x320").exit_code == 0


def test_deeplab_at_output_stride_8_dilates_where_stride_16_strides():
    sixteen, eight = (api.build(m, profile="torchvision") for m in ("deeplabv3-v2-aspp", "deeplabv3-v2-aspp-os8"))
    layers16, layers8 = ({layer.name: layer for layer in n.layers} for n in (sixteen, eight))
    assert layers16["features.project"].output[1:] == (33, 33) and layers8["features.project"].output[1:] == (65, 65)
    assert [layers8[f"aspp{i}_conv"].attrs["dilation"] for i in (1, 2, 3)] == [12, 24, 36]
    assert [layers16[f"aspp{i}_conv"].attrs["dilation"] for i in (1, 2, 3)] == [6, 12, 18]
    assert (layers16["b8.dw"].attrs["dilation"], layers8["b8.dw"].attrs["dilation"]) == (1, 2)
    assert (layers16["b15.dw"].attrs["dilation"], layers8["b15.dw"].attrs["dilation"]) == (2, 4)
    v1 = {layer.name: layer for layer in api.build("deeplabv3-v1-aspp-os8", profile="torchvision").layers}
    assert v1["b7.dw"].attrs["dilation"] == 2 and v1["features.dw"].attrs["dilation"] == 4  # separable takes d
    assert api.count(sixteen).total.params == api.count(eight).total.params  # one network, dilated otherwise


def test_a_multi_scale_figure_sums_each_size_twice_when_flipped():
    from mbcalc.reproduce import quantity

    sizes = [257, 513]
    config = {"model": "deeplabv3-v2-os8", "profile": "torchvision", "scales": sizes, "flipped": True}
    each = [api.analyze("deeplabv3-v2-os8", resolution=s, profile="torchvision").total for s in sizes]
    assert quantity(config, "macs") == (2 * (each[0].macs + each[1].macs), 1)
    assert quantity({**config, "flipped": False}, "macs") == (each[0].macs + each[1].macs, 1)
    assert quantity(config, "params") == (each[0].params, 1)
    with pytest.raises(ValueError, match="multi-scale"):
        quantity(config, "macs_share.conv")
    from mbcalc.reproduce import _check_deviation

    ref = {"id": "t", "config": config}
    convs = [
        {g.key: g.cost.macs for g in api.analyze("deeplabv3-v2-os8", resolution=s, profile="torchvision").by_type}[
            "conv"
        ]
        for s in sizes
    ]
    without = 2 * (
        each[0].macs + each[1].macs - convs[0] - convs[1]
    )  # the standard convs left out at both sizes, twice
    omits = {"kind": "omits", "types": ["conv"]}
    assert _check_deviation(ref, "macs", Printed.parse(f"{without / 1e9:.3f}B"), omits)
    assert not _check_deviation(ref, "macs", Printed.parse(f"{(without + 2 * convs[1]) / 1e9:.3f}B"), omits)
    with pytest.raises(ValueError, match="at one size"):  # a count scaled from one size has no scales
        _check_deviation(ref, "macs", Printed.parse("150B"), {"kind": "rho-scaled", "from": 513})


def test_ssdlite_on_mnasnet_rounds_its_squeeze_widths_to_eights():
    """The V3 paper's MnasNet detector: slim's make_divisible(block input / 4, 8) squeeze widths
    (the classifier's int(input / 4) gives 6/10/20/28/40), which its 4.88M parameters need."""
    network = api.build("ssdlite-mnasnet-a1")
    squeezes = [layer.output.channels for layer in network.layers if re.search(r"\.se\d*\.pw1$", layer.name)]
    classifier = api.build("mnasnet-a1")
    theirs = [layer.output.channels for layer in classifier.layers if re.search(r"\.se\d*\.pw1$", layer.name)]
    assert sorted(set(squeezes)) == [8, 16, 24, 32, 40] and 6 in theirs
    assert Printed.parse("4.88M").agrees(api.count(network).total.params)  # the V3 paper's Table 6


CHECKPOINTS = json.loads((Path(__file__).parent / "data" / "checkpoints.json").read_text())["checkpoints"]


@pytest.mark.parametrize("released", CHECKPOINTS, ids=[c["model"] for c in CHECKPOINTS])
def test_exact_against_the_released_checkpoints(released):
    """tests/data/checkpoints.json: the learned parameters of the authors' released Cityscapes
    checkpoints (20 classes), read by tests/harness/checkpoint_params.py: PReLU slopes and batch-
    norm gamma and beta are the spec's too (profile torchvision)."""
    report = api.analyze(released["model"], classes=released["classes"], profile="torchvision")
    assert report.total.params == released["params"]


def test_espnet_counts_its_transposed_convs_per_input_pixel():
    released = api.analyze("espnet-released", classes=20, profile="torchvision")
    deconv = {group.key: group.cost for group in released.by_type}["deconv"]
    assert deconv.macs == 2 * 2 * 20 * 20 * (64 * 128 + 128 * 256 + 256 * 512)  # each input pixel, k*k*C*C


def test_espnetv2_is_the_released_edgenets_model_with_its_pyramid_at_each_scale():
    """EdgeNets' decoder pyramid resizes each map to ceil(scale * side), at least 5 (EfficientPyrPool)."""
    report = api.analyze("espnetv2", classes=20, profile="torchvision")
    shapes = {layer.name: layer.output for layer in report.network.layers}
    assert shapes["d1_x.prelu1"].as_list()[1:] == [32, 64]
    assert [shapes[f"d1_{s}"].as_list()[1:] for s in ("s20u", "s15u", "s05p", "s01p")] == [
        [64, 128],
        [48, 96],
        [16, 32],
        [5, 7],  # 0.1: ceil(3.2) = 4, raised to 5; ceil(6.4) = 7
    ]
    with pytest.raises(SpecError, match="needs inputs of one shape, got 65x130x64, 66x130x64"):
        api.analyze("espnetv2", resolution="520x1040")  # its decoder doubles 33 to 66: PyTorch's add fails too


def test_ccc2_has_line_kernels():
    """clovaai/c3_sinet's C3 blocks' depthwise (2d - 1) x 1 and 1 x (2d - 1) convs are k x kw
    kernels (13 x 1 and 1 x 13 at rate 7)."""
    report = api.analyze("ccc2", classes=20, profile="torchvision")
    kernels = {
        (layer.attrs["kernel"], layer.attrs.get("kernel_w")) for layer in report.network.layers if layer.op == "dw"
    }
    assert {(13, 1), (1, 13), (25, 1), (1, 25)} <= kernels
