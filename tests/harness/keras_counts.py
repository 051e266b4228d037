"""Mult-Adds and parameters of keras.applications' MobileNets.

Prints [profile, model, alpha, resolution, macs, params] records ("keras" profile), one JSON
array a line. Each model is keras.applications.<App>(input_shape=(R, R, 3), alpha=alpha,
weights=None, include_top=True, classes=1000) (the *-minimalistic ones MobileNetV3Large/Small
with minimalistic=True), built with the torch backend unless
KERAS_BACKEND says otherwise. params = model.count_params() (batch-norm moving statistics
included); macs = the Conv2D, DepthwiseConv2D and Dense multiply-accumulates, from each
layer's own input and output shapes:

  Conv2D:          out_h * out_w * out_c * (in_c / groups) * k_h * k_w
  DepthwiseConv2D: out_h * out_w * out_c * k_h * k_w   (out_c = in_c * depth_multiplier)
  Dense:           in_features * out_features (per output row)

  python tests/harness/keras_counts.py                             # the committed grid
  python tests/harness/keras_counts.py --models v1 --alphas 0.75 --resolutions 225
"""

import math
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

ALPHAS = [0.25, 0.35, 0.5, 0.75, 1.0, 1.25, 1.3, 1.4, 2.0]
RESOLUTIONS = [224, 192, 160, 128, 96, 225, 97, 161, 331, 32]

APPS = {
    "v1": "MobileNet",
    "v2": "MobileNetV2",
    "v3-large": "MobileNetV3Large",
    "v3-small": "MobileNetV3Small",
    "v3-large-minimalistic": "MobileNetV3Large",
    "v3-small-minimalistic": "MobileNetV3Small",
}
# record name -> extra keyword arguments of its application
APP_KWARGS = {"v3-large-minimalistic": {"minimalistic": True},
              "v3-small-minimalistic": {"minimalistic": True}}
MINIMAL_ALPHAS = [0.75, 1.0]
MINIMAL_RESOLUTIONS = [224, 192, 160, 97]
GRID = {name: harness_cli.cross(ALPHAS, RESOLUTIONS) for name in APPS if name not in APP_KWARGS}
GRID.update((name, harness_cli.cross(MINIMAL_ALPHAS, MINIMAL_RESOLUTIONS)) for name in APP_KWARGS)


def _spatial(shape, channels_last):
    """(h, w, c) of a 4-D (batch, ...) shape."""
    if channels_last:
        _, h, w, c = shape
    else:
        _, c, h, w = shape
    return h, w, c


def count(keras, model):
    channels_last = keras.config.image_data_format() == "channels_last"
    macs = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.DepthwiseConv2D):
            h, w, c_out = _spatial(layer.output.shape, channels_last)
            k_h, k_w = layer.kernel_size
            macs += h * w * c_out * k_h * k_w
        elif isinstance(layer, keras.layers.Conv2D):
            h, w, c_out = _spatial(layer.output.shape, channels_last)
            _, _, c_in = _spatial(layer.input.shape, channels_last)
            k_h, k_w = layer.kernel_size
            macs += h * w * c_out * (c_in // layer.groups) * k_h * k_w
        elif isinstance(layer, keras.layers.Dense):
            rows = math.prod(layer.output.shape[1:-1])
            macs += rows * layer.input.shape[-1] * layer.units
    return int(macs), int(model.count_params())


def main():
    args = harness_cli.parser(__doc__.splitlines()[0], list(APPS)).parse_args()
    runs = harness_cli.builds(args, GRID)
    import keras

    for name, alpha, resolution in runs:
        keras.backend.clear_session()
        app = getattr(keras.applications, APPS[name])
        model = app(input_shape=(resolution, resolution, 3), alpha=alpha, weights=None,
                    include_top=True, classes=1000, **APP_KWARGS.get(name, {}))
        macs, params = count(keras, model)
        harness_cli.emit("keras", name, alpha, resolution, macs, params)


if __name__ == "__main__":
    main()
