"""Measure torchvision's segmentation models on MobileNetV3-Large: parameters and conv Mult-Adds.

    python tests/harness/segmentation_counts.py > tests/data/segmentation.json

Needs CPU torch and torchvision (pip install torch==2.13.0 torchvision). The models are built with
weights=None and weights_backbone=None (no download), 21 classes, no auxiliary head. Mult-Adds
and parameters are torch_macs.count's (conv and linear layers, forward hooks; interpolation and
element-wise work not counted), for the whole model and for its backbone alone (`model.backbone`,
the dilated MobileNetV3-Large features up to the layers the head reads), at each input size.
"""

import os
import sys


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_macs import count, import_torchvision, write_builds  # noqa: E402

torchvision = import_torchvision()

MODELS = {  # mbcalc model -> torchvision builder
    "lraspp-v3-large": "lraspp_mobilenet_v3_large",
    "deeplabv3-v3-large": "deeplabv3_mobilenet_v3_large",
}
SIZES = [(520, 520), (512, 512), (1024, 2048)]


def main() -> None:
    records = []
    for name, builder in MODELS.items():
        build = getattr(torchvision.models.segmentation, builder)
        model = build(weights=None, weights_backbone=None, num_classes=21, aux_loss=False).eval()
        for height, width in SIZES:
            macs, params = count(model, (height, width))
            backbone_macs, backbone_params = count(model.backbone, (height, width))
            records.append(
                {
                    "model": name,
                    "torchvision": f"{builder}(weights=None, weights_backbone=None, num_classes=21, aux_loss=False)",
                    "height": height,
                    "width": width,
                    "macs": macs,
                    "params": params,
                    "backbone_macs": backbone_macs,
                    "backbone_params": backbone_params,
                }
            )
    write_builds(records)


if __name__ == "__main__":
    main()
