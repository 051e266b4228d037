"""Mult-Adds and parameters of the TF-Slim MobileNets (tensorflow/models research/slim).

Prints [profile, model, alpha, resolution, macs, params] records ("tf-slim" profile), one JSON
array a line, as the "tf-slim" header of tests/data/implementations.json describes them:

  v1        nets/mobilenet_v1.py mobilenet_v1(num_classes=1001, depth_multiplier=alpha),
            under mobilenet_v1_arg_scope(is_training=False)
  v2        nets/mobilenet/mobilenet_v2.py mobilenet(num_classes=1001, depth_multiplier=alpha,
            finegrain_classification_mode=True), under training_scope(is_training=False)
  v3-large  nets/mobilenet/mobilenet_v3.py large(...) and small(...), likewise, with
  v3-small  finegrain_classification_mode=True as released

finegrain_classification_mode keeps the last 1x1 convolution at full width when alpha < 1, as
the released checkpoints (and slim's mobilenet_v2_035/_050 wrappers) do. Each network is built
in a fresh graph on a [1, R, R, 3] input.

  macs    from the graph's Conv2D (convolutions, squeeze-excite and the logits 1x1 conv),
          DepthwiseConv2dNative and MatMul ops, with their static shapes:
          out_h * out_w * k_h * k_w * filter_in * filter_out (MatMul: m * k * n)
  params  the variables the checkpoint tables count, by the last part of their name:
          v1: weights, depthwise_weights, biases, beta, moving_mean, moving_variance;
          v2, v3: weights, depthwise_weights, biases (no batch-norm variables)

The slim code is not part of this project; pass a tensorflow/models checkout (or its
research/slim folder) with --tf-models or TF_MODELS_DIR. Files still written for tf.contrib
(the versions the committed records were measured with) are ported to tf_slim as they are
loaded: `import tensorflow as tf` becomes tensorflow.compat.v1, tf.contrib.slim/layers/framework
become tf_slim, np.int(...) becomes int(...). Files already ported are loaded unchanged.

  python tests/harness/tfslim_counts.py --tf-models PATH           # the committed grid
  python tests/harness/tfslim_counts.py --tf-models PATH --models v1 --alphas 0.5 --resolutions 160
"""

import os
import re
import sys
import types
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

NUM_CLASSES = 1001

GRID = {
    "v1": harness_cli.cross([1.0, 0.75, 0.5, 0.25], [224, 192, 160, 128]),
    "v2": harness_cli.cross([1.4, 1.3], [224])
          + harness_cli.cross([1.0, 0.75, 0.5, 0.35], [224, 192, 160, 128, 96]),
    "v3-large": harness_cli.cross([1.25, 1.0, 0.75, 0.5, 0.35], [224])
                + harness_cli.cross([1.0], [256, 192, 160, 128, 96]),
    "v3-small": harness_cli.cross([1.25, 1.0, 0.75, 0.5, 0.35], [224])
                + harness_cli.cross([1.0], [256, 160, 128, 96]),
}

COUNTED = {
    "v1": {"weights", "depthwise_weights", "biases", "beta", "moving_mean", "moving_variance"},
    "v2": {"weights", "depthwise_weights", "biases"},
    "v3-large": {"weights", "depthwise_weights", "biases"},
    "v3-small": {"weights", "depthwise_weights", "biases"},
}

# tf.contrib -> tf_slim, applied line by line (re.M) to files that still use tf.contrib.
PORT = [
    (r"^import tensorflow as tf$", "import tensorflow.compat.v1 as tf\nimport tf_slim"),
    (r"^from tensorflow\.contrib import slim as contrib_slim$", "import tf_slim as contrib_slim"),
    (r"^from tensorflow\.contrib import layers as contrib_layers$",
     "import tf_slim as contrib_layers"),
    (r"^slim = tf\.contrib\.slim$", "slim = tf_slim"),
    (r"\btf\.contrib\.(slim|layers|framework)\.", "tf_slim."),
    (r"\bnp\.int\(", "int("),
]

# module name, path under research/slim, in import order
MODULES = [
    ("nets.mobilenet.conv_blocks", "nets/mobilenet/conv_blocks.py"),
    ("nets.mobilenet.mobilenet", "nets/mobilenet/mobilenet.py"),
    ("nets.mobilenet.mobilenet_v2", "nets/mobilenet/mobilenet_v2.py"),
    ("nets.mobilenet.mobilenet_v3", "nets/mobilenet/mobilenet_v3.py"),
    ("nets.mobilenet_v1", "nets/mobilenet_v1.py"),
]


