"""Every operator of the registry, counted by hand on a small input, and the registry's own rules:
each operator has every part, is documented, and has a case here.

Input 8x8x4 (C=4, H=W=8, 256 elements); convention: biases, batch norm `all` (4 tensors), element-wise
operations counted. Each case is (layers of a graph spec, the layer to check, its output [C, H, W],
Mult-Adds, parameters, element-wise ops), the numbers worked out in the comment beside it.
"""

import textwrap

import pytest

from mbcalc import analyze
from mbcalc.cost import Cost
from mbcalc.counting import DEFAULT_COUNTERS, Counters, default_counters
from mbcalc.errors import SpecError
from mbcalc.ops import REGISTRY, Op, label, register
from mbcalc.read.spec import parse_spec

CASES = {
    # weights 3*3*4*6 = 216, + 6 biases; output ceil(8/2) = 4: Mult-Adds 216 * 4*4
    "conv": (["conv: {out: 6, k: 3, s: 2, bias: true}"], "conv1", [6, 4, 4], 3456, 222, 0),
    # one 3x3 filter per channel: 9*4 = 36 weights, each used 8*8 times
    "dw": (["dw: {k: 3}"], "dw1", [4, 8, 8], 2304, 36, 0),
    # 4*5 = 20 weights, each used 8*8 times
    "pw": (["pw: {out: 5}"], "pw1", [5, 8, 8], 1280, 20, 0),
    # flattened 256 inputs x 10 outputs, + 10 biases
    "fc": (["fc: {out: 10}"], "fc1", [10, 1, 1], 2560, 2570, 0),
    # 4 tensors per channel; 2 ops (scale, shift) per element
    "bn": (["bn"], "bn1", [4, 8, 8], 0, 16, 512),
    "relu": (["relu"], "relu1", [4, 8, 8], 0, 0, 256),  # 1 per element
    "relu6": (["relu6"], "relu61", [4, 8, 8], 0, 0, 512),  # 2 per element
    "leaky_relu": (["leaky_relu"], "leaky_relu1", [4, 8, 8], 0, 0, 512),  # 2 per element (multiply, max)
    "prelu": (["prelu"], "prelu1", [4, 8, 8], 0, 4, 512),  # a slope per channel; 2 per element
    # 2x2 kernels, stride 2: 8x8 -> 16x16; weights 2*2*4*3 = 48 (+3 biases), each input pixel
    # scattered through them: 48 * 8*8 Mult-Adds
    "deconv": (["deconv: {out: 3, k: 2, s: 2, bias: true}"], "deconv1", [3, 16, 16], 3072, 51, 0),
    "hsigmoid": (["hsigmoid"], "hsigmoid1", [4, 8, 8], 0, 0, 1024),  # 4 per element
    "hswish": (["hswish"], "hswish1", [4, 8, 8], 0, 0, 1280),  # 5 per element
    "sigmoid": (["sigmoid"], "sigmoid1", [4, 8, 8], 0, 0, 1024),  # 4 per element
    "swish": (["swish"], "swish1", [4, 8, 8], 0, 0, 1280),  # 5 per element
    "softmax": (["softmax"], "softmax1", [4, 8, 8], 0, 0, 768),  # 3 per element
    # 16 windows of 4 per channel: 3 compares each: 48 * 4 channels
    "maxpool": (["maxpool: {k: 2}"], "maxpool1", [4, 4, 4], 0, 0, 192),
    # global: 64 elements per channel (63 adds and a divide): 64 * 4
    "avgpool": (["avgpool: global"], "avgpool1", [4, 1, 1], 0, 0, 256),
    # 8 -> 3 bins [0,3) [2,6) [5,8): 3+4+3 = 10 per axis, 10*10 per channel * 4
    "adaptive_avgpool": (["adaptive_avgpool: 3"], "adaptive_avgpool1", [4, 3, 3], 0, 0, 400),
    # two inputs: 1 add per output element
    "add": (["{name: a, relu: }", "add: [in, a]"], "add1", [4, 8, 8], 0, 0, 256),
    # the gate is [4,1,1]: 1 multiply per output element (the pool before it costs 256 more, not counted here)
    "multiply": (["{name: g, avgpool: global}", "multiply: [in, g]"], "multiply1", [4, 8, 8], 0, 0, 256),
    # 2 heads of 4/2 = 2 query channels at 8x8 (64 queries) over 4x4 = 16 keys of 2 and values of 3
    # channels: 2 * 64 * 16 = 2048 scores, each 2 (Q.K) + 3 (.V) Mult-Adds; 4 ops per score (scale,
    # softmax); the output is 2 heads x 3 value channels at the query's 8x8
    "attention": (
        [
            "{name: q, pw: {out: 4}}",
            "{name: k, input: in, conv: {out: 2, k: 2, s: 2}}",
            "{name: v, input: in, conv: {out: 3, k: 2, s: 2}}",
            "attention: {inputs: [q, k, v], heads: 2}",
        ],
        "attention1",
        [6, 8, 8],
        10240,
        0,
        8192,
    ),
    "layer_scale": (["layer_scale"], "layer_scale1", [4, 8, 8], 0, 4, 256),  # one scale per channel, 1 op per element
    "concat": (["{name: a, relu: }", "concat: [in, a]"], "concat1", [8, 8, 8], 0, 0, 0),  # moves data only
    "split": (["{name: s, split: 2}"], "s.1", [2, 8, 8], 0, 0, 0),
    "shuffle": (["shuffle: 2"], "shuffle1", [4, 8, 8], 0, 0, 0),
    # 2x2 patches of 4 channels: 16 channels at 4x4, moved only
    "space_to_depth": (["space_to_depth: 2"], "space_to_depth1", [16, 4, 4], 0, 0, 0),
    "flatten": (["flatten"], "flatten1", [256, 1, 1], 0, 0, 0),
    "dropout": (["dropout"], "dropout1", [4, 8, 8], 0, 0, 0),
    # ceil(1.5 * 8) = 12: 4 x 144 outputs, bilinear 7 ops each
    "rescale": (["rescale: {scale: 1.5}"], "rescale1", [4, 12, 12], 0, 0, 4032),
    # a 4x4 map back to the input's 8x8: 4 channels x 64 outputs, 7 ops each (bilinear: 4 multiplies, 3 adds)
    "upsample": (["{name: s, maxpool: {k: 2}}", "upsample: {inputs: [s, in]}"], "upsample1", [4, 8, 8], 0, 0, 1792),
}


