"""Mult-Adds and parameters of the official MobileNeXt model (mnext.py).

Prints [profile, model, alpha, resolution, macs, params] records, one JSON array a line, under
the "torchvision" profile (parameters() and conv/linear forward hooks, see torch_macs.py).

The MobileNeXt code is not part of this project: get the GitHub repository
zhoudaquan/rethinking_bottleneck_design (or just its mnext.py, see README.md) and pass its path:

  python tests/harness/mobilenext_counts.py --mobilenext rethinking_bottleneck_design
  MOBILENEXT_DIR=rethinking_bottleneck_design python tests/harness/mobilenext_counts.py

The model file is <clone>/mobilenext/codebase/models/mnext.py (it needs only torch); it is
loaded by path, and built as mnext(num_classes=1000, width_mult=alpha).
"""

import importlib.util
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_cli  # noqa: E402

MODEL_FILE = Path("mobilenext", "codebase", "models", "mnext.py")
GRID = {"mobilenext": harness_cli.cross([1.0], [224, 192, 160, 128, 96, 225, 97])
        + harness_cli.cross([0.35, 0.5, 0.75, 1.4], [224, 192, 160, 97])}


def load_mnext(path):
    """The mnext module, from a clone of the repository or the path of mnext.py itself."""
    path = Path(path)
    candidate = path if path.is_file() else path / MODEL_FILE
    if not candidate.is_file():
        sys.exit("no %s under %s: pass a clone of zhoudaquan/rethinking_bottleneck_design"
                 % (MODEL_FILE, path))
    spec = importlib.util.spec_from_file_location("mobilenext_mnext", candidate)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    p = harness_cli.parser(__doc__.splitlines()[0], list(GRID))
    p.add_argument("--mobilenext", default=os.environ.get("MOBILENEXT_DIR"),
                   help="clone of zhoudaquan/rethinking_bottleneck_design "
                        "(default: $MOBILENEXT_DIR)")
    args = p.parse_args()
    if not args.mobilenext:
        p.error("give --mobilenext PATH or set MOBILENEXT_DIR")
    runs = harness_cli.builds(args, GRID)
    import torch_macs

    mnext = load_mnext(args.mobilenext)
    for name, alpha, resolution in runs:
        model = mnext.mnext(num_classes=1000, width_mult=alpha)
        macs, params = torch_macs.count(model, resolution)
        harness_cli.emit("torchvision", name, alpha, resolution, macs, params)


if __name__ == "__main__":
    main()
