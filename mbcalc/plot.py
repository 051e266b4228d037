"""`--plot`: compare's Mult-Adds against parameters and top-1, memory's live bytes, sweep's heat
map and fit's frontier.

matplotlib is an optional extra (`pip install "mbcalc[plot]"`); it is imported only here. The figure
is drawn on a `Figure` of its own, never through pyplot, so plotting neither picks a backend nor
leaves figures open in a program that imports mbcalc.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analysis import Comparison, Report
from .errors import MbcalcError
from .memory import Memory
from .published import published_top1
from .sweep import Fit, Sweep

TITLE = {"macs": "Mult-Adds", "params": "parameters", "peak-memory": "peak memory", "weight-bytes": "weight bytes"}

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SUFFIXES = (".png", ".svg")

# A resolution is told apart by marker shape, then fill, then line style: 10 shapes that stay
# distinct at a small size (no pentagons beside hexagons) x 3 fills x 4 line styles give 120
# resolutions that all look different, the first 30 by their markers alone.
MARKERS = "os^vDPX*<>"
FILLS = ("full", "none", "top")
LINESTYLES = ("-", "--", ":", "-.")

LEGEND_ROWS = 30  # entries per legend column before another column starts


def published_accuracy(report: Report) -> float | None:
    """The published top-1 of the report's configuration, in percent, for a bundled model only:
    a spec file that borrows a bundled model's name is another network, with no published figure."""
    if not report.network.bundled:
        return None
    config = report.network.config
    return published_top1(report.network.name, config.alpha, config.resolution)


def _size(size: tuple[int, int]) -> str:
    """(224, 224) -> '224'; (1024, 2048) -> '1024x2048'."""
    return str(size[0]) if size[0] == size[1] else f"{size[0]}x{size[1]}"


def literal(text: str) -> str:
    """`text` as matplotlib shows it verbatim: a `$` would otherwise start mathematics."""
    return text.replace("$", r"\$")


def check_plot_target(path: str) -> None:
    """Raise MbcalcError unless a plot can be written to `path`: a .png or .svg name, and matplotlib
    importable. Cheap enough to call before computing anything."""
    if Path(path).suffix.lower() not in SUFFIXES:
        raise MbcalcError(f"--plot writes .png or .svg files, got '{path}' (e.g. --plot compare.png)")
    if "\0" in path:  # the operating system refuses it only when the figure is saved, with a ValueError
        raise MbcalcError(f"cannot write {path!r}: a file name cannot contain a NUL character (check the path)")
    try:
        # The package itself, not pyplot: an installed but broken or blocked matplotlib fails here
        # too, where only looking for it would succeed.
        import matplotlib  # noqa: F401
    except ImportError:
        raise MbcalcError('--plot needs matplotlib: pip install "mbcalc[plot]"') from None