def port(source):
    if "tf.contrib" not in source and "tensorflow.contrib" not in source:
        return re.sub(r"\bnp\.int\(", "int(", source)
    for pattern, replacement in PORT:
        source = re.sub(pattern, replacement, source, flags=re.M)
    return source


def load_nets(root):
    """Import the five slim modules from root (a tensorflow/models checkout or research/slim)."""
    root = Path(root)
    slim_dir = root / "research" / "slim" if (root / "research" / "slim").is_dir() else root
    if not (slim_dir / "nets" / "mobilenet_v1.py").is_file():
        sys.exit("no nets/mobilenet_v1.py under %s: pass a tensorflow/models checkout" % root)
    for name, folder in (("nets", "nets"), ("nets.mobilenet", "nets/mobilenet")):
        package = types.ModuleType(name)
        package.__path__ = [str(slim_dir / folder)]
        sys.modules[name] = package
    sys.modules["nets"].mobilenet = sys.modules["nets.mobilenet"]
    for name, rel in MODULES:
        path = slim_dir / rel
        module = types.ModuleType(name)
        module.__file__ = str(path)
        sys.modules[name] = module
        exec(compile(port(path.read_text()), str(path), "exec"), module.__dict__)
        parent, _, leaf = name.rpartition(".")
        setattr(sys.modules[parent], leaf, module)
    return sys.modules


def alias_tf_keras_layers():
    """Let slim.batch_norm find its layer under TensorFlow 2.15.

    TF 2.15's tf.layers batch normalization (which slim.batch_norm builds on) imports
    tf_keras.legacy_tf_layers.normalization, but tf_keras 2.15 ships that module as
    tf_keras.src.legacy_tf_layers.normalization; register it under the expected name.
    """
    import importlib
    try:
        importlib.import_module("tf_keras.legacy_tf_layers.normalization")
    except ImportError:
        for name in ("legacy_tf_layers", "legacy_tf_layers.normalization"):
            sys.modules["tf_keras." + name] = importlib.import_module("tf_keras.src." + name)


def build(tf, slim, modules, model, alpha, resolution):
    images = tf.placeholder(tf.float32, [1, resolution, resolution, 3])
    if model == "v1":
        v1 = modules["nets.mobilenet_v1"]
        with slim.arg_scope(v1.mobilenet_v1_arg_scope(is_training=False)):
            v1.mobilenet_v1(images, num_classes=NUM_CLASSES, depth_multiplier=alpha,
                            is_training=False)
    elif model == "v2":
        v2 = modules["nets.mobilenet.mobilenet_v2"]
        with slim.arg_scope(v2.training_scope(is_training=False)):
            v2.mobilenet(images, num_classes=NUM_CLASSES, depth_multiplier=alpha,
                         finegrain_classification_mode=True)
    else:
        v3 = modules["nets.mobilenet.mobilenet_v3"]
        net = v3.large if model == "v3-large" else v3.small
        with slim.arg_scope(v3.training_scope(is_training=False)):
            net(images, num_classes=NUM_CLASSES, depth_multiplier=alpha,
                finegrain_classification_mode=True)


def graph_macs(graph):
    macs = 0
    for op in graph.get_operations():
        if op.type in ("Conv2D", "DepthwiseConv2dNative"):
            _, out_h, out_w, _ = op.outputs[0].shape.as_list()  # NHWC
            k_h, k_w, f_in, f_out = op.inputs[1].shape.as_list()  # depthwise: f_out = multiplier
            macs += out_h * out_w * k_h * k_w * f_in * f_out
        elif op.type == "MatMul":
            m, k = op.inputs[0].shape.as_list()
            n = op.outputs[0].shape.as_list()[1]
            macs += m * k * n
    return macs


def main():
    p = harness_cli.parser(__doc__.splitlines()[0], list(GRID))
    p.add_argument("--tf-models", default=os.environ.get("TF_MODELS_DIR"),
                   help="tensorflow/models checkout, or its research/slim (default: $TF_MODELS_DIR)")
    args = p.parse_args()
    if not args.tf_models:
        p.error("give --tf-models PATH or set TF_MODELS_DIR")
    runs = harness_cli.builds(args, GRID)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow.compat.v1 as tf
    import tf_slim as slim

    alias_tf_keras_layers()
    modules = load_nets(args.tf_models)
    for model, alpha, resolution in runs:
        with tf.Graph().as_default() as graph:
            build(tf, slim, modules, model, alpha, resolution)
            params = sum(v.shape.num_elements() for v in tf.global_variables()
                         if v.op.name.rsplit("/", 1)[-1] in COUNTED[model])
            harness_cli.emit("tf-slim", model, alpha, resolution, graph_macs(graph), params)


if __name__ == "__main__":
    main()