def spec(layers: list[str]):
    text = "name: t\nform: graph\ninput: 8x8x4\nclasses: 10\nlayers:\n" + "".join(f"  - {line}\n" for line in layers)
    return parse_spec(textwrap.dedent(text), "t.yaml")


@pytest.mark.parametrize("op", sorted(CASES))
def test_each_operator_counted_by_hand(op):
    layers, name, output, macs, params, ops = CASES[op]
    report = analyze(spec(layers), biases=True, bn="all", elementwise=True)
    row = {r.name: r for r in report.layers}[name]
    assert row.layer.op == op
    assert (row.output.as_list(), row.macs, row.params, row.cost.ops) == (output, macs, params, ops)


def test_every_operator_has_a_hand_computed_case():
    assert set(CASES) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_operator_has_each_part_and_is_documented(name):
    op: Op = REGISTRY[name]
    assert op.name == name and op.doc and op.example and op.types
    assert callable(op.infer) and callable(op.count) and callable(op.attrs)
    assert all(arg.doc for arg in op.args), [a.name for a in op.args if not a.doc]
    assert op.shorthand is None or op.shorthand in {a.name for a in op.args}
    page = (__import__("pathlib").Path(__file__).parent.parent / "docs" / "spec-format.md").read_text()
    assert f"| `{name}` " in page  # the generated operator table (mbcalc docs keeps it current)


