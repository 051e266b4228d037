"""The deployment view: weights as deployed and activation memory under each named model."""

import json
from pathlib import Path

import pytest

import mbcalc
from mbcalc import api
from mbcalc.memory import analyze_memory, parse_size

RESIDUAL = """\
name: residual
form: graph
input: 4x4x2
classes: 10
layers:
  - {name: a, conv: {out: 8, k: 1}}
  - bn
  - relu
  - {name: b, conv: {out: 8, k: 3}}
  - {name: c, add: [a, b]}
  - {name: d, concat: [a, c]}
"""


def test_liveness_by_hand():
    """4x4 maps, int8: input 32 B, a 128, b 128, c 128, d 256 (bn and relu fuse into a)."""
    memory = analyze_memory(mbcalc.build(mbcalc.loads(RESIDUAL)), "int8")
    steps = {s.layer: s for s in memory.steps}
    assert list(steps) == ["a", "b", "c", "d"] and steps["a"].fused == ("bn1", "relu1")
    assert steps["b"].live == ("a", "b")  # a waits for the add and the concat
    assert (steps["c"].live_bytes, steps["d"].live_bytes) == (128 * 3, 128 + 128 + 256)
    assert memory.peak == {
        "largest-tensor": 256,
        "layer-io": 512,  # d reads a and c (256) and writes 256
        "layer-io-inplace-dw": 512,
        "arena": 512,
        "greedy-arena": 512,
        "bottleneck": 256,  # no depthwise, so no block runs in slices: the largest tensor
    }
    assert memory.unavailable == {
        "patch": "no block ends at output stride 8 before the last operator: nothing to run in patches"
    }


def test_v2_in_int8_the_figures_of_mcunet():
    memory = api.memory("v2", dtype="int8")
    assert memory.peak["layer-io"] == 1_505_280 and memory.peak_layer["layer-io"] == "block2.dw"  # 112²·96 + 56²·96
    assert memory.peak["layer-io-inplace-dw"] == 1_404_928  # MCUNet's 1,372 kB: the expansion, 112²·16 + 112²·96
    assert memory.peak["arena"] >= memory.peak["layer-io"] and memory.peak["greedy-arena"] >= memory.peak["arena"]


def test_v1_in_fp16_is_the_v2_papers_table_3():
    memory = api.memory("v1", dtype="fp16")
    assert memory.peak["largest-tensor"] == 112 * 112 * 64 * 2  # 1,605,632 bytes: Table 3's "1600K"


INVERTED = """\
name: inverted
form: graph
input: 4x4x2
classes: 10
layers:
  - {name: stem, conv: {out: 4, k: 3}}
  - {name: dw1, dw: {k: 3}}
  - {name: project1, pw: {out: 2}}
  - {name: expand, pw: {out: 12}}
  - {name: dw2, dw: {k: 3, s: 2}}
  - {name: project2, pw: {out: 3}}
  - {name: last, pw: {out: 16}}
  - {name: pool, avgpool: {k: global}}
"""


def test_bottleneck_materializes_only_the_bottlenecks():
    """int8, 4x4 then 2x2: input 32 B, stem 64, dw1 64, project1 32, expand 192, dw2 48, project2 12,
    last 64, pool 16. Blocks are a layer's first name part, so a graph of single layers is one
    block per layer: only the global pool's input is sliced. Named blocks slice their insides."""
    flat = analyze_memory(mbcalc.build(mbcalc.loads(INVERTED)), "int8")
    assert flat.sliced == {"last"} and flat.peak["bottleneck"] == 192  # expand: nothing runs in slices
    blocks = INVERTED.replace("name: dw1", "name: b1.dw").replace("name: project1", "name: b1.project")
    blocks = blocks.replace("name: expand", "name: b2.expand").replace("name: dw2", "name: b2.dw")
    blocks = blocks.replace("name: project2", "name: b2.project")
    memory = analyze_memory(mbcalc.build(mbcalc.loads(blocks)), "int8")
    # b1 has no expansion: the stem is its expansion (the paper's first-layer trick); b2's
    # expansion and depthwise run in slices into its projection; the pool reads last in slices
    assert memory.sliced == {"stem", "b1.dw", "b2.expand", "b2.dw", "last"}
    assert (memory.peak["bottleneck"], memory.peak_layer["bottleneck"]) == (32, "input")  # b1.project ties, later
    assert memory.materialized(2, 2) == (12, 3, "b2.project") and memory.materialized(4, 4) == (32, 2, "input")
    assert memory.peak["largest-tensor"] == 192


