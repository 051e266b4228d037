"""Measure torchvision's SSDLite on MobileNetV3-Large and SSD300 on VGG-16: parameters and conv
Mult-Adds.

    python tests/harness/detection_counts.py > tests/data/detection.json

Needs CPU torch and torchvision (pip install torch==2.13.0 torchvision). The model is built with
weights=None and weights_backbone=None (no download; torchvision then builds the backbone with its
reduced tail; SSD300 its VGG-16), 91 classes (COCO). Its forward pass ends in box decoding and NMS, which need
torchvision's compiled operators, so the backbone and the head are run by hand on a 1x3x320x320
input (the model's own size, 320 or 300, its transform skipped): conv and linear Mult-Adds by forward hooks
(torch_macs's rule), for the backbone (feature extractor and extra layers) and the head apart.
Parameters: sum(p.numel() for p in model.parameters()).
"""

import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_macs import import_torchvision  # noqa: E402

torchvision = import_torchvision()


def macs_of(module, run):
    """Conv and linear Mult-Adds of the calls `run()` makes into `module`'s layers."""
    macs = 0

    def conv_hook(m, inputs, output):
        nonlocal macs
        _, out_c, out_h, out_w = output.shape
        k_h, k_w = m.kernel_size
        macs += out_h * out_w * out_c * (m.in_channels // m.groups) * k_h * k_w

    def linear_hook(m, inputs, output):
        nonlocal macs
        macs += output.numel() // m.out_features * m.in_features * m.out_features

    handles = [
        m.register_forward_hook(conv_hook if isinstance(m, nn.Conv2d) else linear_hook)
        for m in module.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    try:
        with torch.no_grad():
            result = run()
    finally:
        for h in handles:
            h.remove()
    return int(macs), result


def measure(model_name: str, builder_name: str, size: int) -> dict:
    builder = getattr(torchvision.models.detection, builder_name)
    model = builder(weights=None, weights_backbone=None, num_classes=91).eval()
    image = torch.zeros(1, 3, size, size)
    backbone_macs, features = macs_of(model.backbone, lambda: model.backbone(image))
    head_macs, _ = macs_of(model.head, lambda: model.head(list(features.values())))
    return {
        "model": model_name,
        "torchvision": f"{builder_name}(weights=None, weights_backbone=None, num_classes=91)",
        "height": size,
        "width": size,
        "params": sum(p.numel() for p in model.parameters()),
        "backbone_params": sum(p.numel() for p in model.backbone.parameters()),
        "head_params": sum(p.numel() for p in model.head.parameters()),
        "backbone_macs": backbone_macs,
        "head_macs": head_macs,
        "macs": backbone_macs + head_macs,
        "feature_maps": [list(f.shape[1:]) for f in features.values()],
    }


def main() -> None:
    records = [
        measure("ssdlite320-v3-large", "ssdlite320_mobilenet_v3_large", 320),
        measure("ssd300", "ssd300_vgg16", 300),
    ]
    json.dump(
        {"measured_with": f"torch {torch.__version__}, torchvision {torchvision.__version__}", "builds": records},
        sys.stdout,
        indent=1,
    )
    print()


if __name__ == "__main__":
    main()
