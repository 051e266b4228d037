"""Constant bytes of the Keras MobileNets after TensorFlow Lite conversion, int8 and float32.

Writes tests/data/tflite_weights.json: a header (versions, method, the rule that predicts the
weight and bias bytes from the Keras layers, notes) and one record per build. Run it from the
repository root with TensorFlow 2.15 (tensorflow-cpu 2.15.1, whose tf.keras is keras 2.15):

  python tests/harness/tflite_weights.py -o tests/data/tflite_weights.json   # the committed grid
  python tests/harness/tflite_weights.py --models v2 --alphas 1.0            # one build, to stdout
  python tests/harness/tflite_weights.py --no-variant                        # skip random_statistics

About 50 s a build on 2 cores (four conversions; half that with --no-variant). The committed grid
is v1 at alpha 1.0 and 0.5, v2 at 1.0 and 0.35, v3-small at 1.0, all at 224x224. Nothing is
downloaded; nothing in mbcalc reads the output.

What is measured, per build:

  1. model = tf.keras.applications.<App>(input_shape=(224, 224, 3), alpha=alpha, weights=None,
     include_top=True, classes=1000), App = MobileNet (v1), MobileNetV2 (v2) or MobileNetV3Small
     (v3-small; minimalistic=False, include_preprocessing=True by default), built after
     tf.keras.utils.set_random_seed(0), so every run converts the same weights.
  2. int8: TFLiteConverter.from_keras_model(model), optimizations = [Optimize.DEFAULT], a
     representative dataset of 4 random 1x224x224x3 float32 inputs (uniform over the range the
     model expects: [-1, 1) for v1 and v2, [0, 255) for v3-small, which rescales its input),
     target_spec.supported_ops = [TFLITE_BUILTINS_INT8], inference_input_type =
     inference_output_type = tf.int8. float32: the same converter, no optimizations.
  3. Each flatbuffer is read twice: through tf.lite.Interpreter(model_content=...)
     (get_tensor_details for dtype and quantization_parameters, get_tensor for the data) and
     through the flatbuffer schema that ships with TensorFlow (tensorflow.lite.python.
     schema_py_generated), which says which tensors are constants (their buffer holds data),
     which buffer each uses and which operator inputs read it. The two readings must agree on
     every constant's dtype, byte size and number of scales and zero points, or the script stops.
  4. A constant is a weight if it is input 1, a bias if it is input 2, of a CONV_2D,
     DEPTHWISE_CONV_2D or FULLY_CONNECTED operator; anything else is "other".

Bytes are counted three ways, because the converter shares identical constants: per tensor (each
constant tensor once: the record fields), per use (once per operator input that reads it: what a
per-layer model counts) and stored (each flatbuffer buffer once: what the file holds). With
weights=None every batch-norm-folded bias is zero, so equal-length biases are identical: the int8
model gives each layer its own bias tensor but stores identical ones in one buffer; the float32
model merges them into one tensor read by several operators.

Record fields:

  int8_weight_bytes        int8 model, weight tensors (all int8), per tensor
  int32_bias_bytes         int8 model, bias tensors (all int32), per tensor
  other_constant_bytes     int8 model, every other constant tensor, per tensor
  per_channel_scales       int8 model, number of scales over the weight tensors
  per_channel_zero_points  int8 model, number of zero points over the weight tensors
  file_bytes               length of the int8 flatbuffer
  float32_constant_bytes   float32 model, every constant tensor, per tensor

and, to explain them: "rule" (the check below, per use, per tensor and stored), "keras" (the
layer counts behind the prediction), "int8" and "float32" (constants by role with all three
counts, the other constants by reader, shared buffers and merged tensors with what they hold,
quantization parameters of weights, biases and activations, the int8 file split into its parts,
operator types, the batch-norm folding check) and "random_statistics" (the same build with every
batch-norm gamma, beta, moving mean and variance and every bias drawn at random, seeded, then
converted again: nothing is zero or equal any more, as in a trained model).

The rule, checked on every build (the script stops if it fails): per use,

  int8 weight bytes + int32 bias bytes = sum over Conv2D, DepthwiseConv2D and Dense layers of
  kernel elements + 4 * biases, where a layer has one bias per output channel if it has
  use_bias or its output goes to a BatchNormalization (folded into its kernel and bias);

float32 the same with 4 bytes a weight. The one exception: a FULLY_CONNECTED bias that is all
zero is dropped (TFLite's FULLY_CONNECTED bias input is optional; CONV_2D and DEPTHWISE_CONV_2D
always get one), which with weights=None is V2's Dense (1000 zero biases); the check allows
exactly the Dense layers whose bias is all zero, and in random_statistics nothing.
"""

