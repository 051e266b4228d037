"""Measure torchvision's feature extractors (`model.features`): parameters and conv Mult-Adds.

    python tests/harness/backbone_counts.py > tests/data/backbones.json

Needs CPU torch and torchvision (pip install torch==2.13.0 torchvision==0.29.2). Mult-Adds and
parameters are torch_macs.count's (conv and linear layers, forward hooks) on `model.features` at
224x224, as for the whole classifiers in torchvision_counts.py.
"""

import os
import sys


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_macs import count, import_torchvision, write_builds  # noqa: E402

torchvision = import_torchvision()

MODELS = {  # mbcalc model -> torchvision builder
    "alexnet": "alexnet",
    "vgg16": "vgg16",
    "squeezenet1_0": "squeezenet1_0",
    "squeezenet1_1": "squeezenet1_1",
    "v2": "mobilenet_v2",
    "v3-large": "mobilenet_v3_large",
    "v3-small": "mobilenet_v3_small",
    "efficientnet-b0": "efficientnet_b0",
}


def main() -> None:
    records = []
    for name, builder in MODELS.items():
        features = getattr(torchvision.models, builder)(weights=None).eval().features
        macs, params = count(features, 224)
        records.append(
            {"model": name, "torchvision": builder + ".features", "resolution": 224, "macs": macs, "params": params}
        )
    write_builds(records)


if __name__ == "__main__":
    main()
