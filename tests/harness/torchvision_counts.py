"""Mult-Adds and parameters of torchvision's MobileNets and peer networks.

Prints [profile, model, alpha, resolution, macs, params] records ("torchvision" profile), one
JSON array a line. Models are built with weights=None and 1000 classes, counted by
torch_macs.count (conv and linear forward hooks on a 1x3xRxR input, eval mode, no_grad).

  python tests/harness/torchvision_counts.py                       # the committed grid
  python tests/harness/torchvision_counts.py --models v2 --alphas 1.0 --resolutions 224
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

ALPHAS = [0.25, 0.35, 0.5, 0.75, 1.0, 1.25, 1.3, 1.4, 2.0]
RESOLUTIONS = [224, 192, 160, 128, 96, 225, 97, 331, 32]
PEER_RESOLUTIONS = [224, 225, 160]

# record name -> (torchvision builder, keyword arguments, takes width_mult)
MODELS = {
    "v2": ("mobilenet_v2", {}, True),
    "v3-large": ("mobilenet_v3_large", {}, True),
    "v3-small": ("mobilenet_v3_small", {}, True),
    "alexnet": ("alexnet", {}, False),
    "vgg16": ("vgg16", {}, False),
    "googlenet": ("googlenet", {"aux_logits": False, "init_weights": False}, False),
    "squeezenet1_0": ("squeezenet1_0", {}, False),
    "squeezenet1_1": ("squeezenet1_1", {}, False),
    "shufflenet-v2": ("shufflenet_v2_x1_0", {}, False),
    "efficientnet-b0": ("efficientnet_b0", {}, False),
}

GRID = {
    name: harness_cli.cross(ALPHAS, RESOLUTIONS) if scalable else harness_cli.cross([1.0], PEER_RESOLUTIONS)
    for name, (_, _, scalable) in MODELS.items()
}


def build(torchvision, name, alpha):
    builder, kwargs, scalable = MODELS[name]
    kwargs = dict(kwargs, weights=None, num_classes=1000)
    if scalable:
        kwargs["width_mult"] = alpha
    return getattr(torchvision.models, builder)(**kwargs)


def main():
    args = harness_cli.parser(__doc__.splitlines()[0], list(MODELS)).parse_args()
    runs = harness_cli.builds(args, GRID)
    for name, alpha, _ in runs:
        if not MODELS[name][2] and alpha != 1.0:
            sys.exit("%s has no width multiplier (alpha must be 1.0)" % name)
    import torch_macs

    torchvision = torch_macs.import_torchvision()
    for name, alpha, resolution in runs:
        model = build(torchvision, name, alpha)
        macs, params = torch_macs.count(model, resolution)
        harness_cli.emit("torchvision", name, alpha, resolution, macs, params)


if __name__ == "__main__":
    main()