import json
import os
import platform
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

APPS = {
    "v1": "MobileNet",
    "v2": "MobileNetV2",
    "v3-small": "MobileNetV3Small",
}
GRID = {
    "v1": [(1.0, 224), (0.5, 224)],
    "v2": [(1.0, 224), (0.35, 224)],
    "v3-small": [(1.0, 224)],
}
INPUT_RANGE = {"v1": (-1.0, 1.0), "v2": (-1.0, 1.0), "v3-small": (0.0, 255.0)}
CALIBRATION_SAMPLES = 4
SEED = 0
KERNEL_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")

METHOD = (
    "model = tf.keras.applications.<App>(input_shape=(224, 224, 3), alpha=alpha, weights=None, "
    "include_top=True, classes=1000) (MobileNetV3Small: minimalistic=False), built after "
    "tf.keras.utils.set_random_seed(0); int8 = TFLiteConverter.from_keras_model(model) with "
    "optimizations=[Optimize.DEFAULT], representative_dataset = 4 random 1x224x224x3 float32 inputs "
    "(uniform in [-1, 1) for v1, v2, in [0, 255) for v3-small), target_spec.supported_ops="
    "[TFLITE_BUILTINS_INT8], inference_input_type=inference_output_type=tf.int8; float32 = the same "
    "converter without optimizations. Constant = a tensor whose flatbuffer buffer holds data "
    "(tensorflow.lite.python.schema_py_generated); dtype, scales and zero points from "
    "tf.lite.Interpreter(model_content=...).get_tensor_details(), checked against the flatbuffer. "
    "Weight = input 1, bias = input 2 of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED; other = any "
    "other constant. Record bytes are per tensor (each constant tensor once); bytes_per_use counts a "
    "tensor once per operator input reading it, bytes_stored each buffer once. per_channel_scales "
    "and per_channel_zero_points = lengths of the weight tensors' scale and zero_point vectors; "
    "file_bytes = len(int8 flatbuffer)."
)

RULE = [
    ["int8 weight bytes", "1 per kernel element of every Conv2D, DepthwiseConv2D and Dense layer"],
    ["int32 bias bytes", "4 per output channel of every such layer with use_bias or followed by "
     "BatchNormalization (folded): here every such layer; less 4 per channel of a Dense whose bias is "
     "all zero (dropped: V2 under weights=None)"],
    ["float32 weight and bias bytes", "4 per kernel element and per bias, counted per use (the same "
     "exception)"],
    ["other constants (not from layers)", "int32 operands: PAD paddings [4,2] (32 bytes per distinct "
     "padding), MEAN axes [2] (8), RESHAPE shape [2] (8), V1's Reshape as SHAPE/STRIDED_SLICE/PACK "
     "(12); V3 scalars: rescaling MUL and ADD, hard-sigmoid 1/6 MUL (1 byte int8, 4 float32 each)"],
    ["quantization parameters (not in the constant bytes)", "in the flatbuffer a float32 scale and "
     "an int64 zero point (always 0 for weights and biases): per output channel on every CONV_2D and "
     "DEPTHWISE_CONV_2D weight and again on its bias (24 bytes a channel), one pair on the "
     "FULLY_CONNECTED weight (per-tensor), one pair per activation tensor and int8 scalar"],
]