def test_the_v2_papers_table_3_under_the_bottleneck_model():
    v2 = api.memory("v2", dtype="fp16")
    assert (v2.peak["bottleneck"], v2.peak_layer["bottleneck"]) == (112 * 112 * 16 * 2, "block1.project")  # 400K
    assert {"conv1", "block1.dw", "block2.expand", "block2.dw", "conv_last"} <= v2.sliced
    rows = {size: v2.materialized(size, size)[1] for size in (112, 56, 28, 14, 7, 1)}
    assert rows == {112: 16, 56: 24, 28: 32, 14: 96, 7: 320, 1: 1280}  # the bottlenecks, and the pool
    v3 = api.memory("v3-large", dtype="fp16")  # squeeze-excite: its pool and its scale read the depthwise
    assert "block6.dw" not in v3.sliced and {"block6.expand", "block6.se.scale"} <= v3.sliced
    assert "conv1" not in v3.sliced  # the first block's residual reads the stem too


PATCHED = """\
name: patched
form: graph
input: 32x32x1
classes: 10
layers:
  - {name: b1.conv, conv: {out: 4, k: 3, s: 2}}
  - {name: b2.dw, dw: {k: 3, s: 2}}
  - {name: b2.pw, pw: {out: 4}}
  - {name: b3.dw, dw: {k: 3, s: 2}}
  - {name: b3.pw, pw: {out: 2}}
  - {name: b4.pw, pw: {out: 8}}
"""


def test_patch_based_inference_by_hand():
    """int8. Output stride 8 is 4x4, reached at the end of b3: b3.pw's 4x4x2 buffer (32 bytes) fills
    a 1x1 tile per patch. Back through the stage: b3.dw needs 3x3 of b2.pw, b2.dw 7x7 of b1.conv,
    b1.conv 15x15 of the image. Per patch, with the buffer: b1.conv 15·15·1 + 7·7·4 + 32 = 453;
    b2.dw in place max(196, 36) + 32 = 228; b2.pw 36 + 36 + 32 = 104; b3.dw 36 + 32; b3.pw 4 + 32.
    After the stage, layer by layer: b4.pw 32 + 128 = 160."""
    memory = analyze_memory(mbcalc.build(mbcalc.loads(PATCHED)), "int8")
    assert (memory.peak["patch"], memory.peak_layer["patch"]) == (453, "b1.conv")
    assert memory.peak["layer-io-inplace-dw"] == 32 * 32 + 16 * 16 * 4  # the whole image and b1.conv's map
    late = analyze_memory(mbcalc.build(mbcalc.loads(PATCHED.replace("out: 8}", "out: 64}"))), "int8")
    assert (late.peak["patch"], late.peak_layer["patch"]) == (32 + 4 * 4 * 64, "b4.pw")  # the rest sets it


def test_mcunetv2_patch_based_figure():
    """MCUNetV2: MobileNetV2's 1,372 kB peak drops to 172 kB with 4x4 patches of its first blocks."""
    memory = api.memory("v2", dtype="int8")
    # after the patch stage (stem to block4, 7x7 output tiles, 35x35 at block2: at most
    # 35²·16 + 35²·96 + 28²·32 = 162,288 bytes), block5's expansion: 28²·32 + 28²·192
    assert (memory.peak["patch"], memory.peak_layer["patch"]) == (175_616, "block5.expand")


def test_weights_fold_batch_norm_into_a_bias():
    memory = analyze_memory(mbcalc.build(mbcalc.loads(RESIDUAL)), "int8")
    # a: 2·8 weights + 8 folded biases (int32); b: 9·8·8 weights, no bias
    # quantization: 12 bytes per channel of a's weights and of its bias, and of b's weights
    assert (memory.weights_bytes, memory.quantization_bytes) == (16 + 4 * 8 + 576, 12 * (8 + 8 + 8))
    assert analyze_memory(mbcalc.build(mbcalc.loads(RESIDUAL)), "fp32").weights_bytes == 4 * (16 + 8 + 576)


def test_sizes_say_which_are_1000_and_which_1024():
    assert [parse_size(t) for t in ("256K", "256KiB", "1.5MiB", "300000", "2M")] == [
        256_000,
        262_144,
        1_572_864,
        300_000,
        2_000_000,
    ]
    with pytest.raises(mbcalc.MbcalcError, match="size must be a size like 256K"):
        parse_size("lots")


def test_the_memory_command(run):
    data = json.loads(run("memory", "v2", "--sram", "256KiB", "-f", "json").output)
    assert data["peak"]["layer-io"] == 1_505_280 and data["dtype"] == "int8"
    assert data["verdicts"][0].startswith("RAM: the arena peak 1,505,280 bytes does not fit in 262,144")
    assert run("memory", "v2", "--sram", "2M").exit_code == 0
    result = run("memory", "v2", "--sram", "lots")
    assert result.exit_code == 2 and "--sram must be a size like 256K" in result.stderr


