"""The built-in blocks: the most layers a use adds is what the size limit trusts (Builtin.size),
and each block's layers are the papers' (names, roles, widths), checked on small inputs by hand."""

import textwrap

import pytest

import mbcalc
from mbcalc.lang.blocks import BUILTINS

# Each block used with every option that adds layers; input 8x8x16.
LARGEST = {
    "conv_bn_act": "conv_bn_act: {out: 16, k: 3, act: relu6}",  # conv, bn, activation
    "separable": "separable: {out: 16}",  # dw, bn, act; pw, bn, act
    "bottleneck": "bottleneck: {t: 6, out: 16}",  # expand (3), dw (3), project (2), add
    "bneck": "bneck: {k: 3, exp: 64, out: 16, se: true, nl: HS}",  # expand (3), dw (3), SE (6), project (2), add
    "squeeze_excite": "squeeze_excite: {squeeze: 4}",  # pool, reduce, act, expand, gate, scale
}


def layers(line: str) -> list:
    text = f"name: t\nform: graph\ninput: 8x8x16\nclasses: 10\nwidth: {{rule: none}}\nlayers:\n  - {line}\n"
    return mbcalc.analyze(mbcalc.loads(text, "t.yaml")).layers


def test_every_block_has_a_largest_use():
    assert set(LARGEST) == set(BUILTINS)


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_the_size_limit_counts_a_blocks_largest_use(name):
    assert len(layers(LARGEST[name])) == BUILTINS[name].size


def test_bneck_by_hand():
    rows = {r.name: r for r in layers("bneck: {k: 3, exp: 64, out: 16, se: true, nl: HS}")}
    assert [rows[n].layer.role for n in ("bneck1.expand", "bneck1.dw", "bneck1.se.reduce", "bneck1.project")] == [
        "expand",
        "depthwise",
        "se",
        "project",
    ]
    # SE squeezes 64 to make_divisible(64 / 4) = 16: 64*16 + 16 and 16*64 + 64 parameters (biases counted)
    assert (rows["bneck1.se.reduce"].params, rows["bneck1.se.expand"].params) == (64 * 16 + 16, 16 * 64 + 64)
    assert rows["bneck1.add"].layer.inputs == ("bneck1.project.bn", "input")


def test_bottleneck_without_expansion_and_with_a_stride():
    names = [r.name for r in layers("bottleneck: {t: 1, out: 24, s: 2}")]
    assert names == [
        "bottleneck1.dw",
        "bottleneck1.dw.bn",
        "bottleneck1.dw.relu6",
        "bottleneck1.project",
        "bottleneck1.project.bn",
    ]  # no expansion at t = 1, no residual across a stride


def test_separable_follows_the_profile_activation():
    text = textwrap.dedent("""\
        name: t
        form: graph
        input: 8x8x16
        classes: 10
        layers:
          - separable: {out: 32}
        """)
    spec = mbcalc.loads(text, "t.yaml")
    assert mbcalc.analyze(spec).layers[2].layer.op == "relu"
    assert mbcalc.analyze(spec, profile="keras").layers[2].layer.op == "relu6"
