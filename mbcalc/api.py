"""The library's front door: a model name, a spec path or a loaded spec -> a `Report`.

    >>> import mbcalc
    >>> mbcalc.analyze("v1", alpha=0.75, resolution=192).macs
    325484800

The steps are public too: `load` (a validated `Spec`), `build` (the layer IR, a `Network`) and
`count` (a `Report` under a counting convention). Errors are `MbcalcError`s naming the arguments.
"""

from __future__ import annotations

import collections
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from . import analysis, models
from .analysis import ConvComparison, Report
from .counting import Counter, convention
from .errors import ArgumentError, MbcalcError
from .expansion.expand import build as expand
from .expansion.profiles import BuildProfile, get_profile
from .expansion.roles import backbone_end, head_before_backbone
from .ir import Config, Location, Network, Role, Shape
from .lang.args import MAX_WHOLE
from .lang.program import Item, Program, Spec, Width
from .lang.rounding import truncate
from .read.spec import MAX_BYTES, decode, load_spec, parse_spec
from .read.tables import parse_size
from .record import replace

if TYPE_CHECKING:  # the deployment view, devices and sweeps load when first used: a count starts sooner
    from .memory import Memory
    from .read.device import Device
    from .roofline import Roofline
    from .sweep import Fit, Point, Sweep

MAX_ALPHA = 4.0
Model = str | os.PathLike[str] | Spec  # a bundled name, a spec path (str or pathlib.Path) or a loaded Spec
Resolution = int | str | tuple[int, int]  # 224 (224 x 224), '1024x2048' or (1024, 2048): height x width


def load(model: str | os.PathLike[str]) -> Spec:
    """A bundled model by name ('v1'), or a spec file by path, read and validated."""
    if not isinstance(model, (str, os.PathLike)):
        raise MbcalcError(f"model must be a bundled model's name, a spec file's path or a Spec, got {model!r}")
    if "\0" in str(model):
        raise MbcalcError(f"model {str(model)!r} is no file name or model name (it contains a NUL character)")
    if model == "-":
        return parse_spec(_stdin(), "<stdin>")
    if isinstance(model, os.PathLike) or models.is_spec_path(model):
        return load_spec(model)
    return _bundled(model)


@cache
def _stdin() -> str:
    """Standard input as a spec's text, read once: it can be read only once, and `compare -
    --baseline -` or `diff - -` names it twice."""
    if sys.stdin is None:  # started with standard input closed (`<&-`)
        raise MbcalcError("- reads the spec from standard input, which is closed (give a spec file instead)")
    return decode(sys.stdin.buffer.read(MAX_BYTES + 1), "<stdin>")


def loads(text: str, file: str = "<spec>") -> Spec:
    """A spec from its YAML text; `file` is the name its problems are reported under."""
    _expect(text, str, "text", "a spec's YAML text (a str)")
    return parse_spec(text, file)


@cache
def _bundled(name: str) -> Spec:
    """Bundled specs never change while mbcalc runs: each is parsed once."""
    name = models.canonical(name) or name
    path = models.find(name)
    return replace(
        load_spec(path, display=f"bundled {os.path.basename(path)}", variant=models.variant(name)), bundled=True
    )


def build(
    model: Model,
    *,
    alpha: float | None = None,
    resolution: Resolution | None = None,
    rho: float | None = None,
    profile: str | BuildProfile = "paper",
    classes: int | None = None,
    backbone: bool = False,
) -> Network:
    """The layer IR at width multiplier `alpha` (None: 1.0, or the first of the widths a spec is
    built at when 1.0 is not one) and `resolution` (None: the spec's own input size), or at `rho`
    times the spec's own input size (the V1 paper's resolution multiplier: 0.714 of 224 is 160).
    `backbone`: only the feature extractor, up to the last feature map before global pooling (or
    before the layers tagged as a detection or segmentation head)."""
    spec = model if isinstance(model, Spec) else load(model)
    if isinstance(model, str) and (implied := models.implied(model)):
        _check_implied(model, spec.name, implied, alpha, resolution, rho)
    height, width = _resolution(spec, resolution, rho)
    alpha = default_alpha(spec) if alpha is None else alpha
    check_config(alpha, height, classes)
    check_config(alpha, width, classes)
    chosen = get_profile(profile)
    config = Config(float(alpha), height, chosen.name, classes, width=width if width != height else None)
    network = expand(spec, config, chosen)
    return features(network) if backbone else network