TFLITE = json.loads((Path(__file__).parent / "data" / "tflite_weights.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("record", TFLITE["records"], ids=lambda r: f"{r['model']}-{r['alpha']}")
def test_int8_weights_are_what_a_converted_model_stores(record):
    """Keras applications converted to int8 TensorFlow Lite (tests/harness/tflite_weights.py), with
    batch-norm statistics and biases randomized, as a trained model's are: an all-zero dense bias of
    an untrained model is dropped by the converter (V2: 4,000 bytes less)."""
    network = mbcalc.build(record["model"], alpha=record["alpha"], profile="keras")
    memory = analyze_memory(network, "int8")
    assert memory.weights_bytes == record["random_statistics"]["rule"]["int8"]["measured_stored"]
    assert memory.weights_bytes - record["int8_weight_bytes"] - record["int32_bias_bytes"] in (0, 4 * network.classes)


def test_traffic_and_arithmetic_intensity_by_hand():
    memory = analyze_memory(mbcalc.build(mbcalc.loads(RESIDUAL)), "int8")
    a = next(s for s in memory.steps if s.layer == "a")
    # a: 4·4·8·2 Mult-Adds; weights 16 + folded int32 biases 4·8; reads the 32-byte input, writes 128
    assert (a.macs, a.weight_bytes, a.traffic_bytes) == (256, 48, 32 + 128 + 48)
    assert a.intensity == 256 / 208
    assert sum(s.weight_bytes for s in memory.steps) == memory.weights_bytes


def test_depthwise_layers_move_much_and_compute_little():
    steps = api.memory("v2").steps
    dw = [s.intensity for s in steps if s.op == "dw"]
    pointwise = [s.intensity for s in steps if s.op == "conv" and s.layer.endswith(("expand", "project"))]
    assert max(dw) < min(pointwise)


def test_compare_shows_the_deployment_view(run):
    data = json.loads(
        run("compare", "v2", "v3-small", "--alpha", "0.35", "--res", "128", "--memory", "int8", "-f", "json").output
    )
    for row in data["rows"]:
        memory = api.memory(row["model"], alpha=0.35, resolution=128, dtype="int8")
        assert (row["peak_bytes"], row["weights_bytes"]) == (memory.peak["arena"], memory.weights_bytes)
        assert row["quantization_bytes"] == memory.quantization_bytes and row["dtype"] == "int8"
    assert data["rows"][0]["peak_bytes"] == 245_760  # V2 0.35-128: the second block's expand and depthwise
    table = run("compare", "v2", "--memory", "fp16").output
    assert "arena peak (fp16, bytes)" in table and "3,010,560" in table  # 2 × 1,505,280
    assert "peak_bytes" not in run("compare", "v2", "-f", "json").output


def test_patch_needs_a_stage_patches_can_run():
    """Read twice, a tensor is one input (no crash); a global pool, or a tensor of the stage read
    after it, would need a whole map: the model does not apply, and says why."""
    twice = PATCHED.replace("  - {name: b2.dw", "  - {name: b1.add, add: [b1.conv, b1.conv]}\n  - {name: b2.dw")
    memory = analyze_memory(mbcalc.build(mbcalc.loads(twice)), "int8")
    assert (memory.peak["patch"], memory.peak_layer["patch"]) == (453, "b1.conv")  # the add: 196 + 196 + 32
    pooled = PATCHED.replace(
        "  - {name: b3.dw",
        "  - {name: b2.pool, avgpool: {k: global}}\n  - {name: b2.x, multiply: [b2.pw, b2.pool]}\n  - {name: b3.dw",
    )
    memory = analyze_memory(mbcalc.build(mbcalc.loads(pooled)), "int8")
    assert "patch" not in memory.peak and memory.unavailable["patch"].startswith(
        "b2.pool (avgpool) needs its whole input map"
    )
    skip = PATCHED.replace(
        "{name: b4.pw, pw: {out: 8}}", "{name: b4.pw, pw: {out: 8}}\n  - {name: b4.cat, concat: [b4.pw, b3.dw]}"
    )
    memory = analyze_memory(mbcalc.build(mbcalc.loads(skip)), "int8")
    assert memory.unavailable == {
        "patch": "b4.cat reads b3.dw, made before the patch stage ends: it would be held whole"
    }


def test_a_branch_around_the_projection_stays_whole():
    """ShuffleNet V2's unit splits its input: one half goes round the block to the concat, the
    other is expanded; neither half is computed in slices, only the expansion and depthwise."""
    memory = api.memory("shufflenet-v2")
    assert {"unit2.pw1", "unit2.dw1"} <= memory.sliced and not {"unit2.half.0", "unit2.half.1"} & memory.sliced


def test_weights_as_deployed_include_prelu_slopes_and_a_batch_norm_no_conv_absorbs():
    """A conv's batch norm folds into its bias; one after an add keeps a scale and a shift per
    channel, and a PReLU its slopes: 8x8x4 input, int8 (1 byte each)."""
    text = (
        "name: t\nform: graph\ninput: 8x8x4\nclasses: 10\nlayers:\n"
        "  - {name: a, pw: {out: 4}}\n  - bn\n  - prelu\n"  # 16 weights + 4 folded biases (int32) + 4 slopes
        "  - {name: s, add: [in, a]}\n  - bn\n"  # 2 x 4 per-channel parameters
    )
    memory = api.memory(api.loads(text), dtype="int8")
    assert memory.weights_bytes == 16 + 4 * 4 + 4 + 8
