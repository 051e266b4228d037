"""Command line and output shared by the *_counts.py scripts.

Every script prints one JSON record per line, in the record format of
tests/data/implementations.json: [profile, model, alpha, resolution, macs, params].
"""

import argparse
import json
import sys


def _floats(text):
    return [float(x) for x in text.split(",") if x.strip()]


def _ints(text):
    return [int(x) for x in text.split(",") if x.strip()]


def _names(text):
    return [x.strip() for x in text.split(",") if x.strip()]


def parser(description, models):
    """An argument parser with --models, --alphas and --resolutions (comma-separated lists)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--models", type=_names, default=None,
                   help="comma-separated model names (default: all of %s)" % ", ".join(models))
    p.add_argument("--alphas", type=_floats, default=None,
                   help="comma-separated width multipliers (default: the committed grid)")
    p.add_argument("--resolutions", type=_ints, default=None,
                   help="comma-separated input resolutions (default: the committed grid)")
    return p


def builds(args, grid):
    """The (model, alpha, resolution) builds to run, in order.

    grid maps each model name to its committed list of (alpha, resolution) pairs. Without
    --alphas and --resolutions a model runs its committed pairs; with either, it runs the
    cross product of the given alphas (or the model's committed alphas) and the given
    resolutions (or the model's committed resolutions).
    """
    models = args.models or list(grid)
    unknown = [m for m in models if m not in grid]
    if unknown:
        sys.exit("unknown model(s): %s (choose from %s)" % (", ".join(unknown), ", ".join(grid)))
    out = []
    for m in models:
        pairs = grid[m]
        if args.alphas is None and args.resolutions is None:
            out.extend((m, a, r) for a, r in pairs)
            continue
        alphas = args.alphas or list(dict.fromkeys(a for a, _ in pairs))
        resolutions = args.resolutions or list(dict.fromkeys(r for _, r in pairs))
        out.extend((m, a, r) for a in alphas for r in resolutions)
    return out


def emit(profile, model, alpha, resolution, macs, params):
    """Print one record as a JSON line, flushed (long runs can be followed, or cut short)."""
    record = [profile, model, float(alpha), int(resolution), int(macs), int(params)]
    print(json.dumps(record), flush=True)


def cross(alphas, resolutions):
    """Every alpha at every resolution, alpha-major (the order of the committed records)."""
    return [(a, r) for a in alphas for r in resolutions]
