"""What every command shares: writing output, refusing outputs that would replace inputs, the
option bundles, and the model commands (`mbcalc v2`, `mbcalc my-net.yaml`), which every run may need."""

from __future__ import annotations

import errno
import itertools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .. import models
from ..errors import MbcalcError
from ..render import FORMATS, render

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


# --- output and shared options ----------------------------------------------------------------


def terminal_width(fmt: str, output: str | None) -> int | None:
    """The width a table must fit: COLUMNS if set, else the terminal's when printing to one;
    None (as wide as its cells) for a file, a pipe or another format."""
    if fmt != "table" or (output is not None and output != "-"):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout is not None and sys.stdout.isatty():
        import shutil  # only for a table printed to a terminal

        return shutil.get_terminal_size().columns
    return None


def emit(text: str, output: str | None) -> None:
    """Print, or write `output` atomically (io.write_text)."""
    if output is None or output == "-":
        if sys.stdout is None:  # started with standard output closed (`>&-`): an I/O error, not silence
            raise OSError(errno.EBADF, "it is closed")
        click.echo(text, nl=False)
        return
    from ..io import write_text

    write_text(output, text)


def check_outputs(inputs: list[str], **outputs: str | None) -> None:
    """Before any work: refuse an output that would replace an input (a spec or device file, the
    spec read from standard input, a bundled spec or device, the references or latencies file) or
    another output (`-o x.png
    --plot x.png`), or that cannot be written at all; the inputs are left untouched."""
    named = [(flag, path) for flag, path in outputs.items() if path is not None and path != "-"]
    if not named:  # printing only: nothing to protect
        return
    from ..io import same_as_stdin, same_file, writable_problem

    sources = [(f"the input file {name}", name) for name in inputs if name != "-" and models.is_spec_path(name)]
    sources += [(f"the bundled spec {os.path.basename(path)}", path) for path in set(models.bundled().values())]
    devices = models.yaml_files(os.path.join(models.specs_dir(), "devices"))
    sources += [(f"the bundled device {os.path.basename(path)}", path) for path in devices]
    sources += [("the references file", models.references_path())]
    sources += [("the latencies file", models.latencies_path())]
    for flag, path in named:
        if not path.strip() or "\0" in path:
            stdout = " (or - for stdout)" if flag == "-o" else ""
            raise MbcalcError(f"{flag} needs a file name{stdout}, got {path!r}")
        if "-" in inputs and same_as_stdin(path):
            raise MbcalcError(f"{flag} {path} is the spec read from standard input: choose another output file")
        for what, source in sources:
            if same_file(path, source):
                raise MbcalcError(f"{flag} {path} is {what}: choose another output file")
        if (problem := writable_problem(path)) is not None:
            raise MbcalcError(f"cannot write {flag} {path}: {problem}")
    for (flag, path), (other, second) in itertools.pairwise(named):
        if same_file(path, second):
            raise MbcalcError(f"{flag} and {other} both name {path}: give each output its own file")


def options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """A bundle of options, declared once and shared by the commands that take them."""

    def apply(fn: F) -> F:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


PROFILE_NAMES = ("paper", "torchvision", "keras", "tf-slim")  # expansion/profiles.py (a test checks they agree)
BN_CHOICES = ("none", "affine", "beta-stats", "all")  # cost.BN_TENSORS (likewise)
BY = ("layer", "block", "row")  # render.model.BY (likewise)
DTYPE_NAMES = ("int8", "fp16", "bf16", "fp32")  # memory.DTYPES (likewise)
TOOL_NAMES = (
    "flopcounter",
    "ptflops",
    "ptflops-aten",
    "thop",
    "fvcore",
    "torchinfo",
    "tf-profiler",
    "timm",
)  # tools.TOOLS (likewise)
profile_option = click.option(
    "--profile",
    "-p",
    type=click.Choice(PROFILE_NAMES),
    default="paper",
    show_default=True,
    help="Whose architecture details and counting convention to follow.",
)
output_options = options(
    click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True),
    click.option(
        "--output",
        "-o",
        metavar="FILE",
        default=None,
        help="Write to FILE (atomically) instead of stdout.",
    ),
)
exact_option = click.option("--exact", is_flag=True, help="Exact integers instead of 568.7M in table/markdown.")


# --- the model commands ----------------------------------------------------------------------


network_options = options(  # what is built, beyond its width and resolution
    click.option(
        "--classes", type=int, default=None, help="Classifier outputs (default: the spec's, 1000; TF-Slim's 1001)."
    ),
    click.option(
        "--backbone",
        is_flag=True,
        help="Only the feature extractor: up to the last feature map before global pooling (torchvision's "
        "features), or before a detection or segmentation head.",
    ),
)

