"""MobileNetV1 layer by layer, checked by hand, and the invariants of a report."""

import pytest

from mbcalc import analyze
from mbcalc.api import compare_conv
from mbcalc.ir import Shape


def rows(r):
    return {row.layer.name: row for row in r.layers}


def test_hand_checked_layers_at_224():
    r = rows(analyze("v1"))
    # stem: 3x3 conv, stride 2, 3 -> 32 channels, 224 -> 112: 112*112*32*(3*3*3)
    assert r["conv1"].cost.macs == 112 * 112 * 32 * 27 == 10_838_016
    assert r["conv1"].cost.params == 864
    # first depthwise: 3x3 on 112x112x32: 112*112*32*9
    assert r["block1.dw"].cost.macs == 3_612_672
    assert r["block1.dw"].cost.params == 288
    # first pointwise: 1x1, 32 -> 64 on 112x112
    assert r["block1.pw"].cost.macs == 112 * 112 * 32 * 64 == 25_690_112
    # the erratum row: 3x3 dw on 7x7x1024 keeps 7x7
    assert r["block13.dw"].layer.output == Shape(1024, 7, 7)
    # FC: 1024 x 1000, no bias counted by the paper's convention
    assert r["fc"].cost.macs == r["fc"].cost.params == 1_024_000


def test_exact_totals_1_0_224():
    r = analyze("v1")
    assert (r.total.macs, r.total.params) == (568_740_352, 4_209_088)


def test_channels_are_truncated_like_tf_slim_and_keras():
    r = rows(analyze("v1", alpha=0.35))
    assert r["conv1"].layer.output.channels == int(32 * 0.35) == 11
    assert r["block13.pw"].layer.output.channels == int(1024 * 0.35) == 358


@pytest.mark.parametrize("res", [224, 225, 97, 331, 1])
def test_any_resolution_uses_ceil_output_sizes(res):
    r = rows(analyze("v1", resolution=res))
    size = -(-res // 2)
    assert r["conv1"].layer.output.height == size
    for _ in range(4):
        size = -(-size // 2)
    assert r["block13.pw"].layer.output.height == size


@pytest.mark.parametrize("model", ["v1", "v1-conv", "v1-shallow"])
@pytest.mark.parametrize("alpha,res", [(1.0, 224), (0.75, 192), (0.25, 97)])
def test_rows_sum_to_totals_and_shares_to_one(model, alpha, res):
    r = analyze(model, alpha=alpha, resolution=res, biases=True, bn="all")
    assert sum(row.cost.macs for row in r.layers) == r.total.macs
    assert sum(row.cost.params for row in r.layers) == r.total.params
    assert sum(g.cost.macs for g in r.by_type) == r.total.macs
    assert sum(g.cost.params for g in r.by_role) == r.total.params
    assert sum(g.macs_share for g in r.by_type) == pytest.approx(1.0)


def test_conventions_add_biases_and_batch_norm():
    base = analyze("v1").total.params
    assert analyze("v1", biases=True).total.params == base + 1000  # only the FC has a bias
    bn_channels = sum(row.layer.output.channels for row in analyze("v1").layers if row.layer.type == "batchnorm")
    assert bn_channels == 10_944
    assert analyze("v1", bn="affine").total.params == base + 2 * bn_channels
    assert analyze("v1", biases=True, bn="all").total.params == 4_253_864  # Keras count_params()


def test_separable_ratio_is_the_papers_formula():
    c = compare_conv("14x14x512", 512, 3)
    assert c.macs_ratio == pytest.approx(1 / 512 + 1 / 9)
    assert (c.standard.total.macs, c.separable.total.macs) == (462_422_016, 52_283_392)