NOTES = [
    "Batch normalization is folded in every build: the int8 and float32 models have no batch-norm "
    "operator and no vector constant read by MUL, ADD or SUB; each Keras Conv2D, DepthwiseConv2D, "
    "Dense is one CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED with one weight tensor. Tensor names "
    "still read FusedBatchNormV3: folded constants keep the fused operations' names.",
    "Bias vectors against kernel layers (int8): v1 28 of 28, v2 52 of 53 (the Dense's zero bias is "
    "dropped), v3-small 54 of 54 (43 CONV_2D, 11 DEPTHWISE_CONV_2D; 20 Keras layers with use_bias: "
    "the 18 squeeze-excite convs, Conv_2 and Logits; 34 followed by batch norm).",
    "V3: hard-swish becomes HARD_SWISH operators (19, no constant); the squeeze-excite hard-sigmoid "
    "ReLU6(x + 3) / 6 keeps the + 3 in the preceding conv's bias (so that bias is 3.0, not 0, under "
    "weights=None) and the / 6 as a MUL by one shared scalar (9 uses); the Rescaling layer is a MUL "
    "and an ADD by scalars; Flatten is a RESHAPE.",
    "Stored bytes are lower than per-tensor bytes under weights=None only: identical zero biases "
    "share buffers (int8) or tensors (float32). v3-small int8 also shares two buffers of all-zero "
    "weights: its squeeze-excite expand convs carry the bias 3.0 while the calibrated input scale is "
    "tiny, so in 8 of the 9 the quantizer raises the weight scale (to about 0.3) until the bias "
    "quantizes to 2^30, inside the middle half of int32; 5 of those kernels then round to all zero "
    "and two pairs of equal shape share a buffer. With random statistics every weight and bias has "
    "its own buffer and stored equals per use.",
    "The Interpreter reports zero points as int32; the flatbuffer schema stores them as int64 "
    "(QuantizationParameters.zero_point: [long]) and scales as float32; no min/max vectors are "
    "stored. file_parts splits the int8 file: constant data (stored), metadata buffers, "
    "quantization scales and zero points, tensor names, and the rest (tables, shapes, operators, "
    "alignment).",
    "model.count_params() is not the rule's count: it holds 4 numbers per batch-norm channel "
    "(gamma, beta, moving mean and variance), the folded model 1 bias.",
]


def versions():
    """Python, TensorFlow, Keras and flatbuffers versions."""
    from importlib.metadata import version

    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": "tf.keras (keras %s)" % version("keras"),
        "flatbuffers": version("flatbuffers"),
    }


def build(tf, name, alpha, resolution):
    """The Keras application, its weights fixed by the seed."""
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(SEED)
    app = getattr(tf.keras.applications, APPS[name])
    extra = {"minimalistic": False} if name.startswith("v3") else {}
    return app(input_shape=(resolution, resolution, 3), alpha=alpha, weights=None,
               include_top=True, classes=1000, **extra)


def convert(tf, model, name, resolution, int8):
    """The flatbuffer of model: full-integer post-training quantization, or plain float32."""
    import numpy as np

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        low, high = INPUT_RANGE[name]

        def representative_dataset():
            rng = np.random.default_rng(SEED)
            for _ in range(CALIBRATION_SAMPLES):
                sample = rng.uniform(low, high, size=(1, resolution, resolution, 3))
                yield [sample.astype(np.float32)]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative_dataset
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


# --- Keras side: what an analytical model predicts -------------------------------------------------


def keras_layers(tf, model):
    """Per Conv2D, DepthwiseConv2D, Dense layer: kernel elements and biases (after BN folding)."""
    import numpy as np

    consumers = {}
    for layer in model.layers:
        for node in layer._inbound_nodes:
            for inbound in node.inbound_layers if isinstance(node.inbound_layers, list) else [node.inbound_layers]:
                consumers.setdefault(inbound.name, []).append(layer)
    kinds = (tf.keras.layers.Conv2D, tf.keras.layers.DepthwiseConv2D, tf.keras.layers.Dense)
    rows = []
    for layer in model.layers:
        if not isinstance(layer, kinds):
            continue
        kernel = layer.depthwise_kernel if isinstance(layer, tf.keras.layers.DepthwiseConv2D) else layer.kernel
        out_channels = int(layer.output_shape[-1])
        to_bn = any(isinstance(c, tf.keras.layers.BatchNormalization) for c in consumers.get(layer.name, []))
        rows.append({
            "layer": layer.name,
            "type": type(layer).__name__,
            "out_channels": out_channels,
            "kernel": int(np.prod(kernel.shape)),
            "use_bias": bool(layer.use_bias),
            "zero_bias": bool(layer.use_bias) and not np.any(layer.bias.numpy()),
            "followed_by_bn": to_bn,
            "biases": out_channels if (layer.use_bias or to_bn) else 0,
        })
    return rows


