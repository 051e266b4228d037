"""What the PyTorch counting tools print for torchvision's and timm's MobileNets.

    python tests/harness/tool_counts.py > tests/data/counting_tools.json
    python tests/harness/tool_counts.py --models v2 --alphas 1.0 --resolutions 224

Prints one JSON document: a header (the versions measured and how each tool was called) and
one record per build, {model, source, alpha, resolution, <tool>: {...}}, with the integers each
tool returns. The builds are torchvision mobilenet_v2 (width_mult 0.5, 0.75, 1.0, 1.4),
mobilenet_v3_large and mobilenet_v3_small (width_mult 0.75, 1.0), timm mobilenetv1_100
(alpha 1.0), and a reference MobileNetV1 written here from the paper's Table 1 (alpha 1.0, 0.75,
0.5: int(alpha * channels); conv without bias, nn.BatchNorm2d, nn.ReLU; global average pool,
flatten, a Linear with bias, no softmax module), each at 224, 97, 161 and 225. A record's
`profile` is the mbcalc profile whose build it is (torchvision's and timm's: torchvision; the
reference: paper). Models are built with weights=None /
pretrained=False and put in eval mode; every tool gets its own deep copy of the model, since
several of them attach hooks, attributes or buffers that they do not all remove.

How each tool is called (x = torch.zeros(1, 3, R, R)):

  flopcounter   torch.utils.flop_counter.FlopCounterMode(display=False) around model(x)
                under torch.no_grad(); get_total_flops() -> flops
  ptflops       ptflops.get_model_complexity_info(model, (3, R, R), as_strings=False,
                print_per_layer_stat=False, backend='pytorch'), other arguments at their
                defaults -> (macs, params)
  ptflops-aten  the same with backend='aten' -> (macs, params)
  thop          thop.profile(model, inputs=(x,), verbose=False) -> (macs, params)
  fvcore        FlopCountAnalysis(model, x) with its unsupported-operator and
                uncalled-module warnings off, .total() -> flops;
                parameter_count(model)[''] -> params
  torchinfo     torchinfo.summary(model, input_size=(1, 3, R, R), verbose=0):
                .total_mult_adds -> macs, .total_params -> params

The tools' own names for what they count are kept as keys (flops or macs); the numbers are
recorded exactly as returned, as integers (thop returns floats that are whole numbers).

Needs CPU torch, torchvision and timm as for the other scripts (see README.md), and
pip install fvcore==0.1.5.post20221221 ptflops==0.7.5 ultralytics-thop==2.2.3 torchinfo==1.8.0.
The full grid (48 builds) takes about 7 minutes on 2 cores; progress goes to stderr.
"""

import copy
import importlib.metadata
import io
import json
import logging
import os
import sys
import warnings
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

RESOLUTIONS = [224, 97, 161, 225]
# record name -> (source library, builder name, the alphas measured)
MODELS = {
    "v2": ("torchvision", "mobilenet_v2", [0.5, 0.75, 1.0, 1.4]),
    "v3-large": ("torchvision", "mobilenet_v3_large", [0.75, 1.0]),
    "v3-small": ("torchvision", "mobilenet_v3_small", [0.75, 1.0]),
    "v1": ("timm", "mobilenetv1_100", [1.0]),
    "v1-reference": ("reference", "MobileNetV1, the paper's Table 1 in plain PyTorch", [1.0, 0.75, 0.5]),
}
# The V1 paper's Table 1: (depthwise stride, pointwise output channels) per separable block.
V1_BLOCKS = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + [(1, 512)] * 5 + [(2, 1024), (1, 1024)]


def reference_v1(alpha):
    """MobileNetV1 as its paper's Table 1 draws it, in plain PyTorch modules."""
    from torch import nn

    def conv_bn_relu(cin, cout, k, stride, groups=1):
        return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    width = int(32 * alpha)
    layers = conv_bn_relu(3, width, 3, 2)
    for stride, out in V1_BLOCKS:
        out = int(out * alpha)
        layers += conv_bn_relu(width, width, 3, stride, groups=width) + conv_bn_relu(width, out, 1, 1)
        width = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 1000)]
    return nn.Sequential(*layers)
GRID = {name: harness_cli.cross(alphas, RESOLUTIONS) for name, (_, _, alphas) in MODELS.items()}
TOOLS = ["flopcounter", "ptflops", "ptflops-aten", "thop", "fvcore", "torchinfo"]
DISTRIBUTIONS = ["torch", "torchvision", "timm", "fvcore", "ptflops", "ultralytics-thop", "torchinfo"]
CALLS = {
    "flopcounter": "torch.utils.flop_counter.FlopCounterMode(display=False) around model(x) under "
                   "torch.no_grad(); get_total_flops()",
    "ptflops": "ptflops.get_model_complexity_info(model, (3, R, R), as_strings=False, "
               "print_per_layer_stat=False, backend='pytorch') -> (macs, params)",
    "ptflops-aten": "ptflops.get_model_complexity_info(model, (3, R, R), as_strings=False, "
                    "print_per_layer_stat=False, backend='aten') -> (macs, params)",
    "thop": "thop.profile(model, inputs=(x,), verbose=False) -> (macs, params)",
    "fvcore": "fvcore.nn.FlopCountAnalysis(model, x).total() -> flops (unsupported-operator and "
              "uncalled-module warnings off); fvcore.nn.parameter_count(model)[''] -> params",
    "torchinfo": "torchinfo.summary(model, input_size=(1, 3, R, R), verbose=0): total_mult_adds -> macs, "
                 "total_params -> params",
}