def features(network: Network) -> Network:
    """The network's feature extractor: its layers up to the last feature map before global
    pooling and the classifier (torchvision's `model.features`), or before a detection or
    segmentation head (the layers tagged so)."""
    if (mixed := head_before_backbone(network.layers)) is not None:
        message = (
            f"{network.name} has backbone layer {mixed[1]} after head layer {mixed[0]}: list the detection or "
            f"segmentation head's layers after the backbone's to count the backbone alone"
        )
        raise ArgumentError(f"backbone: {message}", f"--backbone: {message}")
    end = backbone_end(network.layers)
    if end == 0:
        message = f"{network.name} has no layers before its global pooling or classifier: there is no backbone"
        raise ArgumentError(f"backbone: {message}", f"--backbone: {message}")
    last = network.layers[end - 1]
    note = (
        f"Backbone only: {end} of {len(network.layers)} layers, up to {last.name} ({last.output}); "
        f"no pooling or classifier."
    )
    return replace(
        network,
        layers=network.layers[:end],
        config=replace(network.config, backbone=True),
        notes=(*network.notes, note),
    )


def _check_implied(
    alias: str,
    name: str,
    implied: dict[str, float],
    alpha: float | None,
    resolution: Resolution | None,
    rho: float | None,
) -> None:
    """An alias that names a width (mobilenetv2_100) or a size (mobilenet_v2_1.0_224) keeps it."""
    if "alpha" in implied and alpha is not None and alpha != implied["alpha"]:
        raise ArgumentError(
            f"{alias} names {name} at width 1.0; for alpha={alpha:g}, use the model {name!r}",
            f"{alias} names {name} at width 1.0; for another width, use {name} --alpha {alpha:g}",
        )
    if "resolution" not in implied or (resolution is None and rho is None):
        return
    size = int(implied["resolution"])
    given: tuple[int, int] | None = None
    if isinstance(resolution, (int, str)):
        given = parse_resolution(str(resolution))
    elif resolution is not None:
        given = (resolution[0], resolution[1])
    if rho is not None or given != (size, size):
        shown = f"rho={rho:g}" if rho is not None else f"resolution={resolution}"
        raise ArgumentError(
            f"{alias} names {name} at {size}x{size}; for {shown}, use the model {name!r}",
            f"{alias} names {name} at {size}x{size}; for another size, use {name} "
            + (f"--rho {rho:g}" if rho is not None else f"--res {resolution}"),
        )


def default_alpha(spec: Spec) -> float:
    """1.0, unless the spec is built only at other widths: then the first of them."""
    widths = spec.program.widths
    if widths and not any(abs(width - 1.0) < 1e-9 for width in widths):
        return next(iter(widths))
    return 1.0


def count(
    network: Network,
    *,
    biases: bool | None = None,
    bn: str | None = None,
    elementwise: bool = False,
    counters: Mapping[str, Counter] | None = None,
) -> Report:
    """Count a network under its profile's convention; `biases`, `bn` and `counters` override it."""
    _expect(network, Network, "network", "a Network (what mbcalc.build returns)")
    _expect(bn, (str, type(None)), "bn", "None or one of none, affine, beta-stats, all")
    _expect(elementwise, bool, "elementwise", "True or False")
    _expect(counters, (Mapping, type(None)), "counters", "None or a mapping (mbcalc.counting.default_counters())")
    chosen = convention(
        network.config.profile, network.form, network.biases, biases=biases, bn=bn, elementwise=elementwise
    )
    return analysis.analyze(network, chosen, counters)


