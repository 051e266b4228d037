"""`mbcalc compare --plot`: Mult-Adds against parameters, and against published top-1 accuracy.

matplotlib is an optional extra (`pip install "mbcalc[plot]"`); it is imported only here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .analysis import Comparison, Report
from .errors import MbcalcError
from .reproduce import Printed, load_references


def published_top1(model: str, alpha: float, resolution: int) -> float | None:
    """The first top-1 accuracy the references file prints for this configuration, in percent."""
    for ref in load_references():
        c = ref["config"]
        if (
            "top1" in ref
            and c.get("model") == model
            and float(c.get("alpha", 1.0)) == alpha
            and int(c.get("resolution", 224)) == resolution
        ):
            return float(Printed.parse(ref["top1"]).value)
    return None


def plot_comparison(comparison: Comparison, path: str) -> None:
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise MbcalcError(f"--plot writes .png or .svg files, got '{path}' (e.g. --plot compare.png)")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MbcalcError('--plot needs matplotlib: pip install "mbcalc[plot]"') from None

    # One colour per model; within it one line per resolution across alpha, one marker per resolution.
    models = list(dict.fromkeys(r.network.name for r in comparison.reports))
    resolutions = sorted({r.network.config.resolution for r in comparison.reports}, reverse=True)
    colours = {m: f"C{i % 10}" for i, m in enumerate(models)}
    markers = {res: "osD^v<>p*h"[i % 10] for i, res in enumerate(resolutions)}

    def series(name: str, res: int, y: Callable[[Report], float | None]) -> list[tuple[float, float, float | None]]:
        reports = sorted(
            (r for r in comparison.reports if r.network.name == name and r.network.config.resolution == res),
            key=lambda r: r.network.config.alpha,
        )
        return [(r.total.params / 1e6, r.total.macs / 1e6, y(r)) for r in reports]

    def accuracy(r):
        return published_top1(r.network.name, r.network.config.alpha, r.network.config.resolution)

    with_accuracy = any(accuracy(r) is not None for r in comparison.reports)
    fig, axes = plt.subplots(1, 2 if with_accuracy else 1, figsize=(12 if with_accuracy else 6.5, 5), squeeze=False)
    left = axes[0][0]
    right = axes[0][1] if with_accuracy else None
    for name in models:
        for res in resolutions:
            points = series(name, res, accuracy)
            if not points:
                continue
            style = dict(color=colours[name], marker=markers[res], linewidth=1.2, markersize=5)
            left.plot([p for p, _, _ in points], [m for _, m, _ in points], **style)
            known = [(m, a) for _, m, a in points if a is not None]
            if right is not None and known:
                right.plot([m for m, _ in known], [a for _, a in known], **style)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colours[m], label=m) for m in models]
    handles += [Line2D([], [], color="grey", marker=markers[r], linestyle="", label=f"{r}px") for r in resolutions]
    left.set_xlabel("parameters (millions)")
    left.set_ylabel("Mult-Adds (millions)")
    left.set_title("Mult-Adds against parameters (lines: α at one resolution)")
    left.grid(True, alpha=0.3)
    left.legend(handles=handles, fontsize=8)
    if right is not None:
        right.set_xlabel("Mult-Adds (millions)")
        right.set_ylabel("published ImageNet top-1 (%)")
        right.set_title("Published top-1 against computed Mult-Adds")
        right.grid(True, alpha=0.3)
        right.legend(handles=handles, fontsize=8)
    profile = comparison.reports[0].network.config.profile if comparison.reports else "paper"
    fig.suptitle(
        f"mbcalc compare, profile {profile}: one colour per model, one line per resolution across α", fontsize=10
    )
    fig.tight_layout()
    target = Path(path)
    temporary = target.with_name(f".{target.name}.partial{suffix}")  # written whole, then moved in place
    try:
        fig.savefig(temporary, dpi=120)
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise MbcalcError(f"cannot write {path}: {exc.strerror} (check the path)") from None
    finally:
        plt.close(fig)