def test_merges_record_every_input_shape():
    report = analyze(spec(["{name: g, avgpool: global}", "multiply: [in, g]"]))
    multiply = report.layers[-1].layer
    assert multiply.inputs == ("input", "g")
    assert [s.as_list() for s in multiply.input_shapes] == [[4, 8, 8], [4, 1, 1]]


def test_an_operator_registers_once():
    with pytest.raises(ValueError, match="registered twice"):
        register(REGISTRY["relu"])


def test_a_counter_registers_once_and_a_convention_replaces_entries():
    table = default_counters()
    with pytest.raises(ValueError, match="registered twice"):
        table.register("relu", table["relu"])
    # a convention that prices batch norm as one Mult-Add per element is a table entry, not an edit:
    fvcore_like = table.replace(bn=lambda layer, convention: Cost(macs=layer.output.size))
    plain = analyze(spec(["bn"]))
    custom = analyze(spec(["bn"]), counters=fvcore_like)
    assert (plain.macs, custom.macs) == (0, 256)
    assert isinstance(DEFAULT_COUNTERS, Counters) and set(DEFAULT_COUNTERS) == set(REGISTRY)
    with pytest.raises(ValueError, match="no operator nope"):
        table.replace(nope=table["relu"])


@pytest.mark.parametrize(
    "query, heads, message",
    [
        ("pw: {out: 5}", 2, "5 query channels do not split into 2 heads"),
        ("pw: {out: 6}", 2, "2 heads of 3 query channels need keys of 3 channels, got 2"),
    ],
)
def test_attention_refuses_shapes_it_cannot_take(query, heads, message):
    layers = [
        f"{{name: q, {query}}}",
        "{name: k, input: in, pw: {out: 2}}",
        "{name: v, input: in, pw: {out: 3}}",
        f"attention: {{inputs: [q, k, v], heads: {heads}}}",
    ]
    with pytest.raises(Exception, match=message):
        analyze(spec(layers))


def test_rescale_down_by_area_keeps_its_minimum_and_counts_each_input_once():
    report = analyze(spec(["rescale: {scale: 0.1, mode: area, min: 5}"]), elementwise=True)
    layer = next(row for row in report.layers if row.layer.name == "rescale1")
    assert layer.layer.output.as_list() == [4, 5, 5]  # ceil(0.8) = 1, raised to 5
    assert layer.cost.ops == 12 * 12 * 4  # as adaptive_avgpool: bins of 2, 3, 2, 3, 2 per axis (12), n ops each


def test_a_k_by_kw_kernel_counts_k_times_kw_weights_per_output():
    """C3's depthwise (2d - 1) x 1 and 1 x (2d - 1) convs: 7 x 1 on 8x8x4 is 28 weights, each used
    8*8 times; a 3 x 1 valid conv leaves a 6 x 8 map."""
    report = analyze(spec(["dw: {k: 7, kw: 1}", "conv: {out: 2, k: 3, kw: 1, p: valid}"]))
    dw, conv = (row for row in report.layers if row.layer.op in ("dw", "conv"))
    assert (dw.cost.params, dw.cost.macs, dw.layer.output.as_list()) == (28, 28 * 64, [4, 8, 8])
    assert (conv.cost.params, conv.layer.output.as_list()) == (24, [2, 6, 8]) and conv.cost.macs == 24 * 48
    assert (label(dw.layer), label(conv.layer)) == ("dw 7x1", "conv 3x1")


def test_a_transposed_conv_takes_no_padding_and_refuses_negative_padding():
    report = analyze(spec(["deconv: {out: 2, k: 2, s: 2, p: 0}"]))
    assert report.layers[0].layer.output.as_list() == [2, 16, 16]
    with pytest.raises(SpecError, match=r"'deconv.p' must be a whole number >= 0, got '-1'"):
        spec(["deconv: {out: 2, k: 2, s: 2, p: -1}"])