def analyze(
    model: Model,
    *,
    alpha: float | None = None,
    resolution: Resolution | None = None,
    rho: float | None = None,
    profile: str | BuildProfile = "paper",
    classes: int | None = None,
    biases: bool | None = None,
    bn: str | None = None,
    elementwise: bool = False,
    counters: Mapping[str, Counter] | None = None,
    backbone: bool = False,
    counting: str | None = None,
) -> Report:
    """load + build + count: a bundled model's name, a spec path or a loaded Spec -> Report.
    `counting`: also what a counting tool (tools.TOOLS: ptflops, fvcore ...) prints for the
    profile's framework model, as `Report.reported`."""
    _expect(backbone, bool, "backbone", "True or False")
    chosen = None
    if counting is not None:
        from . import tools  # only for a counting tool's number

        chosen = tools.tool(counting)
    network = build(
        model, alpha=alpha, resolution=resolution, rho=rho, profile=profile, classes=classes, backbone=backbone
    )
    if chosen is not None:
        tools.check_measured(network, chosen, f"counting={chosen.name!r}", f"--counting {chosen.name}")
        if biases is not None or bn is not None:  # the tool counts parameters its own way
            raise ArgumentError(
                f"counting={chosen.name!r} gives the parameters as {chosen.name} counts them: leave bn and biases out",
                f"--counting {chosen.name} gives the parameters as {chosen.name} counts them: "
                f"leave out --bn and --biases",
            )
        if tools.framework(network.config.profile) == "torchvision":
            biases, bn = True, "affine"  # sum(p.numel() for p in model.parameters())
    report = count(network, biases=biases, bn=bn, elementwise=elementwise, counters=counters)
    return report if chosen is None else replace(report, tool=chosen)


# --- arguments ---------------------------------------------------------------------------------


def _resolution(spec: Spec, resolution: Resolution | None, rho: float | None) -> tuple[int, int]:
    """The input's (height, width): `resolution` (R is R x R; 'HxW' or (H, W) as given), or rho
    times the spec's input size, or the spec's input size."""
    if resolution is not None and rho is not None:
        raise ArgumentError(
            "give resolution or rho, not both (rho P means resolution round(P * the spec's input size))",
            "give --res or --rho, not both (--rho P means --res round(P * the spec's input size))",
        )
    own = spec.input[0], spec.input[1]
    if rho is not None:
        check_rho(rho)
        scaled = round(own[0] * rho), round(own[1] * rho)
        if min(scaled) < 1:
            size = f"{own[0]}" if own[0] == own[1] else f"{own[0]}x{own[1]}"
            raise _bad("rho", "--rho", f"{rho:g} leaves no pixel of the {size}-pixel input", "0.5")
        return scaled
    if resolution is None:
        return own
    if isinstance(resolution, str):
        return parse_resolution(resolution)
    if isinstance(resolution, tuple) and len(resolution) == 2:
        return resolution[0], resolution[1]
    return resolution, resolution  # checked by check_config


def parse_resolution(text: str) -> tuple[int, int]:
    """'224' -> (224, 224); '1024x2048' -> (1024, 2048): height x width."""
    parts = text.strip().lower().split("x")
    if len(parts) in (1, 2) and all(re.fullmatch(r"[0-9]{1,4000}", p.strip()) for p in parts):
        height, width = int(parts[0]), int(parts[-1])
        return height, width
    raise _bad("resolution", "--res", f"must be R or HxW (pixels), got '{text}'", "224 or 1024x2048")


def _expect(value: object, kinds: type | tuple[type, ...], argument: str, example: str) -> None:
    """A library argument of the wrong type is an error naming it, not a TypeError from deep inside."""
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _kinds(kinds)):
        raise ArgumentError(
            f"{argument} must be {example}, got {value!r}", f"{argument} must be {example}, got {value!r}"
        )