def keras_summary(tf, model):
    rows = keras_layers(tf, model)
    kernel = sum(r["kernel"] for r in rows)
    biases = sum(r["biases"] for r in rows)
    names = [type(layer).__name__ for layer in model.layers]
    return {
        "conv_dw_dense_layers": len(rows),
        "by_type": {t: sum(r["type"] == t for r in rows) for t in ("Conv2D", "DepthwiseConv2D", "Dense")},
        "with_use_bias": sum(r["use_bias"] for r in rows),
        "followed_by_batch_norm": sum(r["followed_by_bn"] for r in rows),
        "with_both": sum(r["use_bias"] and r["followed_by_bn"] for r in rows),
        "with_neither": sum(not (r["use_bias"] or r["followed_by_bn"]) for r in rows),
        "batch_norm_layers": names.count("BatchNormalization"),
        "dense_with_all_zero_bias": [r["layer"] for r in rows if r["type"] == "Dense" and r["zero_bias"]
                                     and not r["followed_by_bn"]],
        "dense_with_all_zero_bias_channels": sum(r["out_channels"] for r in rows if r["type"] == "Dense"
                                                 and r["zero_bias"] and not r["followed_by_bn"]),
        "kernel_elements": kernel,
        "biases": biases,
        "predicted_int8_weight_bytes": kernel,
        "predicted_int32_bias_bytes": 4 * biases,
        "predicted_int8_bytes": kernel + 4 * biases,
        "predicted_float32_bytes": 4 * (kernel + biases),
        "params": int(model.count_params()),
    }


# --- TFLite side: what the converter wrote ---------------------------------------------------------


def _enum_names(cls):
    return {v: k for k, v in vars(cls).items() if not k.startswith("_") and isinstance(v, int)}


def _content(data):
    """'all zero', 'one value <v>' or 'varied': what a constant holds (to explain shared buffers)."""
    import numpy as np

    flat = np.asarray(data).ravel()
    if flat.size and not np.any(flat):
        return "all zero"
    if flat.size and np.all(flat == flat[0]):
        return "one value %s" % flat[0].item()
    return "varied"


