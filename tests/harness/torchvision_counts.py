"""Mult-Adds and parameters of torchvision's MobileNets and peer networks.

Prints [profile, model, alpha, resolution, macs, params] records ("torchvision" profile), one
JSON array a line. Models are built with weights=None and 1000 classes, counted by
torch_macs.count (conv and linear forward hooks on a 1x3xRxR input, eval mode, no_grad).
ShuffleNet V2's widths are separate builders (shufflenet_v2_x0_5 ... x2_0), recorded as
shufflenet-v2 at alpha 0.5 ... 2.0; EfficientNet B1..B7 run at their native resolution and
at 224 and 225.

  python tests/harness/torchvision_counts.py                       # the committed grid
  python tests/harness/torchvision_counts.py --models v2 --alphas 1.0 --resolutions 224
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

ALPHAS = [0.25, 0.35, 0.5, 0.75, 1.0, 1.25, 1.3, 1.4, 2.0]
RESOLUTIONS = [224, 192, 160, 128, 96, 225, 97, 161, 331, 32]
PEER_RESOLUTIONS = [224, 225, 160]

# ShuffleNet V2 widths: alpha -> builder (each width is its own builder, no width_mult)
SHUFFLENET_WIDTHS = {0.5: "shufflenet_v2_x0_5", 1.0: "shufflenet_v2_x1_0",
                     1.5: "shufflenet_v2_x1_5", 2.0: "shufflenet_v2_x2_0"}
SHUFFLENET_RESOLUTIONS = [224, 225, 192, 160, 97, 331]
# EfficientNet B0..B7 at their native resolutions (B0's committed peer grid is unchanged)
EFFICIENTNET_NATIVE = {"b0": 224, "b1": 240, "b2": 260, "b3": 300, "b4": 380, "b5": 456,
                       "b6": 528, "b7": 600}

# record name -> (torchvision builder, or {alpha: builder}, keyword arguments, takes width_mult)
MODELS = {
    "v2": ("mobilenet_v2", {}, True),
    "v3-large": ("mobilenet_v3_large", {}, True),
    "v3-small": ("mobilenet_v3_small", {}, True),
    "alexnet": ("alexnet", {}, False),
    "vgg16": ("vgg16", {}, False),
    "googlenet": ("googlenet", {"aux_logits": False, "init_weights": False}, False),
    "squeezenet1_0": ("squeezenet1_0", {}, False),
    "squeezenet1_1": ("squeezenet1_1", {}, False),
    "shufflenet-v2": (SHUFFLENET_WIDTHS, {}, False),
    "efficientnet-b0": ("efficientnet_b0", {}, False),
}
MODELS.update(("efficientnet-" + b, ("efficientnet_" + b, {}, False))
              for b in EFFICIENTNET_NATIVE if b != "b0")

GRID = {
    name: harness_cli.cross(ALPHAS, RESOLUTIONS) if scalable else harness_cli.cross([1.0], PEER_RESOLUTIONS)
    for name, (_, _, scalable) in MODELS.items()
}
GRID["shufflenet-v2"] = harness_cli.cross(list(SHUFFLENET_WIDTHS), SHUFFLENET_RESOLUTIONS)
for b, native in EFFICIENTNET_NATIVE.items():
    if b != "b0":
        GRID["efficientnet-" + b] = harness_cli.cross([1.0], list(dict.fromkeys([native, 224, 225])))


def build(torchvision, name, alpha):
    builder, kwargs, scalable = MODELS[name]
    if isinstance(builder, dict):
        builder = builder[alpha]
    kwargs = dict(kwargs, weights=None, num_classes=1000)
    if scalable:
        kwargs["width_mult"] = alpha
    return getattr(torchvision.models, builder)(**kwargs)


def main():
    args = harness_cli.parser(__doc__.splitlines()[0], list(MODELS)).parse_args()
    runs = harness_cli.builds(args, GRID)
    for name, alpha, _ in runs:
        builder, _, scalable = MODELS[name]
        if isinstance(builder, dict):
            if alpha not in builder:
                sys.exit("%s: torchvision has no builder for alpha %g (known: %s)"
                         % (name, alpha, ", ".join("%g" % a for a in builder)))
        elif not scalable and alpha != 1.0:
            sys.exit("%s has no width multiplier (alpha must be 1.0)" % name)
    import torch_macs

    torchvision = torch_macs.import_torchvision()
    for name, alpha, resolution in runs:
        model = build(torchvision, name, alpha)
        macs, params = torch_macs.count(model, resolution)
        harness_cli.emit("torchvision", name, alpha, resolution, macs, params)


if __name__ == "__main__":
    main()