def _kinds(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _bad(argument: str, flag: str, problem: str, example: str) -> ArgumentError:
    return ArgumentError(
        f"{argument} {problem} (e.g. {argument}={example})", f"{flag} {problem} (e.g. {flag} {example})"
    )


MAX_RESOLUTION = 100_000  # pixels a side: past any image, and the counts stay exact integers
MAX_CLASSES = MAX_WHOLE


def check_rho(rho: float) -> None:
    if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0 < rho <= 16:
        raise _bad("rho", "--rho", f"must be a number in (0, 16], got {_shown(rho)}", "0.714 for 160x160")


def check_config(alpha: float, resolution: int, classes: int | None = None) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= MAX_ALPHA:
        raise _bad("alpha", "--alpha", f"must be a number in (0, {MAX_ALPHA:g}], got {_shown(alpha)}", "0.75")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 1 <= resolution <= MAX_RESOLUTION:
        problem = f"must be a whole number from 1 to {MAX_RESOLUTION:,}, got {_shown(resolution)}"
        raise _bad("resolution", "--res", problem, "192")
    if classes is not None and (
        isinstance(classes, bool) or not isinstance(classes, int) or not 1 <= classes <= MAX_CLASSES
    ):
        raise _bad(
            "classes", "--classes", f"must be a whole number from 1 to {MAX_CLASSES:,}, got {_shown(classes)}", "10"
        )


def _shown(value: object) -> str:
    """A number as itself (a huge one by its digits), anything else as its repr ('0.5' in quotes is
    a string, not a number)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**12:
        return f"a number of {len(str(abs(value)))} digits"
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(value)


# --- mbcalc conv, compare, diff ------------------------------------------------------------------


_HERE = Location("<mbcalc conv>", 0, 0)  # the programs of `compare_conv` are made here, not read


def _program(role: str, *ops: tuple[str, str, dict[str, Any]]) -> Program:
    return Program(
        tuple(
            Item(
                op,
                {k: Width(v, "fixed") if k == "out" else v for k, v in args.items()},
                _HERE,
                name=name,
                role=role,
            )
            for name, op, args in ops
        )
    )


def explain(
    model: Model,
    *,
    alpha: float | None = None,
    resolution: Resolution | None = None,
    profile: str | BuildProfile = "torchvision",
) -> analysis.Explanation:
    """Every counting tool's number for the profile's framework model, reached from the same line
    items (`mbcalc explain`)."""
    from . import tools

    report = analyze(model, alpha=alpha, resolution=resolution, profile=profile)
    tools.check_measured(report.network, None, "explain", "explain")
    return analysis.explain(report, tools.tools_for(report.network))


def memory(
    model: Model,
    *,
    alpha: float | None = None,
    resolution: Resolution | None = None,
    rho: float | None = None,
    profile: str | BuildProfile = "paper",
    classes: int | None = None,
    backbone: bool = False,
    dtype: str = "int8",
) -> Memory:
    """Weight bytes as deployed and activation memory under each named model (`mbcalc memory`)."""
    from .memory import analyze_memory

    network = build(
        model, alpha=alpha, resolution=resolution, rho=rho, profile=profile, classes=classes, backbone=backbone
    )
    return analyze_memory(network, dtype)


def device(name_or_path: str | os.PathLike[str]) -> Device:
    """A bundled device (`cortex-m7`, see `devices()`) or a device file, for `roofline`."""

    return _device(name_or_path)


def _device(name_or_path: str | os.PathLike[str]) -> Device:
    from .read.device import load_device

    _expect(name_or_path, (str, os.PathLike), "device", "a bundled device's name, a device file's path or a Device")
    return load_device(str(name_or_path))


def devices() -> list[str]:
    """The bundled devices' names."""
    from .read.device import bundled_devices

    return list(bundled_devices())


def roofline(
    model: Model,
    device: str | os.PathLike[str] | Device,
    *,
    alpha: float | None = None,
    resolution: Resolution | None = None,
    rho: float | None = None,
    profile: str | BuildProfile = "paper",
    classes: int | None = None,
    backbone: bool = False,
    dtype: str = "int8",
) -> Roofline:
    """Each operator's lower bound on a device, max(Mult-Adds / peak, traffic / bandwidth), and
    their sum (`mbcalc memory --device`): a bound, never a latency prediction."""
    from .read.device import Device

    chosen = device if isinstance(device, Device) else _device(device)
    report = memory(
        model,
        alpha=alpha,
        resolution=resolution,
        rho=rho,
        profile=profile,
        classes=classes,
        backbone=backbone,
        dtype=dtype,
    )
    return bound(report, chosen)


def bound(memory: Memory, device: Device) -> Roofline:
    """The roofline bounds of a deployment view already made (`memory`) on `device`."""
    from .roofline import roofline as bounds

    return bounds(memory, device)


def compare_conv(
    in_shape: str,
    out_channels: int,
    kernel: int = 3,
    stride: int = 1,
    padding: str = "same",
    alpha: float = 1.0,
    rho: float = 1.0,
) -> ConvComparison:
    """`mbcalc conv`: parse 'HxWxC', apply alpha to the channels and rho to the spatial size, compare."""
    size = parse_size(in_shape)
    if size is None or min(size) < 1:
        raise ArgumentError(
            f"in_shape must be a size like 14x14x512 (height x width x channels), got '{in_shape}'",
            f"--in must be a size like 14x14x512 (height x width x channels), got '{in_shape}'",
        )
    check_config(alpha, 1)
    check_rho(rho)
    h, w, c = size
    if min(round(h * rho), round(w * rho)) < 1:
        raise _bad("rho", "--rho", f"{rho:g} leaves no pixel of the {h}x{w} input", "0.714")
    shape = Shape(truncate(c, alpha), round(h * rho), round(w * rho))
    out = truncate(out_channels, alpha)
    if min(shape.channels, out) < 1:
        raise ArgumentError(
            f"alpha {alpha:g} leaves no channels ({c} -> {shape.channels}); use a larger alpha",
            f"--alpha {alpha:g} leaves no channels ({c} -> {shape.channels}); use a larger --alpha",
        )
    if padding == "valid" and min(shape.height, shape.width) < kernel:
        raise ArgumentError(
            f"a {kernel}x{kernel} kernel does not fit a {shape.height}x{shape.width} input with "
            f"padding valid; use a larger in_shape or padding same",
            f"a {kernel}x{kernel} kernel does not fit a {shape.height}x{shape.width} input "
            f"with --padding valid; use a larger --in or --padding same",
        )
    conv = {"k": kernel, "s": stride, "p": padding}
    programs = {
        "standard": _program(Role.CONV, ("conv", "conv", {"out": out, **conv})),
        "separable": _program(Role.SEPARABLE, ("dw", "dw", conv), ("pw", "pw", {"out": out})),
    }
    networks = [
        expand(Spec(name, "graph", "", "", (h, w, c), 1, program, "<conv>"), Config(), get_profile("paper"), shape)
        for name, program in programs.items()
    ]
    return analysis.compare_conv(networks[0], networks[1], kernel, out)


def parse_target(text: str) -> tuple[str, float | None, int | tuple[int, int] | None]:
    """'v3-large@0.75/224' -> ('v3-large', 0.75, 224); 'lraspp-v3-large@1.0/1024x2048' -> (...,
    (1024, 2048)); 'v2' -> ('v2', None, None); paths work too."""
    m = re.fullmatch(r"(.+?)@([^/@]+)(?:/([^/@]+))?", text)
    if not m:
        return text, None, None
    try:
        if "_" in m[2] + (m[3] or ""):  # Python reads 1_0 as 10: not a way to write 1.0
            raise ValueError(text)
        alpha = float(m[2])
        res: int | tuple[int, int] | None = None
        if m[3] is not None:
            if not re.fullmatch(r"[0-9]+(x[0-9]+)?", m[3].strip().lower()):
                raise ValueError(text)
            height, width = parse_resolution(m[3])
            res = height if height == width else (height, width)
    except (ValueError, ArgumentError):
        raise ArgumentError(
            f"'{text}': expected MODEL@ALPHA/RES (RES: R or HxW), e.g. v3-large@0.75/224",
            f"'{text}': expected MODEL@ALPHA/RES (RES: R or HxW), e.g. v3-large@0.75/224",
        ) from None
    return m[1], alpha, res


def compare(
    model_names: list[str],
    alphas: Sequence[float | None],
    resolutions: Sequence[Resolution | None],
    profile: str = "paper",
    baseline: str | None = None,
    memory_dtype: str | None = None,
    progress: Callable[[int], Any] | None = None,
    **counting: Any,
) -> analysis.Comparison:
    """Every model x alpha x resolution, in that order, and the baseline if one is named (a
    resolution None is each spec's own input size). `counting`: analyze's classes, biases, bn,
    elementwise and backbone, for every configuration and the baseline. `memory_dtype`: also the
    deployment view of each at that dtype (its arena peak and weight bytes). `progress(n)` is
    called as configurations are done."""
    from .cost import DTYPES
    from .memory import analyze_memory

    _expect(model_names, (list, tuple), "model_names", "a list of models, e.g. ['v1', 'v2']")
    _expect(alphas, (list, tuple), "alphas", "a list, e.g. [1.0, 0.75]")
    _expect(resolutions, (list, tuple), "resolutions", "a list, e.g. [224, 192]")
    _expect(baseline, (str, type(None)), "baseline", "None or a target such as 'v2@1.0/224'")
    for name in model_names:
        _expect(name, (str, os.PathLike), "model_names", "a list of models, e.g. ['v1', 'v2']")
    if unknown := set(counting) - {"classes", "biases", "bn", "elementwise", "backbone", "counting"}:
        raise ArgumentError(f"compare takes no argument {', '.join(sorted(unknown))}", f"unknown {sorted(unknown)}")
    if memory_dtype is not None and memory_dtype not in DTYPES:
        raise ArgumentError(
            f"memory_dtype must be None or one of {', '.join(DTYPES)}, got {memory_dtype!r}",
            f"--memory must be one of {', '.join(DTYPES)}",
        )
    specs = {name: load(name) for name in dict.fromkeys(model_names)}  # each spec read (and checked) once
    for name, spec in specs.items():
        if isinstance(name, str) and (implied := models.implied(name)):
            for a in alphas:
                for r in resolutions:
                    _check_implied(name, spec.name, implied, a, r, None)
    labels = _labels(specs)
    runs = [(m, a, r) for m in model_names for a in alphas for r in resolutions]
    reports = tuple(
        _counted(analyze(specs[m], alpha=a, resolution=r, profile=profile, **counting), progress) for m, a, r in runs
    )
    base = _target(baseline, profile, None, None, "baseline", **counting) if baseline else None
    memories = tuple(analyze_memory(r.network, memory_dtype) for r in reports) if memory_dtype is not None else ()
    return analysis.Comparison(reports, base, tuple(labels[m] for m, _, _ in runs), memories)


DEFAULT_FIT_ALPHAS = "0.25:1.4:0.05"  # the grid `fit` searches unless told (a spec's own widths if it has them)
DEFAULT_FIT_RESOLUTIONS = "96:320:16"


def sweep(
    model_names: Sequence[str | os.PathLike[str]],
    alphas: Sequence[float] | str | None = None,
    resolutions: Sequence[int] | str | None = None,
    profile: str = "paper",
    metrics: Sequence[str] = ("macs", "params"),
    dtype: str = "int8",
    progress: Callable[[int], Any] | None = None,
    **counting: Any,
) -> Sweep:
    """Every model x alpha x resolution, each the integers one build gives (`mbcalc sweep`).
    `alphas` and `resolutions`: lists, or ranges as text ('0.35:1.4:0.05', inclusive); None: each
    spec's own. `metrics`: of sweep.METRICS (peak-memory and weight-bytes at `dtype`). `counting`:
    classes, biases, bn and backbone. `progress(n)` is called as configurations are done."""

    widths = _values(alphas, "alphas", False) if alphas is not None else None
    sizes = _values(resolutions, "resolutions", True) if resolutions is not None else None

    def grid(spec: Spec) -> tuple[list[float], list[int]]:
        return widths or [default_alpha(spec)], sizes or [_square(spec)]

    return _sweep(model_names, grid, profile, tuple(metrics), dtype, progress, counting)


def fit(
    model_names: Sequence[str | os.PathLike[str]],
    *,
    macs: int | None = None,
    params: int | None = None,
    memory: int | None = None,
    dtype: str = "int8",
    alphas: Sequence[float] | str | None = None,
    resolutions: Sequence[int] | str | None = None,
    sort: str = "macs",
    profile: str = "paper",
    progress: Callable[[int], Any] | None = None,
    **counting: Any,
) -> Fit:
    """The configurations within every budget (`macs`, `params`, `memory`: the arena peak in bytes
    at `dtype`), best first by `sort`, with the frontier and the published checkpoints marked
    (`mbcalc fit`). Without `alphas` and `resolutions`, each model's grid is its own widths (or
    0.25 to 1.4 in steps of 0.05) at 96 to 320 in steps of 16."""
    from .sweep import METRICS, SORTS, parse_range
    from .sweep import fit as fit_budgets

    budgets = {
        name: value
        for name, value in (("macs", macs), ("params", params), ("peak-memory", memory))
        if value is not None
    }
    if not budgets:
        raise ArgumentError(
            "give at least one budget: macs, params or memory", "give at least one budget: --macs, --params or --memory"
        )
    for name, value in budgets.items():
        _expect(value, int, name, "a whole number of Mult-Adds, parameters or bytes")
    if sort not in SORTS:
        raise ArgumentError(
            f"sort must be one of {', '.join(SORTS)}, got {sort!r}", f"--sort must be one of {', '.join(SORTS)}"
        )
    metrics = tuple(dict.fromkeys(("macs", "params", *budgets, *((sort,) if sort in METRICS else ()))))
    widths = _values(alphas, "alphas", False) if alphas is not None else None
    sizes = _values(resolutions, "resolutions", True) if resolutions is not None else None

    def grid(spec: Spec) -> tuple[list[float], list[int]]:
        own = list(spec.program.widths or ()) or parse_range(DEFAULT_FIT_ALPHAS, "alphas", False)
        return widths or own, sizes or parse_range(DEFAULT_FIT_RESOLUTIONS, "resolutions", True)

    whole = _sweep(model_names, grid, profile, metrics, dtype, progress, counting)
    as_published = counting.get("classes") is None and not counting.get("backbone")  # the checkpoints' networks
    return fit_budgets(whole, budgets, sort, _published if as_published else None)


def _sweep(
    model_names: Sequence[str | os.PathLike[str]],
    grid: Callable[[Spec], tuple[list[float], list[int]]],
    profile: str,
    metrics: tuple[str, ...],
    dtype: str,
    progress: Callable[[int], Any] | None,
    counting: dict[str, Any],
) -> Sweep:
    from .cost import DTYPES
    from .sweep import MAX_POINTS, METRICS, Sweep, run

    _expect(model_names, (list, tuple), "model_names", "a list of models, e.g. ['v2']")
    metrics = tuple(dict.fromkeys(metrics))
    if not metrics:
        raise ArgumentError(
            f"metrics is empty: give at least one of {', '.join(METRICS)}",
            f"--metric is empty: give at least one of {', '.join(METRICS)}",
        )
    if unknown := set(counting) - {"classes", "biases", "bn", "backbone"}:
        raise ArgumentError(f"sweep takes no argument {', '.join(sorted(unknown))}", f"unknown {sorted(unknown)}")
    if bad := [m for m in metrics if m not in METRICS]:
        raise ArgumentError(
            f"metrics must be of {', '.join(METRICS)}, got {', '.join(bad)}",
            f"--metric must be of {', '.join(METRICS)}, got {', '.join(bad)}",
        )
    measured = any(m in ("peak-memory", "weight-bytes") for m in metrics)
    if measured and dtype not in DTYPES:
        raise ArgumentError(
            f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}", f"--dtype must be one of {', '.join(DTYPES)}"
        )
    specs = {str(name): load(name) for name in dict.fromkeys(model_names)}
    labels = _labels(specs)
    grids = {name: grid(spec) for name, spec in specs.items()}
    total = sum(len(widths) * len(sizes) for widths, sizes in grids.values())
    if total > MAX_POINTS:
        message = f"the sweep has {total:,} configurations, more than {MAX_POINTS:,}: use coarser steps"
        raise ArgumentError(message, message)
    points: list[Point] = []
    axes: dict[str, tuple[tuple[float, ...], tuple[int, ...]]] = {}
    for name, spec in specs.items():
        widths, sizes = grids[name]
        for alpha in widths:
            check_config(alpha, sizes[0], counting.get("classes"))
        for size in sizes:
            check_config(widths[0], size, counting.get("classes"))

        def build_one(alpha: float, resolution: int, spec: Spec = spec) -> Report:
            return analyze(spec, alpha=alpha, resolution=resolution, profile=profile, **counting)

        axes[labels[name]] = (tuple(widths), tuple(sizes))
        points += run(labels[name], build_one, widths, sizes, dtype if measured else None, spec.bundled, progress)
    return Sweep(tuple(points), axes, metrics, get_profile(profile).name, dtype if measured else None)


