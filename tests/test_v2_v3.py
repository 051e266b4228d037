"""MobileNetV2 and V3 layer by layer, checked by hand."""

import pytest

from mbcalc import analyze
from mbcalc.ir import Shape


def layers(r):
    return {row.layer.name: row for row in r.layers}


def test_v2_first_bottleneck_has_no_expansion_and_the_second_does():
    r = layers(analyze("v2"))
    assert "block1.expand" not in r
    assert r["block1.dw"].layer.input == Shape(32, 112, 112)
    assert r["block1.project"].cost.macs == 112 * 112 * 32 * 16
    assert r["block2.expand"].layer.output == Shape(96, 112, 112)  # t = 6: 16 -> 96
    assert r["block2.dw"].layer.output == Shape(96, 56, 56)
    assert "block2.add" not in r and "block3.add" in r  # stride 2 first, then residual


def test_v2_head_width_follows_the_profile():
    assert layers(analyze("v2", alpha=0.5))["conv_last"].layer.output.channels == 1280
    assert layers(analyze("v2", alpha=1.4))["conv_last"].layer.output.channels == 1792
    assert layers(analyze("v2", alpha=0.5, profile="keras"))["conv_last"].layer.output.channels == 1280


def test_v2_paper_convention_counts_weights_and_biases_only():
    r = analyze("v2")
    bn_channels = sum(row.layer.output.channels for row in r.layers if row.layer.type == "batchnorm")
    assert bn_channels == 17_056
    assert r.total.params + 2 * bn_channels == 3_504_872  # torchvision's num_params
    assert r.total.macs == 300_774_272


def test_v3_squeeze_excite_is_seven_layers():
    r = layers(analyze("v3-large"))
    names = [n for n in r if n.startswith("block4.se")]
    assert names == [
        "block4.se.pool",
        "block4.se.reduce",
        "block4.se.relu",
        "block4.se.expand",
        "block4.se.hsigmoid",
        "block4.se.scale",
    ]
    # exp 72, squeeze make_divisible(72 // 4) = 24 (torchvision and the paper)
    assert r["block4.se.reduce"].layer.output.channels == 24
    assert r["block4.se.reduce"].cost == r["block4.se.reduce"].cost.__class__(macs=72 * 24, params=72 * 24 + 24)
    assert r["block4.se.scale"].layer.inputs == ("block4.dw.relu", "block4.se.hsigmoid")
    assert r["block4.se.scale"].layer.output == Shape(72, 28, 28)


def test_v3_small_last_conv_has_no_squeeze_excite():
    r = layers(analyze("v3-small"))
    assert r["conv_last"].layer.output.channels == 576
    assert not any(n.startswith("conv_last.se") for n in r)


def test_v3_head_and_classifier():
    r = layers(analyze("v3-large"))
    assert r["head"].cost.params == 960 * 1280 + 1280
    assert r["classifier"].cost.params == 1280 * 1000 + 1000
    assert r["head.hswish"].layer.type == "hswish"


@pytest.mark.parametrize("model", ["v2", "v3-large", "v3-small"])
def test_every_operator_appears_in_the_breakdown(model):
    r = analyze(model)
    types = {g.key for g in r.by_type}
    assert {"conv", "depthwise", "pointwise", "fc", "batchnorm", "avgpool"} <= types
    roles = {g.key for g in r.by_role}
    assert {"stem", "expand", "depthwise", "project", "head", "classifier"} <= roles
    if model != "v2":
        assert {"hswish", "hsigmoid", "multiply", "relu", "add"} <= types and "se" in roles
    else:
        assert {"relu6", "add"} <= types


def test_elementwise_counting_and_flops():
    plain = analyze("v2")
    counted = analyze("v2", elementwise=True)
    assert counted.total.macs == plain.total.macs and counted.total.params == plain.total.params
    ops = {g.key: g.cost.ops for g in counted.by_type}
    rows = layers(counted)
    assert rows["block3.add"].cost.ops == 24 * 56 * 56
    assert rows["conv1.relu6"].cost.ops == 2 * 32 * 112 * 112
    assert ops["avgpool"] == 1280 * 7 * 7
    assert counted.total.flops == 2 * counted.total.macs + counted.total.ops
    assert plain.total.ops == 0