counting_options = options(
    click.option(
        "--biases/--no-biases",
        default=None,
        help="Count bias parameters (default: the profile's, or the paper's convention).",
    ),
    click.option(
        "--bn",
        type=click.Choice(BN_CHOICES),
        default=None,
        help="Batch-norm parameters per channel: none 0, affine 2 (γ,β), beta-stats 3, all 4.",
    ),
    click.option(
        "--count",
        "elementwise",
        is_flag=True,
        help="Also count element-wise ops (activations, batch norm, adds, SE multiply, layer scale, pooling, softmax).",
    ),
    click.option("--flops", is_flag=True, help="Also report FLOPs = 2 × Mult-Adds + element-wise ops."),
    click.option(
        "--counting",
        type=click.Choice(TOOL_NAMES),
        default=None,
        help="Also give exactly what this counting tool prints for the profile's framework model (see README).",
    ),
)

size_options = options(
    click.option(
        "--alpha",
        "-a",
        type=float,
        default=None,
        help="Width multiplier α, 0 < α ≤ 4 (default: 1.0, or a spec's first width when it is not built at 1.0).",
    ),
    click.option(
        "--res",
        "-r",
        default=None,
        metavar="R|HxW",
        help="Input resolution in pixels: R is R x R, or HxW such as 1024x2048 (default: the spec's input size).",
    ),
    click.option(
        "--rho",
        type=float,
        default=None,
        help="Resolution multiplier ρ: --res round(ρ·R), R the spec's input size (224 for the bundled models).",
    ),
)

model_options = options(
    size_options,
    profile_option,
    network_options,
    output_options,
    exact_option,
    counting_options,
    click.option(
        "--by",
        type=click.Choice(BY),
        default="layer",
        show_default=True,
        help="One row per layer, per block (stem, each block, head, classifier) or per row of the paper's table.",
    ),
    click.option(
        "--hide-zero",
        is_flag=True,
        help="Per-layer view: leave out layers that cost nothing (the table says how many).",
    ),
)


def run_model(
    model: str,
    alpha: float | None,
    res: int | None,
    rho: float | None,
    profile: str,
    classes: int | None,
    fmt: str,
    output: str | None,
    exact: bool,
    biases: bool | None,
    bn: str | None,
    elementwise: bool,
    flops: bool,
    backbone: bool,
    counting: str | None,
    by: str,
    hide_zero: bool,
) -> None:
    check_outputs([model], **{"-o": output})
    if hide_zero and (by != "layer" or fmt in ("json", "csv")):
        raise MbcalcError(
            "--hide-zero leaves rows out of the per-layer table (table, markdown, latex); "
            "JSON and CSV list every layer, and --by block or row has no per-layer rows"
        )
    from .. import api  # the library loads only when a command needs it: --help and --version stay fast

    report = api.analyze(
        model,
        alpha=alpha,
        resolution=res,
        rho=rho,
        profile=profile,
        classes=classes,
        biases=biases,
        bn=bn,
        elementwise=elementwise or flops,
        backbone=backbone,
        counting=counting,
    )
    from ..render.model import ModelView

    if by == "row":
        report.parts(by)  # a graph spec has no rows: said before anything is drawn
    emit(render(ModelView(report, exact, flops, by, hide_zero), fmt, terminal_width(fmt, output)), output)


def model_command(name: str, help_text: str, given: str | None = None) -> click.Command:
    widths = models.widths(name) if models.canonical(name) else []  # an example the model takes
    alpha = "0.75" if not widths or 0.75 in widths else f"{min(widths):g}"
    height, width = models.own_input(name)  # another size the model takes: 192 for the classifiers
    size = (
        "192"
        if (height, width) == (224, 224)
        else str(height + 32)
        if height == width
        else f"{(height + 1) // 2}x{(width + 1) // 2}"
    )
    example = f"mbcalc {name} --alpha {alpha} --res {size}" if alpha != "1" else f"mbcalc {name} --res {size}"

    @click.command(name=name, help=f"{help_text}\n\nExample: {example}", short_help=help_text)
    @model_options
    def command(**options):
        run_model(given or name, **options)

    return command


def discard_stdout() -> None:
    """Point standard output at /dev/null, so that the unwritten rest is not retried (and fails
    again, with a traceback) when the interpreter flushes it at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture): nothing to flush
        pass


def one_line(message: str) -> str:
    """A message on one line: line breaks become spaces, other control characters are escaped."""
    text = " ".join(line.strip() for line in message.strip().splitlines()) or "unknown error"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