def _square(spec: Spec) -> int:
    """A spec's own input size as a sweep's one resolution (a sweep builds R x R inputs)."""
    height, width = _resolution(spec, None, None)
    if height != width:
        message = f"{spec.name}'s input is {height}x{width}; a sweep builds square inputs R x R: give the resolutions"
        raise ArgumentError(
            message.replace("give the", "give resolutions="), message.replace("give the resolutions", "give --res")
        )
    return height


def _published(model: str, alpha: float, resolution: int) -> tuple[tuple[str, ...], float | None]:
    from .published import checkpoints, published_top1

    return checkpoints(model, alpha, resolution), published_top1(model, alpha, resolution)


def _values(values: Sequence[Any] | str, argument: str, integer: bool) -> list[Any]:
    if isinstance(values, str):
        from .sweep import parse_range

        return parse_range(values, argument, integer)
    flag = {"alphas": "--alpha", "resolutions": "--res"}[argument]
    _expect(values, (list, tuple), argument, "a list, or a range as text such as '0.35:1.4:0.05'")
    if not values:
        raise ArgumentError(f"{argument} is empty", f"{flag} is empty")
    kind = "whole numbers (a sweep's inputs are R x R)" if integer else "numbers"
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
            raise ArgumentError(f"{argument} must be {kind}, got {value!r}", f"{flag} must be {kind}, got {value!r}")
    return [int(v) for v in values] if integer else [float(v) for v in values]


