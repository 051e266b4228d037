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

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_macs import import_torchvision, macs_of, write_builds  # noqa: E402

torchvision = import_torchvision()


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
    write_builds(records)


if __name__ == "__main__":
    main()
