"""The named commands (list, conv, validate, compare, diff, explain, memory, sweep, fit,
reproduce, docs). They load only when one of them runs, or for `mbcalc --help`."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import click

from .. import models
from ..errors import MbcalcError
from ..render import render
from .shared import (
    BN_CHOICES,
    DTYPE_NAMES,
    PROFILE_NAMES,
    T,
    check_outputs,
    counting_options,
    emit,
    exact_option,
    network_options,
    options,
    output_options,
    profile_option,
    size_options,
    terminal_width,
)


@click.command("list")
def list_models():
    """List the bundled models, one line each.

    Example: mbcalc list
    """
    bundled = models.bundled()
    width = max(map(len, bundled), default=0)
    for name in bundled:
        shipped = models.widths(name)
        widths = f" (widths {', '.join(f'{w:g}' if w % 1 else f'{w:.1f}' for w in shipped)})" if shipped else ""
        emit(f"{name.ljust(width)}  {models.description(name)}{widths}\n", None)


@click.command("conv")
@click.option("--in", "in_shape", required=True, metavar="HxWxC", help="Input feature map, e.g. 14x14x512.")
@click.option("--out", "out_channels", required=True, type=click.IntRange(min=1), help="Output channels N.")
@click.option("-k", "--kernel", type=click.IntRange(min=1), default=3, show_default=True, help="Kernel size D_K.")
@click.option("--stride", "-s", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--padding", type=click.Choice(["same", "valid"]), default="same", show_default=True)
@click.option(
    "--alpha",
    "-a",
    type=float,
    default=1.0,
    show_default=True,
    help="Width multiplier: M and N become int(α·M), int(α·N).",
)
@click.option(
    "--rho",
    type=float,
    default=1.0,
    show_default=True,
    help="Resolution multiplier: the input becomes round(ρ·H) x round(ρ·W).",
)
@output_options
@click.option("--exact", is_flag=True, help="Exact integers instead of 462.4M.")
def conv(in_shape, out_channels, kernel, stride, padding, alpha, rho, fmt, output, exact):
    """One convolution against its depthwise separable replacement (V1 paper, Section 3).

    \b
    Examples:
      mbcalc conv --in 14x14x512 --out 512 -k 3             (V1 Table 3)
      mbcalc conv --in 14x14x512 --out 512 -k 3 --alpha 0.75 --rho 0.714
      mbcalc conv --in 5x5x3 --out 4 -k 3 --padding valid
    """
    from .. import api
    from ..render.conv import ConvView

    check_outputs([], **{"-o": output})

    comparison = api.compare_conv(in_shape, out_channels, kernel, stride, padding, alpha, rho)
    emit(render(ConvView(comparison, exact), fmt, terminal_width(fmt, output)), output)


def _size(text: str) -> int | str:
    """A list item of --res: R (ASCII digits), or anything else as text for the library to read
    (HxW, or a mistake it names)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else text