def resolution_style(index: int) -> dict[str, Any]:
    """Marker, fill and line style of the `index`-th resolution (distinct for the first 120)."""
    return {
        "marker": MARKERS[index % len(MARKERS)],
        "fillstyle": FILLS[index // len(MARKERS) % len(FILLS)],
        "linestyle": LINESTYLES[index // (len(MARKERS) * len(FILLS)) % len(LINESTYLES)],
    }


def alpha_text(alpha: float) -> str:
    """α as the command line takes it: 0.75, 1.0."""
    text = f"{alpha:g}"
    return text if "." in text or "e" in text else f"{text}.0"


def _colours(count: int) -> list[Any]:
    """One colour each: the default cycle while it lasts, else evenly spaced along a wide colour map."""
    if count <= 10:
        return [f"C{i}" for i in range(count)]
    from matplotlib import colormaps

    spread = colormaps["turbo"]
    return [spread(0.05 + 0.9 * i / (count - 1)) for i in range(count)]


def build_figure(comparison: Comparison) -> Figure:
    """The comparison as a figure: Mult-Adds against parameters, and, when any configuration has a
    published top-1, top-1 against Mult-Adds. One colour per model label, one marker per resolution,
    one line across α, each point labelled with its α; the legend sits outside the panels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import LogFormatter

    def plain_numbers() -> LogFormatter:  # 20, 30, 50, not 2x10^1 (one each: a formatter serves one axis)
        return LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5))

    labelled = comparison.labelled()
    labels = list(dict.fromkeys(label for label, _ in labelled))
    resolutions = sorted({r.network.config.size for _, r in labelled}, reverse=True)
    colours = dict(zip(labels, _colours(len(labels)), strict=True))
    styles = {res: resolution_style(i) for i, res in enumerate(resolutions)}

    def series(label: str, res: tuple[int, int]) -> list[Report]:
        return sorted(
            (r for name, r in labelled if name == label and r.network.config.size == res),
            key=lambda r: r.network.config.alpha,
        )

    with_accuracy = any(published_accuracy(r) is not None for _, r in labelled)
    fig = Figure(figsize=(14.5 if with_accuracy else 8.5, 5.5), layout="constrained")
    FigureCanvasAgg(fig)  # a canvas of its own, so the figure can be drawn and measured without pyplot
    axes = fig.subplots(1, 2 if with_accuracy else 1, squeeze=False)[0]
    left = axes[0]
    right = axes[1] if with_accuracy else None

    def draw(ax: Axes, points: list[tuple[float, float, float]], colour: Any, style: dict[str, Any], name: str) -> None:
        xs, ys = [x for x, _, _ in points], [y for _, y, _ in points]
        ax.plot(xs, ys, color=colour, linewidth=1.2, markersize=5, label=literal(name), **style)
        for x, y, alpha in points:
            ax.annotate(
                alpha_text(alpha),
                (x, y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=6,
                color=colour,
            )

    for label in labels:
        for res in resolutions:
            reports = series(label, res)
            if not reports:
                continue
            name = f"{label} {_size(res)}px"
            alphas = [r.network.config.alpha for r in reports]
            params = [r.total.params / 1e6 for r in reports]
            macs = [r.total.macs / 1e6 for r in reports]
            draw(left, list(zip(params, macs, alphas, strict=True)), colours[label], styles[res], name)
            if right is not None:
                known = [(m, published_accuracy(r), a) for r, m, a in zip(reports, macs, alphas, strict=True)]
                points = [(m, top1, a) for m, top1, a in known if top1 is not None]
                if points:
                    draw(right, points, colours[label], styles[res], name)

    # Logarithmic counts, as in the V1 paper's accuracy figures: α and resolution scale the counts by
    # factors, so equal steps look equal and the smallest configurations are not crowded into a
    # corner. A count of zero, which a logarithmic axis cannot show, keeps its axis linear.
    counts = [(ax.set_xscale, ax.xaxis, ax.dataLim.xmin) for ax in axes]
    counts.append((left.set_yscale, left.yaxis, left.dataLim.ymin))
    for set_scale, axis, low in counts:
        if low > 0:
            set_scale("log")
            axis.set_major_formatter(plain_numbers())
            axis.set_minor_formatter(plain_numbers())
    left.set_xlabel("parameters (millions)")
    left.set_ylabel("Mult-Adds (millions)")
    left.set_title("Mult-Adds against parameters")
    left.grid(True, alpha=0.3)
    if right is not None:
        right.set_xlabel("Mult-Adds (millions)")
        right.set_ylabel("published ImageNet top-1 (%)")
        right.set_title("Published top-1 against computed Mult-Adds")
        right.grid(True, alpha=0.3)

    # One legend for both panels, to the right of the last one, where it cannot cover a point.
    # Entries with no handle head its two sections.
    heading = Line2D([], [], linestyle="", marker="")
    handles = [heading] + [Line2D([], [], color=colours[m], label=literal(m)) for m in labels]
    handles += [heading] + [
        Line2D([], [], color="grey", linewidth=1, markersize=5, label=f"{_size(r)}px", **styles[r]) for r in resolutions
    ]
    names = ["model", *map(literal, labels), "resolution", *(f"{_size(r)}px" for r in resolutions)]
    legend = axes[-1].legend(
        handles=handles,
        labels=names,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize=8,
        ncol=-(-len(handles) // LEGEND_ROWS),
    )
    texts = legend.get_texts()
    for i in (0, len(labels) + 1):
        texts[i].set_fontweight("bold")

    profile = labelled[0][1].network.config.profile if labelled else "paper"
    fig.suptitle(
        f"mbcalc compare, profile {profile}: one colour per model, one marker per resolution, "
        "one line across α (each point labelled with its α)",
        fontsize=10,
    )
    return fig


def memory_figure(memory: Memory, sram: int | None = None) -> Figure:
    """Live activation memory over the operators (the peak marked), with a RAM budget's line: the
    picture of MCUNetV2's Figure 1."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    steps = memory.steps
    kib = [s.live_bytes / 1024 for s in steps]
    ax.bar(range(1, len(steps) + 1), kib, width=0.85, color="C0", label="live activations (arena model)")
    ax.plot(
        range(1, len(steps) + 1),
        [s.io_bytes / 1024 for s in steps],
        color="C1",
        linewidth=1.2,
        label="inputs + output (layer by layer)",
    )
    peak = max(range(len(steps)), key=lambda i: steps[i].live_bytes) if steps else 0
    if steps:
        ax.annotate(
            literal(f"peak {kib[peak]:,.0f} KiB at {steps[peak].layer}"),
            (peak + 1, kib[peak]),
            xytext=(8, -4),
            textcoords="offset points",
            fontsize=8,
        )
    if sram is not None:
        ax.axhline(sram / 1024, color="C3", linestyle="--", linewidth=1.2, label=f"SRAM budget {sram / 1024:,.0f} KiB")
    net = memory.network
    where = f"{net.name}@{alpha_text(net.config.alpha)}/{net.config.size_text}"
    ax.set_title(literal(f"{where}, {memory.dtype}: live activation memory per operator"))
    ax.set_xlabel("operator (execution order)")
    ax.set_ylabel("KiB")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    return fig


def plot_memory(memory: Memory, path: str, sram: int | None = None) -> None:
    """Draw `mbcalc memory`'s live memory into `path` (.png or .svg), written whole or not at all."""
    check_plot_target(path)
    _save(memory_figure(memory, sram), path)


def sweep_figure(sweep: Sweep) -> Figure:
    """The first metric of a sweep as a heat map per model (alpha up, resolution across), with
    iso-budget contours: each contour joins the configurations of equal cost."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    metric = sweep.metrics[0]
    models = list(sweep.axes)
    fig = Figure(figsize=(6.5 * len(models), 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(models), squeeze=False)[0]
    scale, unit = (1e6, "M") if metric in ("macs", "params") else (1024, "KiB")
    for ax, model in zip(axes, models, strict=True):
        alphas, resolutions = sorted(sweep.axes[model][0]), sorted(sweep.axes[model][1])  # the mesh needs order
        grid = {(p.alpha, p.resolution): p.metric(metric) or 0 for p in sweep.grid(model)}
        values = [[grid[(a, r)] / scale for r in resolutions] for a in alphas]
        mesh = ax.pcolormesh(resolutions, alphas, values, shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=f"{TITLE[metric]} ({unit})")
        if len(alphas) > 1 and len(resolutions) > 1:
            lines = ax.contour(resolutions, alphas, values, levels=6, colors="white", linewidths=0.8)
            ax.clabel(lines, fontsize=7, fmt=lambda v: f"{v:,.0f}{unit}")
        ax.set_title(literal(f"{model}: {TITLE[metric]}"))
        ax.set_xlabel("resolution (px)")
        ax.set_ylabel("width multiplier α")
    return fig


def fit_figure(fit: Fit) -> Figure:
    """Every configuration of a fit's grid as Mult-Adds against parameters, those within the
    budgets filled, the frontier joined per model, the budget lines drawn, checkpoints ringed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    inside = {(p.model, p.alpha, p.resolution) for p in fit.fitting}
    for i, model in enumerate(fit.sweep.axes):
        color = f"C{i % 10}"
        points = fit.sweep.grid(model)
        out = [p for p in points if (p.model, p.alpha, p.resolution) not in inside]
        ok = [p for p in points if (p.model, p.alpha, p.resolution) in inside]
        ax.scatter(
            [p.params / 1e6 for p in out],
            [p.macs / 1e6 for p in out],
            s=8,
            facecolors="none",
            edgecolors=color,
            alpha=0.35,
        )
        ax.scatter(
            [p.params / 1e6 for p in ok],
            [p.macs / 1e6 for p in ok],
            s=10,
            color=color,
            label=literal(f"{model} (fits)"),
        )
        edge = sorted((p for p in ok if (p.model, p.alpha, p.resolution) in fit.frontier), key=lambda p: p.params)
        if edge:
            ax.plot([p.params / 1e6 for p in edge], [p.macs / 1e6 for p in edge], color=color, linewidth=1.2)
        marked = [p for p in ok if (p.model, p.alpha, p.resolution) in fit.checkpoints]
        if marked:
            ax.scatter(
                [p.params / 1e6 for p in marked],
                [p.macs / 1e6 for p in marked],
                s=70,
                facecolors="none",
                edgecolors="black",
                linewidths=1.0,
            )
    if "macs" in fit.budgets:
        ax.axhline(fit.budgets["macs"] / 1e6, color="C3", linestyle="--", linewidth=1.2, label="Mult-Adds budget")
    if "params" in fit.budgets:
        ax.axvline(fit.budgets["params"] / 1e6, color="C3", linestyle=":", linewidth=1.2, label="parameter budget")
    ax.scatter([], [], s=70, facecolors="none", edgecolors="black", label="published checkpoint or top-1")
    ax.set_xlabel("parameters (M)")
    ax.set_ylabel("Mult-Adds (M)")
    memory = f"; peak memory at most {fit.budgets['peak-memory']:,} bytes" if "peak-memory" in fit.budgets else ""
    ax.set_title(literal(f"Configurations within the budgets{memory}; the frontier joined"))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return fig


def plot_sweep(sweep: Sweep, path: str) -> None:
    check_plot_target(path)
    _save(sweep_figure(sweep), path)


def plot_fit(fit: Fit, path: str) -> None:
    check_plot_target(path)
    _save(fit_figure(fit), path)


def plot_comparison(comparison: Comparison, path: str) -> None:
    """Draw `comparison` into `path` (.png or .svg), written whole or not at all."""
    check_plot_target(path)
    _save(build_figure(comparison), path)


def _save(fig: Figure, path: str) -> None:
    target = Path(path)
    temporary = target.with_name(f".{target.name}.partial{target.suffix.lower()}")  # written whole, then moved
    try:
        fig.savefig(temporary, dpi=150, bbox_inches="tight")
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise MbcalcError(f"cannot write {path}: {exc.strerror or exc} (check the path)") from None