def _counted(report: Report, progress: Callable[[int], Any] | None) -> Report:
    if progress is not None:
        progress(1)
    return report


def _labels(specs: Mapping[str, Spec]) -> dict[str, str]:
    """Each model argument's label: its spec's name, or, for a spec file whose name another model
    also has, the path it was given as (a copy of v2 still named v2 is not v2)."""
    names = collections.Counter(spec.name for spec in specs.values())
    labels = {
        argument: spec.name if names[spec.name] == 1 or spec.bundled else spec.file for argument, spec in specs.items()
    }
    taken = collections.Counter(labels.values())  # a spec named like another's path: its path too
    labels = {
        argument: label if taken[label] == 1 else argument if specs[argument].bundled else specs[argument].file
        for argument, label in labels.items()
    }
    seen: collections.Counter[str] = collections.Counter()
    for argument, label in labels.items():  # still alike (the same file under two names): numbered
        seen[label] += 1
        labels[argument] = label if seen[label] == 1 else f"{label} ({seen[label]})"
    return labels


def diff(
    a: str, b: str, profile: str = "paper", alpha: float | None = None, resolution: int | None = None
) -> analysis.Diff:
    """Two configurations ('v3-large@1.0/224', a spec path, ...) layer by layer (without @ALPHA/RES:
    `alpha` and `resolution`, by default each spec's own)."""
    _expect(a, str, "a", "a model or target such as 'v1@0.75/224'")
    _expect(b, str, "b", "a model or target such as 'v1@0.75/224'")
    names = parse_target(a)[0], parse_target(b)[0]
    specs = {name: load(name) for name in dict.fromkeys(names)}  # each read once, as compare reads them
    labels = _labels(specs)
    first = _target(a, profile, alpha, resolution, "A", spec=specs[names[0]])
    second = _target(b, profile, alpha, resolution, "B", spec=specs[names[1]])
    return analysis.diff(first, second, (labels[names[0]], labels[names[1]]))


def _target(
    text: str,
    profile: str,
    alpha: float | None,
    resolution: Resolution | None,
    role: str,
    spec: Spec | None = None,
    **counting: Any,
) -> Report:
    """The report of 'MODEL@ALPHA/RES' (`spec`: its model, already read); a bad ALPHA or RES is said
    of the target (`role`: A, B or baseline), not of an option."""
    name, al, res = parse_target(text)
    try:
        if implied := models.implied(name):
            _check_implied(
                name,
                (spec or load(name)).name,
                implied,
                alpha if al is None else al,
                resolution if res is None else res,
                None,
            )
        return analyze(
            spec or name,
            alpha=alpha if al is None else al,
            resolution=resolution if res is None else res,
            profile=profile,
            **counting,
        )
    except ArgumentError as exc:
        flag = "--baseline" if role == "baseline" else role
        raise ArgumentError(f"{role} {text}: {exc}", f"{flag} {text}: {exc}") from None