def build(name, alpha):
    """The model for one record, in eval mode."""
    library, builder, _ = MODELS[name]
    if library == "torchvision":
        import torchvision

        model = getattr(torchvision.models, builder)(weights=None, width_mult=alpha)
    elif library == "reference":
        model = reference_v1(alpha)
    else:
        import timm

        if alpha != 1.0:
            sys.exit("%s: timm's %s is alpha 1.0 only" % (name, builder))
        model = timm.create_model(builder, pretrained=False, num_classes=1000)
    return model.eval()


def _whole(value, tool):
    """value as an int, refusing a failed count (None) or a fractional one."""
    if value is None:
        sys.exit("%s returned no count (it prints the exception above)" % tool)
    if int(value) != value:
        sys.exit("%s returned a fractional count: %r" % (tool, value))
    return int(value)


def measure(tool, model, resolution):
    """What one tool returns for model on a 1x3xRxR input: {name: integer}."""
    import torch

    model = copy.deepcopy(model).eval()
    x = torch.zeros(1, 3, resolution, resolution)
    if tool == "flopcounter":
        from torch.utils.flop_counter import FlopCounterMode

        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            model(x)
        return {"flops": _whole(counter.get_total_flops(), tool)}
    if tool in ("ptflops", "ptflops-aten"):
        import ptflops

        backend = "pytorch" if tool == "ptflops" else "aten"
        macs, params = ptflops.get_model_complexity_info(
            model, (3, resolution, resolution), as_strings=False, print_per_layer_stat=False, backend=backend
        )
        return {"macs": _whole(macs, tool), "params": _whole(params, tool)}
    if tool == "thop":
        import thop

        macs, params = thop.profile(model, inputs=(x,), verbose=False)
        return {"macs": _whole(macs, tool), "params": _whole(params, tool)}
    if tool == "fvcore":
        from fvcore.nn import FlopCountAnalysis, parameter_count

        analysis = FlopCountAnalysis(model, x).unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's warnings about Python values
            flops = analysis.total()
        return {"flops": _whole(flops, tool), "params": _whole(parameter_count(model)[""], tool)}
    if tool == "torchinfo":
        import torchinfo

        stats = torchinfo.summary(model, input_size=(1, 3, resolution, resolution), verbose=0)
        return {"macs": _whole(stats.total_mult_adds, tool), "params": _whole(stats.total_params, tool)}
    raise ValueError(tool)


def main():
    args = harness_cli.parser(__doc__.splitlines()[0], list(MODELS)).parse_args()
    runs = harness_cli.builds(args, GRID)
    import torch_macs

    torch_macs.import_torchvision()  # ptflops and timm import torchvision; tolerate its compiled ops missing
    logging.getLogger("fvcore").setLevel(logging.ERROR)

    records = []
    for name, alpha, resolution in runs:
        library, builder, _ = MODELS[name]
        model = build(name, alpha)
        model_name, profile = ("v1", "paper") if library == "reference" else (name, "torchvision")
        record = {"model": model_name, "profile": profile, "source": "%s %s" % (library, builder),
                  "alpha": float(alpha), "resolution": int(resolution)}
        for tool in TOOLS:
            with redirect_stdout(io.StringIO()):  # keep the tools' own printing out of the JSON
                record[tool] = measure(tool, model, resolution)
        records.append(record)
        print("%s %g %d: %s" % (name, alpha, resolution, ", ".join(
            "%s %s" % (t, next(iter(record[t].values()))) for t in TOOLS)), file=sys.stderr, flush=True)

    versions = ", ".join("%s %s" % (d, importlib.metadata.version(d)) for d in DISTRIBUTIONS)
    header = {
        "measured_with": versions,
        "how": "model in eval mode, weights=None / pretrained=False, a deep copy per tool; input "
               "torch.zeros(1, 3, R, R) (ptflops builds its own 1x3xRxR input); each number is the "
               "integer the tool returns, under the tool's own name for it (flops or macs)",
        "calls": CALLS,
    }
    # the header indented, each build on one line
    text = json.dumps(header, indent=1)[:-2]
    text += ',\n "builds": [\n%s\n ]\n}' % ",\n".join("  " + json.dumps(r) for r in records)
    json.loads(text)  # the document parses as written
    print(text)


if __name__ == "__main__":
    main()