def inspect(tf, flatbuffer):
    """Every constant tensor of a converted model, classed by its readers, checked against the Interpreter."""
    import numpy as np
    from tensorflow.lite.python import schema_py_generated as schema

    op_names = _enum_names(schema.BuiltinOperator)
    type_names = _enum_names(schema.TensorType)
    model = schema.Model.GetRootAs(flatbuffer, 0)
    if model.SubgraphsLength() != 1:
        raise RuntimeError("expected one subgraph, found %d" % model.SubgraphsLength())
    graph = model.Subgraphs(0)

    def buffer_bytes(index):
        buf = model.Buffers(index)
        if buf.Size():  # data stored after the flatbuffer (models over 2 GB); not expected here
            raise RuntimeError("buffer %d holds its data by offset" % index)
        return buf.DataLength()

    readers = {}  # tensor index -> [(operator type, input position)]
    kernel_ops = []  # per CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED: output channels, whether it has a bias
    op_types = {}
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        code = model.OperatorCodes(op.OpcodeIndex())
        kind = op_names[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
        op_types[kind] = op_types.get(kind, 0) + 1
        inputs = op.InputsAsNumpy().tolist()
        for pos, t in enumerate(inputs):
            if t >= 0:
                readers.setdefault(t, []).append((kind, pos))
        if kind in KERNEL_OPS:
            weight = graph.Tensors(inputs[1])
            shape = weight.ShapeAsNumpy().tolist()
            quant = weight.Quantization()
            kernel_ops.append({"op": kind, "out_channels": shape[-1] if kind == "DEPTHWISE_CONV_2D" else shape[0],
                               "has_bias": len(inputs) > 2 and inputs[2] >= 0,
                               "weight_scales": quant.ScaleLength() if quant is not None else 0})

    interpreter = tf.lite.Interpreter(
        model_content=flatbuffer,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    interpreter.allocate_tensors()
    details = {d["index"]: d for d in interpreter.get_tensor_details()}

    constants = []
    activations = {"tensors": 0, "scales": 0, "zero_points": 0}
    min_max_values = 0
    name_bytes = 0
    for t in range(graph.TensorsLength()):
        tensor = graph.Tensors(t)
        name_bytes += len(tensor.Name() or b"")
        size = buffer_bytes(tensor.Buffer())
        quant = tensor.Quantization()
        scales = quant.ScaleLength() if quant is not None else 0
        zero_points = quant.ZeroPointLength() if quant is not None else 0
        if quant is not None:
            min_max_values += quant.MinLength() + quant.MaxLength()
        if size == 0:
            if scales or zero_points:
                activations["tensors"] += 1
                activations["scales"] += scales
                activations["zero_points"] += zero_points
            continue
        d = details[t]
        data = interpreter.get_tensor(t)
        dtype = type_names[tensor.Type()].lower()
        qp = d["quantization_parameters"]
        if (np.dtype(d["dtype"]).name != dtype or data.nbytes != size or len(qp["scales"]) != scales
                or len(qp["zero_points"]) != zero_points):
            raise RuntimeError("Interpreter and flatbuffer disagree on tensor %d (%s)" % (t, d["name"]))
        uses = readers.get(t, [])
        roles = {"weight" if (k in KERNEL_OPS and p == 1) else "bias" if (k in KERNEL_OPS and p == 2) else "other"
                 for k, p in uses}
        if len(roles) != 1:
            raise RuntimeError("constant %d (%s) has roles %s" % (t, d["name"], sorted(roles)))
        zps = quant.ZeroPointAsNumpy() if zero_points else np.zeros(0, np.int64)
        constants.append({
            "tensor": t,
            "buffer": tensor.Buffer(),
            "name": d["name"],
            "shape": [int(x) for x in d["shape"]],
            "dtype": dtype,
            "bytes": size,
            "role": roles.pop(),
            "readers": sorted({k for k, _ in uses}),
            "uses": len(uses),
            "content": _content(data),
            "scales": scales,
            "zero_points": zero_points,
            "nonzero_zero_points": int(np.count_nonzero(zps)),
        })

    metadata = {}
    for i in range(model.MetadataLength()):
        m = model.Metadata(i)
        metadata[m.Name().decode()] = buffer_bytes(m.Buffer())
    return {
        "constants": constants,
        "op_types": dict(sorted(op_types.items())),
        "kernel_ops": kernel_ops,
        "activations": activations,
        "min_max_values": min_max_values,
        "tensor_name_bytes": name_bytes,
        "metadata": metadata,
        "file_bytes": len(flatbuffer),
    }


def by_role(constants):
    """Per role: tensors, operator inputs (uses), buffers; bytes counted per tensor, per use and per buffer."""
    out = {}
    for role in ("weight", "bias", "other"):
        rows = [c for c in constants if c["role"] == role]
        stored = {}
        for c in rows:
            stored.setdefault(c["buffer"], c["bytes"])
        out[role] = {
            "tensors": len(rows),
            "uses": sum(c["uses"] for c in rows),
            "buffers": len(stored),
            "bytes": sum(c["bytes"] for c in rows),
            "bytes_per_use": sum(c["bytes"] * c["uses"] for c in rows),
            "bytes_stored": sum(stored.values()),
            "dtypes": sorted({c["dtype"] for c in rows}),
            "scales": sum(c["scales"] for c in rows),
            "zero_points": sum(c["zero_points"] for c in rows),
            "nonzero_zero_points": sum(c["nonzero_zero_points"] for c in rows),
            "all_zero_tensors": sum(c["content"] == "all zero" for c in rows),
        }
    return out


def shared(constants):
    """The buffers that hold more than one tensor (identical constants), merged by what they hold."""
    groups = {}
    for c in constants:
        groups.setdefault(c["buffer"], []).append(c)
    rows = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        c = members[0]
        key = (c["role"], c["dtype"], c["content"])
        row = rows.setdefault(key, {"role": c["role"], "dtype": c["dtype"], "content": c["content"],
                                    "buffers": 0, "tensors": 0, "bytes_saved": 0})
        row["buffers"] += 1
        row["tensors"] += len(members)
        row["bytes_saved"] += c["bytes"] * (len(members) - 1)
    return sorted(rows.values(), key=lambda r: -r["bytes_saved"])


def merged_tensors(constants):
    """The tensors read by more than one operator (one constant for identical values), by role and content."""
    rows = {}
    for c in constants:
        if c["uses"] < 2:
            continue
        key = (c["role"], c["dtype"], c["content"])
        row = rows.setdefault(key, {"role": c["role"], "dtype": c["dtype"], "content": c["content"],
                                    "tensors": 0, "uses": 0, "bytes_saved": 0})
        row["tensors"] += 1
        row["uses"] += c["uses"]
        row["bytes_saved"] += c["bytes"] * (c["uses"] - 1)
    return sorted(rows.values(), key=lambda r: -r["bytes_saved"])


def others(constants):
    """The constants that are neither weights nor biases, merged by (dtype, shape, readers)."""
    seen = {}
    for c in constants:
        if c["role"] != "other":
            continue
        key = (c["dtype"], tuple(c["shape"]), tuple(c["readers"]))
        row = seen.setdefault(key, {"dtype": c["dtype"], "shape": c["shape"], "readers": c["readers"],
                                    "tensors": 0, "uses": 0, "bytes": 0, "names": []})
        row["tensors"] += 1
        row["uses"] += c["uses"]
        row["bytes"] += c["bytes"]
        row["names"].append(c["name"].split(";")[0])
    return list(seen.values())


def batch_norm_check(keras, found):
    """Batch normalization folded: no per-channel constant left for a MUL/ADD/SUB, one bias per kernel op."""
    import math

    constants, op_types = found["constants"], found["op_types"]
    elementwise = [c["name"].split(";")[0] for c in constants if c["role"] == "other"
                   and set(c["readers"]) & {"MUL", "ADD", "SUB"} and math.prod(c["shape"]) > 1]
    kernel_ops = sum(op_types.get(k, 0) for k in KERNEL_OPS)
    roles = by_role(constants)
    return {
        "keras_batch_norm_layers": keras["batch_norm_layers"],
        "keras_conv_dw_dense_layers": keras["conv_dw_dense_layers"],
        "tflite_kernel_ops": kernel_ops,
        "weight_tensors": roles["weight"]["tensors"],
        "bias_tensors": roles["bias"]["tensors"],
        "bias_uses": roles["bias"]["uses"],
        "kernel_ops_without_bias": [k for k in found["kernel_ops"] if not k["has_bias"]],
        "vector_constants_of_mul_add_sub": elementwise,
        "folded": not elementwise and kernel_ops == roles["weight"]["uses"] == keras["conv_dw_dense_layers"]
        and keras["batch_norm_layers"] == keras["followed_by_batch_norm"],
    }


def rule_check(keras, found, weight_size, bias_size):
    """The Keras-layer rule against the converted model's weight and bias bytes.

    predicted = weight_size * kernel elements + bias_size * biases (use_bias or followed by batch norm).
    The converter drops a FULLY_CONNECTED bias that is all zero (TFLite's bias input is optional; a
    CONV_2D or DEPTHWISE_CONV_2D always gets one), so with weights=None the rule minus the zero Dense
    biases is what must match; the script stops if it does not.
    """
    roles = by_role(found["constants"])
    dropped = [k for k in found["kernel_ops"] if not k["has_bias"]]
    dropped_channels = sum(k["out_channels"] for k in dropped)
    predicted = weight_size * keras["kernel_elements"] + bias_size * keras["biases"]
    measured = roles["weight"]["bytes_per_use"] + roles["bias"]["bytes_per_use"]
    holds = (all(k["op"] == "FULLY_CONNECTED" for k in dropped)
             and dropped_channels == keras["dense_with_all_zero_bias_channels"]
             and measured == predicted - bias_size * dropped_channels)
    return {
        "predicted": predicted,
        "measured_per_use": measured,
        "measured_per_tensor": roles["weight"]["bytes"] + roles["bias"]["bytes"],
        "measured_stored": roles["weight"]["bytes_stored"] + roles["bias"]["bytes_stored"],
        "difference_per_use": measured - predicted,
        "dropped_zero_biases": dropped,
        "holds": holds,
    }


def weight_granularity(found):
    """Per kernel operator type: how many operators, and how many have one scale per output channel."""
    out = {}
    for k in found["kernel_ops"]:
        row = out.setdefault(k["op"], {"ops": 0, "per_channel": 0, "per_tensor": 0, "scales": 0})
        row["ops"] += 1
        row["scales"] += k["weight_scales"]
        if k["weight_scales"] == k["out_channels"] and k["out_channels"] > 1:
            row["per_channel"] += 1
        elif k["weight_scales"] == 1:
            row["per_tensor"] += 1
    return out


def file_parts(found):
    """The flatbuffer's bytes: constant data (each buffer once), metadata, quantization vectors, names, rest."""
    stored = {}
    for c in found["constants"]:
        stored.setdefault(c["buffer"], c["bytes"])
    scales = sum(c["scales"] for c in found["constants"]) + found["activations"]["scales"]
    zero_points = sum(c["zero_points"] for c in found["constants"]) + found["activations"]["zero_points"]
    parts = {
        "constant_data": sum(stored.values()),
        "metadata_buffers": sum(found["metadata"].values()),
        "quantization_scales_float32": 4 * scales,
        "quantization_zero_points_int64": 8 * zero_points,
        "tensor_names": found["tensor_name_bytes"],
    }
    parts["rest"] = found["file_bytes"] - sum(parts.values())
    return parts


# --- A variant with non-trivial batch-norm statistics and biases -----------------------------------


def randomize_statistics(tf, model):
    """Give every BatchNormalization layer and every bias random values (weights=None leaves them 0 and 1).

    gamma and moving variance uniform in [0.5, 1.5), beta and moving mean normal with std 0.1, biases normal
    with std 0.1; seeded. The folded biases then differ from layer to layer, as in a trained model.
    """
    import numpy as np

    rng = np.random.default_rng(SEED + 1)
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
                               rng.normal(0, 0.1, beta.shape).astype(np.float32),
                               rng.normal(0, 0.1, mean.shape).astype(np.float32),
                               rng.uniform(0.5, 1.5, var.shape).astype(np.float32)])
        elif getattr(layer, "use_bias", False) and getattr(layer, "bias", None) is not None:
            weights = layer.get_weights()
            weights[-1] = rng.normal(0, 0.1, weights[-1].shape).astype(np.float32)
            layer.set_weights(weights)