def split_list(text: str, kind: Callable[[str], Any], option: str, example: str) -> list[Any]:
    try:
        values = [kind(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise MbcalcError(f"{option} takes a comma-separated list, e.g. {option} {example}; got '{text}'") from None
    if not values:
        raise MbcalcError(f"{option} needs at least one value, e.g. {option} {example}")
    return values


@click.command("validate")
@click.argument("spec")
@click.option("--alpha", "-a", type=float, default=None, help="Width multiplier (default: as for the model commands).")
@click.option("--res", "-r", default=None, metavar="R|HxW", help="Resolution to build at (default: the spec's).")
@profile_option
def validate(spec, alpha, res, profile):
    """Check a spec file (or a bundled model) without printing its analysis: exit 0 if it builds.

    Every problem is reported at once as file:line:column: what is wrong (how to fix it).

    \b
    Examples:
      mbcalc validate my-net.yaml
      mbcalc validate my-net.yaml --alpha 0.35 --res 96
    """
    from .. import api
    from ..render.model import validated

    loaded = api.load(spec)
    emit(validated(loaded, api.analyze(loaded, alpha=alpha, resolution=res, profile=profile)) + "\n", None)


@click.command("compare")
@click.argument("models", nargs=-1, required=True)
@click.option(
    "--alpha",
    "-a",
    "alphas",
    default=None,
    help="Width multipliers, e.g. 1.0,0.75,0.5 (default: 1.0, or a spec's first width when it is not built at 1.0).",
)
@click.option(
    "--res", "-r", "resolutions", default=None, help="Resolutions, e.g. 224,192,160 (default: each spec's input size)."
)
@profile_option
@click.option(
    "--baseline",
    "-b",
    default=None,
    metavar="MODEL@ALPHA/RES",
    help="Show each row as a multiple of this configuration, e.g. v2@1.0/224.",
)
@output_options
@click.option("--exact", is_flag=True, help="Exact integers instead of millions.")
@click.option(
    "--plot",
    default=None,
    metavar="FILE.png|FILE.svg",
    help="Also draw Mult-Adds against params (and published top-1); needs mbcalc[plot].",
)
@click.option(
    "--memory",
    "memory_dtype",
    type=click.Choice(DTYPE_NAMES),
    default=None,
    help="Also the arena peak and the weight bytes at this dtype, as `mbcalc memory` gives them.",
)
@network_options
@counting_options
def compare(models, alphas, resolutions, profile, baseline, fmt, output, exact, plot, flops, memory_dtype, **counting):
    """Compare models across width multipliers and resolutions, one row each.

    MODELS are bundled model names or spec files.

    \b
    Examples:
      mbcalc compare v1 v2 v3-large v3-small --alpha 1.0,0.75,0.5 --res 224,192,160,128
      mbcalc compare v2 v3-large --baseline v2@1.0/224 --format markdown
      mbcalc compare v2 v3-small --alpha 0.35,0.5 --res 96,128 --memory int8
    """
    from .. import api
    from ..render.compare import CompareView

    check_outputs([*models, api.parse_target(baseline)[0] if baseline else ""], **{"-o": output, "--plot": plot})
    if plot:
        from ..plot import check_plot_target

        check_plot_target(plot)
    alphas = split_list(alphas, float, "--alpha", "1.0,0.75") if alphas is not None else [None]
    resolutions = split_list(resolutions, _size, "--res", "224,192 or 512x1024") if resolutions is not None else [None]
    counting["elementwise"] = counting["elementwise"] or flops
    total = len(models) * len(alphas) * len(resolutions)
    comparison = with_progress(
        total,
        lambda advance: api.compare(
            list(models), alphas, resolutions, profile, baseline, memory_dtype, progress=advance, **counting
        ),
    )
    emit(render(CompareView(comparison, exact, flops), fmt, terminal_width(fmt, output)), output)
    if plot:
        from ..plot import plot_comparison

        plot_comparison(comparison, plot)


@click.command("diff")
@click.argument("a")
@click.argument("b")
@profile_option
@output_options
@click.option("--exact", is_flag=True, help="Exact integers instead of 1.2M.")
def diff(a, b, profile, fmt, output, exact):
    """Two configurations layer by layer: what changes, per layer and per type.

    A and B are MODEL@ALPHA/RES (e.g. v3-large@0.75/224) or spec files.

    \b
    Examples:
      mbcalc diff v3-large@1.0/224 v3-large@0.75/224
      mbcalc diff v1 v1-shallow
    """
    from .. import api
    from ..render.diff import DiffView

    check_outputs([api.parse_target(a)[0], api.parse_target(b)[0]], **{"-o": output})

    emit(render(DiffView(api.diff(a, b, profile), exact), fmt, terminal_width(fmt, output)), output)


@click.command("explain")
@click.argument("model")
@click.option("--alpha", "-a", type=float, default=None, help="Width multiplier (default: 1.0).")
@click.option("--res", "-r", default=None, metavar="R|HxW", help="Input resolution (default: the spec's).")
@click.option(
    "--profile",
    "-p",
    type=click.Choice(PROFILE_NAMES),
    default="torchvision",
    show_default=True,
    help="The implementation whose framework model the tools count (torchvision, paper: PyTorch; keras).",
)
@output_options
@click.option("--human", is_flag=True, help="568.7M instead of exact integers.")
def explain(model, alpha, res, profile, fmt, output, human):
    """Why ptflops, thop, fvcore, torchinfo, FlopCounterMode and the paper print different numbers.

    One row per line item (conv and FC Mult-Adds, biases, batch norm, each activation, pooling,
    adds ...), one column per convention; the totals row is what each tool prints.

    \b
    Examples:
      mbcalc explain v2
      mbcalc explain v3-large --alpha 0.75 --res 160 -f markdown
    """
    from .. import api
    from ..render.explain import ExplainView

    check_outputs([model], **{"-o": output})
    explanation = api.explain(model, alpha=alpha, resolution=res, profile=profile)
    emit(render(ExplainView(explanation, not human), fmt, terminal_width(fmt, output)), output)


@click.command("memory")
@click.argument("model")
@size_options
@profile_option
@network_options
@click.option("--dtype", type=click.Choice(DTYPE_NAMES), default="int8", show_default=True)
@click.option("--sram", default=None, metavar="SIZE", help="A RAM budget: 256K, 1M (x1000) or 256KiB (x1024).")
@click.option("--flash", default=None, metavar="SIZE", help="A flash budget for the weights, e.g. 1MiB.")
@output_options
@click.option(
    "--plot",
    default=None,
    metavar="FILE.png|FILE.svg",
    help="Also draw the live memory over the operators, with the --sram budget; needs mbcalc[plot].",
)
@click.option(
    "--device",
    default=None,
    metavar="NAME|FILE",
    help="Roofline bounds on a device: a bundled one (cortex-m7, raspberry-pi-4, pixel-1) or a device "
    "file; its SRAM and flash are the default budgets.",
)
def memory(model, alpha, res, rho, profile, classes, backbone, dtype, sram, flash, fmt, output, plot, device):
    """Will it fit: weight bytes as deployed, and the activation memory while each operator runs.

    Peaks under named models: the largest tensor (V2 paper Table 3), one operator's inputs and
    output (layer-by-layer; with depthwise convolutions in place, as MCUNet), the tensors live at
    once (liveness), a greedy-by-size planner's arena, the bottleneck tensors alone (V2 paper
    Section 5.1, inverted residual blocks computed in slices) and patch-based inference of the
    first blocks (MCUNetV2).

    \b
    With --device, each operator's roofline bound: max(Mult-Adds / peak, bytes moved /
    bandwidth), labelled compute- or memory-bound, and their sum. A bound, not a latency.

    \b
    Examples:
      mbcalc memory v2 --dtype int8 --sram 256KiB
      mbcalc memory v1 --dtype fp16 -f json
      mbcalc memory v3-large --dtype fp32 --device pixel-1
    """
    from .. import api
    from ..memory import parse_size
    from ..render.memory import MemoryView

    check_outputs([model, device or ""], **{"-o": output, "--plot": plot})
    if plot:
        from ..plot import check_plot_target

        check_plot_target(plot)
    budgets = [
        parse_size(text, flag) if text is not None else None for text, flag in ((sram, "--sram"), (flash, "--flash"))
    ]
    chosen = api.device(device) if device is not None else None
    if chosen is not None:  # the device's own sizes, unless a budget is given
        budgets = [
            given if given is not None else own for given, own in zip(budgets, (chosen.sram, chosen.flash), strict=True)
        ]
    report = api.memory(
        model, alpha=alpha, resolution=res, rho=rho, profile=profile, classes=classes, backbone=backbone, dtype=dtype
    )
    roof = api.bound(report, chosen) if chosen is not None else None
    view = MemoryView(report, sram=budgets[0], flash=budgets[1], roofline=roof)
    emit(render(view, fmt, terminal_width(fmt, output)), output)
    if plot:
        from ..plot import plot_memory

        plot_memory(report, plot, budgets[0])


grid_options = options(
    click.option(
        "--alpha",
        "-a",
        "alphas",
        default=None,
        metavar="A:B:STEP|LIST",
        help="Widths: an inclusive range 0.35:1.4:0.05 or a list 1.0,0.75 (default: each spec's own).",
    ),
    click.option(
        "--res",
        "-r",
        "resolutions",
        default=None,
        metavar="A:B:STEP|LIST",
        help="Resolutions: an inclusive range 96:512:4 or a list 224,192 (default: each spec's own).",
    ),
)
budget_counting = options(
    click.option("--biases/--no-biases", default=None, help="Count bias parameters (default: the profile's)."),
    click.option("--bn", type=click.Choice(BN_CHOICES), default=None, help="Batch-norm parameters per channel."),
)


class Progress:
    """A progress bar on standard error (rich's) for work that runs over about a second: it appears
    only then, and only when standard error is a terminal; it is gone when the work ends."""

    def __init__(
        self, total: int | None, delay: float = 1.0, stream: Any = None, clock: Callable[[], float] = time.monotonic
    ):
        self.total, self.delay, self.clock = total, delay, clock
        self.stream = stream if stream is not None else sys.stderr
        self.start, self.done = clock(), 0
        self.bar: Any = None  # rich's Progress, once shown
        self.task: Any = None

    def __call__(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)
        elif self.clock() - self.start >= self.delay and self.stream is not None and self.stream.isatty():
            from rich.console import Console
            from rich.progress import Progress as Bar

            self.bar = Bar(transient=True, console=Console(file=self.stream))
            self.bar.start()
            self.task = self.bar.add_task("configurations", total=self.total, completed=self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def with_progress(total: int | None, work: Callable[[Callable[[int], Any]], T]) -> T:
    """Run `work(advance)` with a `Progress` that shows itself if the work takes long."""
    progress = Progress(total)
    try:
        return work(progress)
    finally:
        progress.close()


@click.command("sweep")
@click.argument("models", nargs=-1, required=True)
@grid_options
@profile_option
@network_options
@budget_counting
@click.option(
    "--metric",
    "metrics",
    default="macs",
    show_default=True,
    metavar="LIST",
    help="What each cell shows: macs, params, peak-memory, weight-bytes (comma-separated; one table each).",
)
@click.option(
    "--dtype", type=click.Choice(DTYPE_NAMES), default="int8", show_default=True, help="For the memory metrics."
)
@output_options
@exact_option
@click.option(
    "--plot",
    default=None,
    metavar="FILE.png|FILE.svg",
    help="Also draw a heat map of the first metric with iso-budget contours; needs mbcalc[plot].",
)
def sweep(
    models, alphas, resolutions, profile, classes, backbone, biases, bn, metrics, dtype, fmt, output, exact, plot
):
    """Every width x resolution of each model at once, each cell exact.

    \b
    Examples:
      mbcalc sweep v2 --alpha 0.35:1.4:0.05 --res 96:224:32
      mbcalc sweep v2 v3-large --alpha 1.0,0.75,0.5 --res 224,192,160 --metric macs,params -f csv
      mbcalc sweep v2 --alpha 0.35,0.5,0.75 --res 96:224:16 --metric peak-memory --dtype int8
    """
    from .. import api
    from ..render.sweep import SweepView

    check_outputs(list(models), **{"-o": output, "--plot": plot})
    if plot:
        from ..plot import check_plot_target

        check_plot_target(plot)
    chosen = [m.strip() for m in metrics.split(",") if m.strip()]
    counting = {"classes": classes, "backbone": backbone, "biases": biases, "bn": bn}
    total = len(set(models)) * _grid_size(alphas, resolutions)
    result = with_progress(
        total,
        lambda advance: api.sweep(list(models), alphas, resolutions, profile, chosen, dtype, advance, **counting),
    )
    emit(render(SweepView(result, exact), fmt, terminal_width(fmt, output)), output)
    if plot:
        from ..plot import plot_sweep

        plot_sweep(result, plot)


def _grid_size(alphas: str | None, resolutions: str | None) -> int:
    from ..sweep import parse_range

    widths = len(parse_range(alphas, "alphas", False)) if alphas else 1
    sizes = len(parse_range(resolutions, "resolutions", True)) if resolutions else 1
    return widths * sizes


@click.command("fit")
@click.argument("models", nargs=-1, required=True)
@click.option("--macs", default=None, metavar="N", help="A Mult-Adds budget: 150M, 1.2G or a whole number.")
@click.option("--params", default=None, metavar="N", help="A parameter budget: 3M, 500K.")
@click.option(
    "--memory", default=None, metavar="SIZE", help="An activation-memory budget (the arena peak): 256K, 256KiB."
)
@click.option("--dtype", type=click.Choice(DTYPE_NAMES), default="int8", show_default=True, help="For --memory.")
@grid_options
@click.option(
    "--sort",
    type=click.Choice(["macs", "params", "peak-memory", "weight-bytes", "alpha", "resolution"]),
    default="macs",
    show_default=True,
    help="Best first: the most of this within the budgets.",
)
@profile_option
@network_options
@budget_counting
@output_options
@exact_option
@click.option(
    "--plot",
    default=None,
    metavar="FILE.png|FILE.svg",
    help="Also draw the fitting configurations, the frontier and the budget; needs mbcalc[plot].",
)
def fit(
    models,
    macs,
    params,
    memory,
    dtype,
    alphas,
    resolutions,
    sort,
    profile,
    classes,
    backbone,
    biases,
    bn,
    fmt,
    output,
    exact,
    plot,
):
    """The configurations within every budget, best first, the frontier and the published checkpoints marked.

    Without --alpha and --res the grid is each model's own widths (or 0.25 to 1.4 in steps of
    0.05) at 96 to 320 in steps of 16. With one configuration it is a budget check: exit 1 when
    it does not fit, saying by how much.

    \b
    Examples:
      mbcalc fit v3-large --macs 150M
      mbcalc fit v2 --memory 256K --dtype int8
      mbcalc fit my-net.yaml --alpha 1 --res 224 --macs 300M --params 4M
    """
    from .. import api
    from ..render.sweep import FitView
    from ..units import amount

    check_outputs(list(models), **{"-o": output, "--plot": plot})
    if plot:
        from ..plot import check_plot_target

        check_plot_target(plot)
    budgets = {}
    for flag, text, binary in (("--macs", macs, False), ("--params", params, False), ("--memory", memory, True)):
        if text is not None:
            try:
                budgets[flag.lstrip("-")] = amount(text, binary)
            except ValueError:
                example = "256K or 256KiB" if binary else "150M or 3M"
                raise MbcalcError(f"{flag} must be a whole amount like {example}, got '{text}'") from None
    counting = {"classes": classes, "backbone": backbone, "biases": biases, "bn": bn}
    grid = _grid_size(alphas, resolutions) if alphas and resolutions else None  # a model's own widths vary
    result = with_progress(
        len(set(models)) * grid if grid else None,
        lambda advance: api.fit(
            list(models),
            progress=advance,
            dtype=dtype,
            alphas=alphas,
            resolutions=resolutions,
            sort=sort,
            profile=profile,
            macs=budgets.get("macs"),
            params=budgets.get("params"),
            memory=budgets.get("memory"),
            **counting,
        ),
    )
    view = FitView(result, exact)
    emit(render(view, fmt, terminal_width(fmt, output)), output)
    if plot:
        from ..plot import plot_fit

        plot_fit(result, plot)
    if result.failed:
        if fmt != "table" or (output is not None and output != "-"):  # a printed table's footer says it already
            for line in view.verdicts():
                click.echo(f"mbcalc: {line}", err=True)
        sys.exit(1)


@click.command("reproduce")
@click.argument("which", type=click.Choice(["v1", "v2", "v3", "peers", "all"]), default="all")
@output_options
def reproduce_command(which, fmt, output):
    """Every published figure beside the computed one, with a verdict; exit 1 if any is unexplained.

    \b
    Examples:
      mbcalc reproduce v1
      mbcalc reproduce all --format markdown -o reproduction.md
    """
    from ..render.reproduce import ReproduceView
    from ..reproduce import reproduce

    check_outputs([], **{"-o": output})

    outcomes = tuple(reproduce(which))
    emit(render(ReproduceView(outcomes, sources=fmt != "table"), fmt, terminal_width(fmt, output)), output)
    if any(o.verdict == "unexplained" for o in outcomes):
        raise click.exceptions.Exit(1)


@click.command("docs")
@click.option("--check", is_flag=True, help="Only report stale pages (exit 1 if any); write nothing.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default="docs", show_default=True)
def docs_command(check, directory):
    """Regenerate the computed documentation (reproduction, models, conventions, the spec schema).

    \b
    Examples:
      mbcalc docs
      mbcalc docs --check
    """
    from pathlib import Path

    from ..docs import missing, stale, write

    docs = Path(directory)
    if not docs.is_dir():
        raise MbcalcError(f"no docs folder at '{directory}' (run from the repository root, or pass --dir)")
    if lacking := missing(docs):  # said before anything is written: no half-made folder
        for path in lacking:
            emit(
                f"missing: {path} (its text is written by hand around generated blocks: copy it from the repository)\n",
                None,
            )
        raise click.exceptions.Exit(1)
    changed = stale(docs) if check else write(docs)
    for path in changed:
        emit(f"{'stale' if check else 'wrote'}: {path}\n", None)
    if check and changed:
        raise click.exceptions.Exit(1)


COMMANDS: dict[str, click.Command] = {
    str(command.name): command
    for command in (
        list_models,
        conv,
        validate,
        compare,
        diff,
        explain,
        memory,
        sweep,
        fit,
        reproduce_command,
        docs_command,
    )
}
