"""Total float operations of the Keras MobileNets, as the TensorFlow profiler counts them.

Writes tests/data/tf_profiler.json: a header (versions, method, the derived rule, notes) and one record per build,
{model, alpha, resolution, total_float_ops, params, float_ops_by_op_type}. Run it with
TensorFlow 2.15 (tensorflow-cpu 2.15.1, whose tf.keras is the keras 2.15 package):

  python tests/harness/tf_profiler_counts.py -o tests/data/tf_profiler.json   # the committed grid
  python tests/harness/tf_profiler_counts.py --models v2 --alphas 1.0 --resolutions 224
  python tests/harness/tf_profiler_counts.py --keras tf_keras                 # the tf_keras package

Without -o the document goes to standard output. How each build is counted (the recipe most
often quoted for "FLOPs of a Keras model"):

  1. model = tf.keras.applications.<App>(input_shape=(R, R, 3), alpha=alpha, weights=None,
     include_top=True, classes=1000), App one of MobileNet (v1), MobileNetV2 (v2),
     MobileNetV3Large (v3-large), MobileNetV3Small (v3-small), all other arguments default
     (MobileNetV3: include_preprocessing=True, minimalistic=False);
  2. concrete = tf.function(lambda x: model(x)).get_concrete_function(
     tf.TensorSpec([1, R, R, 3], tf.float32)), batch 1, every shape static;
  3. frozen = convert_variables_to_constants_v2(concrete) (variables become constants; batch
     normalization is NOT folded: the FusedBatchNormV3 ops stay in the graph);
  4. its GraphDef is imported into a fresh tf.Graph, and
     tf.compat.v1.profiler.profile(graph, run_meta=RunMetadata(), cmd="op",
     options=ProfileOptionBuilder.float_operation()) gives total_float_ops (the "op" view's
     per-type float_ops are float_ops_by_op_type; they sum to the total).

The profiler adds the "flops" statistic TensorFlow registers for each op type
(tensorflow/python/ops/nn_ops.py, tensorflow/python/profiler/internal/flops_registry.py); an op
type with no registration (FusedBatchNormV3, Relu, Relu6, Pad, Reshape, Identity, ...) counts 0:

  Conv2D                 2 * out_h * out_w * out_c * k_h * k_w * in_c
  DepthwiseConv2dNative  2 * out_h * out_w * out_c * k_h * k_w
  MatMul                 2 * k * (elements of the output)
  BiasAdd, Add/AddV2, Mul, Sub   one per output element
  Mean                   one per input element
  Softmax                five per element

params = model.count_params() (batch-norm moving statistics included). No weights are
downloaded. A build that keras.applications refuses is recorded with an "error" instead of
counts.
"""

import json
import os
import platform
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

APPS = {
    "v1": "MobileNet",
    "v2": "MobileNetV2",
    "v3-large": "MobileNetV3Large",
    "v3-small": "MobileNetV3Small",
}
GRID = {
    "v1": harness_cli.cross([1.0, 0.5], [224, 160, 97, 225]),
    "v2": harness_cli.cross([1.0, 0.5, 1.4], [224, 160, 97, 225]),
    "v3-large": harness_cli.cross([1.0, 0.75], [224, 160, 97]),
    "v3-small": harness_cli.cross([1.0, 0.75], [224, 160, 97]),
}

METHOD = (
    "model = tf.keras.applications.<App>(input_shape=(R, R, 3), alpha=alpha, weights=None, "
    "include_top=True, classes=1000), other arguments default; "
    "concrete = tf.function(lambda x: model(x)).get_concrete_function("
    "tf.TensorSpec([1, R, R, 3], tf.float32)); "
    "graph = convert_variables_to_constants_v2(concrete).graph.as_graph_def() imported into a "
    "fresh tf.Graph (batch norm not folded); "
    "total_float_ops = tf.compat.v1.profiler.profile(graph, run_meta=RunMetadata(), cmd='op', "
    "options=ProfileOptionBuilder.float_operation()).total_float_ops; "
    "float_ops_by_op_type = that op view's per-type float_ops; params = model.count_params()"
)


