"""The library's front door: model name or spec path -> Report, with the convention resolved.

    >>> from mbcalc.api import report
    >>> report("v1", alpha=0.75, resolution=192).total.macs
"""

from __future__ import annotations


from functools import lru_cache

from . import analysis, models
from .analysis import ConvComparison, Report, analyze
from .counting import Convention
from .errors import MbcalcError
from .expand import Builder, build
from .ir import Config, Network, Shape
from .profiles import BN_CONVENTIONS, Profile, resolve
from .spec import Spec, load_spec, parse_size
from .width import truncate

MAX_ALPHA = 4.0


def load(model: str) -> Spec:
    """A bundled model by name ('v1'), or a spec file by path."""
    if models.is_spec_path(model):
        return load_spec(model)
    return _bundled(model)


@lru_cache(maxsize=None)
def _bundled(name: str) -> Spec:
    """Bundled specs never change while mbcalc runs: each is parsed once."""
    path = models.find(name)
    return load_spec(path, display=f"specs/{path.name}")


def resolution(res: int | None, rho: float | None) -> int | None:
    """--res, or round(224 * rho) (the V1 paper's rho), or None: the spec's own input size."""
    if res is not None and rho is not None:
        raise MbcalcError("give --res or --rho, not both (--rho P means --res round(224*P))")
    if rho is not None:
        check_rho(rho)
        return max(1, round(224 * rho))
    return res


def check_rho(rho: float) -> None:
    if not 0 < rho <= 16:
        raise MbcalcError(f"--rho must be in (0, 16], got {rho:g} (e.g. --rho 0.714 for 160x160)")


def check_config(alpha: float, resolution: int, classes: int | None = None) -> None:
    if not (isinstance(alpha, (int, float)) and 0 < alpha <= MAX_ALPHA):
        raise MbcalcError(f"--alpha must be a number in (0, {MAX_ALPHA:g}], got {alpha} (e.g. --alpha 0.75)")
    if not isinstance(resolution, int) or resolution < 1:
        raise MbcalcError(f"--res must be a whole number >= 1, got {resolution} (e.g. --res 192)")
    if classes is not None and (not isinstance(classes, int) or classes < 1):
        raise MbcalcError(f"--classes must be a whole number >= 1, got {classes} (e.g. --classes 10)")


def network(model: str | Spec, alpha: float = 1.0, resolution: int | None = None,
            profile: str | Profile = "paper", classes: int | None = None) -> Network:
    """Expand a model; `resolution` None means the spec's own input size (224 for the bundled ones)."""
    spec = load(model) if isinstance(model, str) else model
    resolution = spec.input[0] if resolution is None else resolution
    check_config(alpha, resolution, classes)
    chosen = resolve(profile)
    return build(spec, Config(float(alpha), resolution, chosen.name, classes), chosen)


def convention(spec: Spec, profile: str | Profile = "paper", *, biases: bool | None = None,
               bn: str | None = None, elementwise: bool = False) -> Convention:
    """The profile's counting convention, with the spec's defaults and any explicit overrides."""
    chosen = resolve(profile)
    if biases is None:
        biases = chosen.biases if chosen.biases is not None else spec.counting.get("biases", True)
    bn = bn or chosen.bn.get(spec.form, "none")
    if bn not in BN_CONVENTIONS:
        raise MbcalcError(f"--bn must be one of {', '.join(BN_CONVENTIONS)}, got '{bn}'")
    return Convention(biases=biases, bn=bn, elementwise=elementwise)


def report(model: str | Spec, alpha: float = 1.0, resolution: int | None = None, profile: str | Profile = "paper", *,
           biases: bool | None = None, bn: str | None = None, elementwise: bool = False,
           classes: int | None = None) -> Report:
    spec = load(model) if isinstance(model, str) else model
    net = network(spec, alpha, resolution, profile, classes)
    return analyze(net, convention(spec, profile, biases=biases, bn=bn, elementwise=elementwise))


def compare_conv(in_shape: str, out_channels: int, kernel: int = 3, stride: int = 1, padding: str = "same",
                 alpha: float = 1.0, rho: float = 1.0) -> ConvComparison:
    """`mbcalc conv`: parse 'HxWxC', apply α to the channels and ρ to the spatial size, compare."""
    size = parse_size(in_shape)
    if size is None or min(size) < 1:
        raise MbcalcError(f"--in must be a size like 14x14x512 (height x width x channels), got '{in_shape}'")
    check_config(alpha, 1)
    check_rho(rho)
    h, w, c = size
    shape = Shape(truncate(c, alpha), max(1, round(h * rho)), max(1, round(w * rho)))
    out = truncate(out_channels, alpha)
    if min(shape.channels, out) < 1:
        raise MbcalcError(f"--alpha {alpha:g} leaves no channels ({c} -> {shape.channels}); use a larger --alpha")
    if padding == "valid" and min(shape.height, shape.width) < kernel:
        raise MbcalcError(f"a {kernel}x{kernel} kernel does not fit a {shape.height}x{shape.width} input "
                          f"with --padding valid; use a larger --in or --padding same")
    standard, separable = Builder(shape), Builder(shape)
    standard.role, separable.role = "conv", "separable"
    standard.conv("conv", out, kernel, stride, padding=padding)
    separable.depthwise("dw", kernel, stride, padding=padding)
    separable.conv("pw", out, 1)
    nets = [Network(name, "", Config(), shape, tuple(b.layers), 0)
            for name, b in (("standard", standard), ("separable", separable))]
    return analysis.compare_conv(*nets, kernel, out)


def parse_target(text: str) -> tuple[str, float | None, int | None]:
    """'v3-large@0.75/224' -> ('v3-large', 0.75, 224); 'v2' -> ('v2', None, None); paths work too."""
    import re

    m = re.fullmatch(r"(.+?)@([^/@]+)(?:/([^/@]+))?", text)
    if not m:
        return text, None, None
    try:
        alpha = float(m[2])
        res = int(m[3]) if m[3] is not None else None
    except ValueError:
        raise MbcalcError(f"'{text}': expected MODEL@ALPHA/RES, e.g. v3-large@0.75/224") from None
    return m[1], alpha, res


def compare(models: list[str], alphas: list[float], resolutions: list[int], profile: str = "paper",
            baseline: str | None = None) -> analysis.Comparison:
    """Every model x alpha x resolution, in that order, and the baseline if one is named."""
    reports = tuple(report(m, a, r, profile) for m in models for a in alphas for r in resolutions)
    base = None
    if baseline:
        name, alpha, res = parse_target(baseline)
        base = report(name, 1.0 if alpha is None else alpha, res, profile)
    return analysis.Comparison(reports, base)


def diff(a: str, b: str, profile: str = "paper", alpha: float = 1.0, resolution: int | None = None) -> analysis.Diff:
    """Two configurations ('v3-large@1.0/224', a spec path, ...) layer by layer."""
    def one(text: str) -> Report:
        name, al, res = parse_target(text)
        return report(name, alpha if al is None else al, resolution if res is None else res, profile)

    return analysis.diff(one(a), one(b))
