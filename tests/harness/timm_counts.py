"""Mult-Adds and parameters of timm's MnasNet-A1, MobileNetV4-Conv-Small/-Medium/-Large, -Hybrid-Medium and minimal V3s.

MobileNetV4-Conv-Small has three widths in timm: alpha 0.35, 0.5 and 1.0
(mobilenetv4_conv_small_035, _050 and mobilenetv4_conv_small); the committed grid runs 1.0 only,
the others by --alphas, e.g. --models mobilenetv4-conv-small --alphas 0.35,0.5,1.0.

Prints [profile, model, alpha, resolution, macs, params] records, one JSON array a line, under
the "torchvision" profile (the PyTorch counting convention: parameters() and conv/linear
forward hooks, see torch_macs.py), the minimalistic MobileNetV3s (tf_mobilenetv3_*_minimal_100,
TF "same" padding) included: at alpha 1.0 every profile builds them alike. Models are
timm.create_model(<name>, pretrained=False, num_classes=1000); no weights are downloaded.

  python tests/harness/timm_counts.py                              # the committed grid
  python tests/harness/timm_counts.py --models mnasnet-a1 --alphas 1.4 --resolutions 192
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

RESOLUTIONS = [224, 192, 160, 128, 96, 225, 97]

# record name -> {alpha: timm model name}
MODELS = {
    "mnasnet-a1": {0.5: "semnasnet_050", 0.75: "semnasnet_075", 1.0: "semnasnet_100",
                   1.4: "semnasnet_140"},
    "mobilenetv4-conv-small": {0.35: "mobilenetv4_conv_small_035", 0.5: "mobilenetv4_conv_small_050",
                               1.0: "mobilenetv4_conv_small"},
    "mobilenetv4-conv-medium": {1.0: "mobilenetv4_conv_medium"},
    "mobilenetv4-conv-large": {1.0: "mobilenetv4_conv_large"},
    "mobilenetv4-hybrid-medium": {0.75: "mobilenetv4_hybrid_medium_075", 1.0: "mobilenetv4_hybrid_medium"},
    "v3-large-minimalistic": {1.0: "tf_mobilenetv3_large_minimal_100"},
    "v3-small-minimalistic": {1.0: "tf_mobilenetv3_small_minimal_100"},
}
# record name -> profile, where not "torchvision" (none now: kept for a model counted another way)
PROFILES: dict[str, str] = {}
MINIMAL_RESOLUTIONS = [224, 192, 160, 97]
GRID = {
    "mnasnet-a1": harness_cli.cross([1.0], RESOLUTIONS) + harness_cli.cross([0.5, 0.75, 1.4], [224, 192, 225, 97]),
    "mobilenetv4-conv-small": harness_cli.cross([1.0], RESOLUTIONS) + harness_cli.cross([0.35, 0.5], MINIMAL_RESOLUTIONS),
    "mobilenetv4-conv-medium": harness_cli.cross([1.0], [224, 256, 225, 97]),
    "mobilenetv4-conv-large": harness_cli.cross([1.0], [224, 384, 225, 97]),
    "mobilenetv4-hybrid-medium": harness_cli.cross([0.75, 1.0], [224, 256, 225, 97]),
    "v3-large-minimalistic": harness_cli.cross([1.0], MINIMAL_RESOLUTIONS),
    "v3-small-minimalistic": harness_cli.cross([1.0], MINIMAL_RESOLUTIONS),
}


def main():
    args = harness_cli.parser(__doc__.splitlines()[0], list(MODELS)).parse_args()
    runs = harness_cli.builds(args, GRID)
    import torch_macs

    for name, alpha, _ in runs:
        if alpha not in MODELS[name]:
            sys.exit("%s: timm has no model for alpha %g (known: %s)"
                     % (name, alpha, ", ".join("%g" % a for a in MODELS[name])))
    torch_macs.import_torchvision()  # timm imports torchvision; tolerate its compiled ops missing
    import timm

    for name, alpha, resolution in runs:
        model = timm.create_model(MODELS[name][alpha], pretrained=False, num_classes=1000)
        macs, params = torch_macs.count(model, resolution)
        harness_cli.emit(PROFILES.get(name, "torchvision"), name, alpha, resolution, macs, params)


if __name__ == "__main__":
    main()