# The total as a sum of line items computable from layer shapes (reproduces every record
# exactly, and each op type's share; checked by rebuilding the models and summing over layers).
RULE = [
    ["Conv2D, DepthwiseConv2D, Dense Mult-Adds", "2 each (ops Conv2D, DepthwiseConv2dNative, MatMul)"],
    ["bias of a Conv2D or Dense with use_bias (V1 logits, V2 Dense, V3 squeeze-excite convs, "
     "last 1x1 conv and logits)", "1 per output element (BiasAdd)"],
    ["batch normalization (FusedBatchNormV3, not folded by freezing)", "0"],
    ["ReLU, ReLU6 (Relu, Relu6)", "0"],
    ["residual Add", "1 per element (AddV2)"],
    ["global average pooling, head and squeeze-excite squeeze", "1 per input element (Mean)"],
    ["squeeze-excite scale Multiply", "1 per element (Mul)"],
    ["squeeze-excite gate hard_sigmoid = ReLU6(x + 3) * 1/6", "2 per element (AddV2, Mul)"],
    ["hard_swish = x * ReLU6(x + 3) * 1/6", "3 per element (AddV2, Mul, Mul)"],
    ["V3 input Rescaling x * 1/127.5 - 1 (include_preprocessing=True)", "2 per input element (Mul, AddV2)"],
    ["softmax", "5 per class (Softmax)"],
    ["ZeroPadding2D, Dropout, Reshape, Flatten", "0 (Pad, Identity, Reshape)"],
]

NOTES = (
    "Every build was accepted: with weights=None keras.applications only asks for an input of at "
    "least 32x32 (MobileNet restricts sizes to 128, 160, 192, 224 and alpha to 0.25, 0.5, 0.75, "
    "1.0, MobileNetV2 sizes to 96 ... 224 and its alphas, only with weights='imagenet'). "
    "tf.keras (keras 2.15.0) and tf_keras 2.15.1 give identical records."
)


def _keras(which):
    """The Keras module whose applications are built: tf.keras or the tf_keras package."""
    if which == "tf_keras":
        import tf_keras

        return tf_keras
    import tensorflow as tf

    return tf.keras


def versions(which):
    """Python, TensorFlow and Keras versions (tf.keras under TF 2.15 is the keras package)."""
    from importlib.metadata import version

    import tensorflow as tf

    package = "tf_keras" if which == "tf_keras" else "keras"
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": "%s (%s %s)" % (which, package, version(package)),
    }


def frozen_graph(tf, model, resolution):
    """The batch-1 inference graph of model, its variables frozen into constants."""
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    spec = tf.TensorSpec([1, resolution, resolution, 3], tf.float32)
    concrete = tf.function(lambda x: model(x)).get_concrete_function(spec)
    graph_def = convert_variables_to_constants_v2(concrete).graph.as_graph_def()
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    return graph


def profile(tf, graph):
    """(total_float_ops, {op type: float_ops}) of graph, by the profiler's "op" view."""
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    root = tf.compat.v1.profiler.profile(
        graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op", options=options
    )
    by_type = {}
    stack = list(root.children)
    while stack:  # the op view nests each type under the previous one
        node = stack.pop()
        if node.float_ops:
            by_type[node.name] = by_type.get(node.name, 0) + int(node.float_ops)
        stack.extend(node.children)
    total = int(root.total_float_ops)
    if sum(by_type.values()) != total:
        raise RuntimeError("per-type float_ops sum to %d, total is %d" % (sum(by_type.values()), total))
    return total, dict(sorted(by_type.items(), key=lambda kv: -kv[1]))


def measure(tf, keras, name, alpha, resolution):
    record = {"model": name, "alpha": float(alpha), "resolution": int(resolution)}
    keras.backend.clear_session()
    app = getattr(keras.applications, APPS[name])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = app(input_shape=(resolution, resolution, 3), alpha=alpha, weights=None,
                        include_top=True, classes=1000)
        except ValueError as exc:
            record["error"] = str(exc)
            return record
    total, by_type = profile(tf, frozen_graph(tf, model, resolution))
    record["total_float_ops"] = total
    record["params"] = int(model.count_params())
    record["float_ops_by_op_type"] = by_type
    notes = sorted({str(w.message) for w in caught if "keras" in (w.filename or "")})
    if notes:
        record["warnings"] = notes
    return record


def main():
    p = harness_cli.parser(__doc__.splitlines()[0], list(APPS))
    p.add_argument("--keras", choices=["tf.keras", "tf_keras"], default="tf.keras",
                   help="which Keras builds the applications (default tf.keras)")
    p.add_argument("-o", "--output", default=None,
                   help="write the JSON document here (default: standard output)")
    args = p.parse_args()
    runs = harness_cli.builds(args, GRID)

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    keras = _keras(args.keras)
    records = []
    for name, alpha, resolution in runs:
        record = measure(tf, keras, name, alpha, resolution)
        print(json.dumps({k: v for k, v in record.items() if k != "float_ops_by_op_type"}),
              file=sys.stderr, flush=True)
        records.append(record)
    document = {
        "about": "Total float operations of the Keras MobileNets as the TensorFlow profiler "
                 "counts them (tests/harness/tf_profiler_counts.py). Nothing in mbcalc reads "
                 "this file.",
        "measured_with": versions(args.keras),
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