def compact(found):
    roles = by_role(found["constants"])
    return {
        role: {k: roles[role][k] for k in ("tensors", "uses", "bytes", "bytes_per_use", "bytes_stored")}
        for role in roles
    } | {"shared_buffers": shared(found["constants"]), "merged_tensors": merged_tensors(found["constants"]),
         "file_bytes": found["file_bytes"]}


# --- One build ---------------------------------------------------------------------------------------


def measure(tf, name, alpha, resolution, variant=True):
    model = build(tf, name, alpha, resolution)
    keras = keras_summary(tf, model)
    int8 = inspect(tf, convert(tf, model, name, resolution, int8=True))
    float32 = inspect(tf, convert(tf, model, name, resolution, int8=False))
    roles, f_roles = by_role(int8["constants"]), by_role(float32["constants"])

    for role, dtype in (("weight", "int8"), ("bias", "int32")):
        if roles[role]["dtypes"] != [dtype]:
            raise RuntimeError("%s %s: %s tensors are %s" % (name, alpha, role, roles[role]["dtypes"]))
    rule = {"int8": rule_check(keras, int8, 1, 4), "float32": rule_check(keras, float32, 4, 4)}
    for what, check in rule.items():
        if not check["holds"]:
            raise RuntimeError("%s %s %s: the rule does not hold: %s" % (name, alpha, what, check))
    record = {
        "model": name,
        "alpha": float(alpha),
        "resolution": int(resolution),
        "int8_weight_bytes": roles["weight"]["bytes"],
        "int32_bias_bytes": roles["bias"]["bytes"],
        "other_constant_bytes": roles["other"]["bytes"],
        "per_channel_scales": roles["weight"]["scales"],
        "per_channel_zero_points": roles["weight"]["zero_points"],
        "file_bytes": int8["file_bytes"],
        "float32_constant_bytes": sum(r["bytes"] for r in f_roles.values()),
        "rule": rule,
        "keras": keras,
        "int8": {
            "constants_by_role": roles,
            "other_constants": others(int8["constants"]),
            "shared_buffers": shared(int8["constants"]),
            "merged_tensors": merged_tensors(int8["constants"]),
            "weight_quantization_by_op": weight_granularity(int8),
            "bias_quantization": {"scales": roles["bias"]["scales"], "zero_points": roles["bias"]["zero_points"]},
            "activation_quantization": int8["activations"],
            "min_max_values": int8["min_max_values"],
            "file_parts": file_parts(int8),
            "metadata_buffers": int8["metadata"],
            "op_types": int8["op_types"],
            "batch_norm": batch_norm_check(keras, int8),
        },
        "float32": {
            "constants_by_role": f_roles,
            "other_constants": others(float32["constants"]),
            "shared_buffers": shared(float32["constants"]),
            "merged_tensors": merged_tensors(float32["constants"]),
            "op_types": float32["op_types"],
            "batch_norm": batch_norm_check(keras, float32),
            "file_bytes": float32["file_bytes"],
        },
    }
    if variant:
        randomize_statistics(tf, model)
        keras = keras_summary(tf, model)
        int8 = inspect(tf, convert(tf, model, name, resolution, int8=True))
        float32 = inspect(tf, convert(tf, model, name, resolution, int8=False))
        rule = {"int8": rule_check(keras, int8, 1, 4), "float32": rule_check(keras, float32, 4, 4)}
        for what, check in rule.items():
            if not check["holds"]:
                raise RuntimeError("%s %s %s, random statistics: the rule does not hold: %s"
                                   % (name, alpha, what, check))
        record["random_statistics"] = {"rule": rule, "int8": compact(int8), "float32": compact(float32)}
    return record


def main():
    p = harness_cli.parser(__doc__.splitlines()[0], list(APPS))
    p.add_argument("-o", "--output", default=None,
                   help="write the JSON document here (default: standard output)")
    p.add_argument("--no-variant", action="store_true",
                   help="skip the random_statistics conversions (half the time)")
    args = p.parse_args()
    runs = harness_cli.builds(args, GRID)

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    records = []
    for name, alpha, resolution in runs:
        record = measure(tf, name, alpha, resolution, variant=not args.no_variant)
        print(json.dumps({k: v for k, v in record.items() if not isinstance(v, dict)}), file=sys.stderr, flush=True)
        records.append(record)
    document = {
        "about": "Constant bytes of the Keras MobileNets converted by TensorFlow Lite, int8 (full-integer "
                 "post-training quantization) and float32 (tests/harness/tflite_weights.py). Nothing in "
                 "mbcalc reads this file.",
        "measured_with": versions(),
        "method": METHOD,
        "rule": RULE,
        "notes": NOTES,
        "records": records,
    }
    text = json.dumps(document, indent=1) + "\n"
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
