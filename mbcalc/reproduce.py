"""Published figures against computed ones (the references file, mbcalc/references.yaml).

Each reference names a configuration (a bundled model at alpha / resolution / profile, or one
`conv` comparison), the figures as printed ("569M", "4.2M", "94.86%", "3504872"), and for any
figure that cannot agree, a `deviation` saying why, as data that is itself checked:

    erratum            the figure is misprinted; `corrected` is what it should read
    rho-scaled         the figure is the count at `from` px scaled by (res/from)^2, FC included
    omits              the figure leaves out some layer `types` (e.g. fc)
    truncated          the figure is the count cut (not rounded) to the printed precision
    double-rounded     the figure was rounded twice: first to `via` decimals, then as printed
    rounded-to         the figure is rounded half-up to a coarser `step` than its digits show
                       (e.g. 10M: a table whose every entry is a multiple of ten)
    counts-elementwise the figure also counts the element-wise ops of some layer `types` (as
                       `--count` counts them), e.g. the squeeze-excite products ([multiply]) or
                       fvcore's batch norm and pooling
    next-size          (V2 Table 3) the row gives, at its own size, the channels of the first
                       tensor materialized after leaving that size (the stride-2 block's output);
                       the bytes figure is checked at that channel count (rounded to `step`
                       if given, or cut if `truncated`)
    atrous-padded      the figure counts each dilated convolution over its output padded up to a
                       multiple of its rate on each side, as TensorFlow 1's space_to_batch runs it
    variant            the figure comes out with some width `rules` changed (e.g. v3.head: scaled)
                       and/or some `config` changed (e.g. classes: 1000)
    conflict           another source prints the computed value for the same network (`agrees_with`)
    unresolved         no convention we know reproduces it; `reason` says what was ruled out

A configuration with `scales` (input sizes) is multi-scale inference: its Mult-Adds are the sum
over the sizes, twice with `flipped: true` (each image also mirrored); its parameters are the
network's own. The deviations that count parts of the network (omits, counts-elementwise,
atrous-padded) count them at each size alike; rho-scaled and next-size are about one size.

A figure agrees when the exact computed value, rounded half-up to the printed precision, equals
the printed value. Verdicts: exact, rounded (within the published rounding), explained (a recorded
deviation whose check passes), documented (a recorded reason that computation cannot check:
another source disagrees, or nothing we know reproduces the figure), unexplained (anything else,
including a recorded deviation that no longer deviates or whose check fails).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import yaml

from . import api
from .analysis import Report
from .expansion.profiles import variant
from .memory import Memory
from .models import latencies_path, read_text
from .published import UNITS, Printed, load_references
from .record import Record, record
from .roofline import Roofline


@record
class Outcome(Record):
    reference: dict
    quantity: str
    published: Printed
    computed: Decimal  # in the published unit, rounded to the published precision
    exact_value: str  # the exact computed value, for the report
    verdict: str  # exact | rounded | explained | documented | unexplained
    reason: str = ""


# --- computing the quantities a reference names ----------------------------------------------


@cache
def _report(
    model: str,
    alpha: float,
    resolution: int | str,
    profile: str,
    rules: tuple,
    biases: Any,
    bn: Any,
    elementwise: bool,
    classes: Any,
    counting: str | None = None,
) -> Report:
    chosen = variant(profile, dict(rules)) if rules else profile
    return api.analyze(
        model,
        alpha=alpha,
        resolution=resolution,
        profile=chosen,
        biases=biases,
        bn=bn,
        elementwise=elementwise,
        classes=classes,
        counting=counting,
    )


def model_report(config: dict, rules: dict | None = None, elementwise: bool = False, **override: Any) -> Report:
    c = {**config, **override}
    rules = {**(c.get("rules") or {}), **(rules or {})}  # the config's own build rules, then a deviation's
    return _report(
        c["model"],
        float(c.get("alpha", 1.0)),
        _resolution(c.get("resolution", 224)),
        c.get("profile", "paper"),
        tuple(sorted((rules or {}).items())),
        c.get("biases"),
        c.get("bn"),
        elementwise,
        c.get("classes"),
        c.get("counting"),
    )


def _resolution(given: Any) -> int | str:
    """A configuration's resolution: 224, or '1024x2048' (height x width)."""
    return given if isinstance(given, str) and "x" in given else int(given)


def runs(config: dict) -> tuple[list[dict], int]:
    """The single-size configurations a figure's inference runs, and how many times each runs (2
    when each image is also mirrored): one per size of a multi-scale configuration (`scales`)."""
    if "scales" not in config:
        return [config], 1
    single = {key: value for key, value in config.items() if key not in ("scales", "flipped")}
    return [{**single, "resolution": size} for size in config["scales"]], 2 if config.get("flipped") else 1


def _from_report(report: Report, name: str) -> tuple[int, int]:
    if name in ("macs", "params"):
        return getattr(report.total, name), 1
    if name == "reported":  # what the config's counting tool prints
        if report.reported is None:
            raise ValueError("the quantity 'reported' needs a counting tool in the config (counting: NAME)")
        return report.reported, 1
    if name.startswith(("macs_of.", "params_of.")):  # params_of.extra+detection: the layers of some roles
        field, _, roles = name.partition(".")
        groups = {g.key: g.cost for g in report.by_role}
        return sum(getattr(groups[role], field.removesuffix("_of")) for role in roles.split("+")), 1
    share, _, layer_type = name.partition(".")  # macs_share.pointwise
    field = share.removesuffix("_share")
    group = {g.key: g for g in report.by_type}[layer_type]
    return getattr(group.cost, field), getattr(report.total, field)


MEMORY = ("peak.", "io.", "materialized.", "materialized_channels.", "weights_bytes", "flash_bytes")


@cache
def _memory(model: str, alpha: float, resolution: int | str, profile: str, dtype: str, classes: int | None) -> Memory:
    return api.memory(model, alpha=alpha, resolution=resolution, profile=profile, dtype=dtype, classes=classes)


def memory_of(config: dict) -> Memory:
    c = config
    alpha, resolution = float(c.get("alpha", 1.0)), _resolution(c.get("resolution", 224))
    return _memory(c["model"], alpha, resolution, c.get("profile", "paper"), c["dtype"], c.get("classes"))


def _size(text: str) -> tuple[int, int]:
    height, _, width = text.partition("x")
    return int(height), int(width)


def _memory_quantity(config: dict, name: str) -> tuple[int, int]:
    """peak.<model>, io.<layer> (one operator's inputs and output), materialized.<H>x<W> (the
    largest tensor of that size the bottleneck model materializes) and its channels, weights_bytes
    and flash_bytes (weights with their quantization parameters), in bytes."""
    memory = memory_of(config)
    if name in ("weights_bytes", "flash_bytes"):  # as deployed; flash: with the quantization parameters
        return memory.weights_bytes + (memory.quantization_bytes if name == "flash_bytes" else 0), 1
    kind, _, which = name.partition(".")
    if kind == "peak":
        return memory.peak[which], 1
    if kind == "io":
        return next(step.io_bytes for step in memory.steps if step.layer == which), 1
    size, channels, _ = memory.materialized(*_size(which))
    return (size if kind == "materialized" else channels), 1


def next_size_channels(memory: Memory, height: int, width: int) -> int:
    """The channels of the first tensor the bottleneck model materializes after leaving a size (the
    output of the stride-2 block that leaves it)."""
    shapes = {layer.name: layer.output for layer in memory.network.layers}
    made = [step.output for step in memory.steps if step.output not in memory.sliced]
    at = [i for i, t in enumerate(made) if (shapes[t].height, shapes[t].width) == (height, width)]
    later = (shapes[t] for t in made[at[-1] + 1 :] if shapes[t].height < height) if at else iter(())
    return next((shape.channels for shape in later), 0)


def quantity(config: dict, name: str, **options: Any) -> tuple[int, int]:
    """A named quantity as an exact fraction (numerator, denominator)."""
    if "scales" in config:
        if not name.startswith(("macs", "params")) or "_share." in name:
            raise ValueError(f"a multi-scale configuration gives Mult-Adds and parameters, not '{name}'")
        singles, views = runs(config)
        values = [quantity(single, name, **options) for single in singles]
        if name.startswith("params"):  # one network at every size
            return values[0]
        return views * sum(numerator for numerator, _ in values), 1
    if name.startswith(MEMORY):
        return _memory_quantity(config, name)
    if "conv" in config:
        c = config["conv"]
        comparison = api.compare_conv(
            c["in"],
            c["out"],
            c.get("k", 3),
            c.get("stride", 1),
            c.get("padding", "same"),
            c.get("alpha", 1.0),
            c.get("rho", 1.0),
        )
        variant_name, *layer, field = name.split(".")  # standard.macs, separable.dw.params, ...
        report = getattr(comparison, variant_name)
        cost = {r.layer.name: r.cost for r in report.layers}[layer[0]] if layer else report.total
        return getattr(cost, field), 1
    return _from_report(model_report(config, **options), name)


def _check_deviation(ref: dict, name: str, printed: Printed, deviation: dict) -> bool | None:
    """True: the recorded reason accounts for the figure; False: it does not; None: not checkable."""
    kind, config = deviation["kind"], ref["config"]
    if "scales" in config and kind in ("rho-scaled", "next-size"):
        raise ValueError(f"{ref['id']}: a '{kind}' deviation is checked at one size, not at a configuration's scales")
    value, denominator = quantity(config, name)
    if kind == "erratum":
        return Printed.parse(deviation["corrected"]).agrees(value, denominator)
    if kind == "rho-scaled":
        base, res = int(deviation["from"]), int(config["resolution"])
        scaled, _ = quantity(config, name, resolution=base)
        return printed.agrees(scaled * res * res, base * base)
    if kind == "omits":
        field = name.partition(".")[0].removesuffix("_share")  # macs_share.fc leaves out the fc's macs
        missing = _over_runs(
            config,
            name,
            lambda report: sum(getattr(g.cost, field) for g in report.by_type if g.key in deviation["types"]),
        )
        return printed.agrees(value - missing, denominator)
    if kind == "truncated":
        return printed.rounded(value, denominator, ROUND_DOWN) == printed.value
    if kind == "double-rounded":
        first = printed.exact(value, denominator).quantize(Decimal(1).scaleb(-int(deviation["via"])), ROUND_HALF_UP)
        return first.quantize(printed.value, rounding=ROUND_HALF_UP) == printed.value
    if kind == "rounded-to":
        return _rounded_to(printed, deviation["step"], value, denominator)
    if kind == "next-size":
        memory = memory_of(config)
        height, width = _size(name.partition(".")[2])
        channels = next_size_channels(memory, height, width)
        if name.startswith("materialized_channels."):
            return printed.agrees(channels)
        size = height * width * channels * memory.bytes_per_element
        if "step" in deviation:
            return _rounded_to(printed, deviation["step"], size)
        rounding = ROUND_DOWN if deviation.get("truncated") else ROUND_HALF_UP
        return printed.rounded(size, 1, rounding) == printed.value
    if kind == "counts-elementwise":
        types = deviation["types"]
        extra = _over_runs(
            config,
            name,
            lambda report: sum(row.cost.ops for row in report.layers if row.layer.type in types),
            elementwise=True,
        )
        return printed.agrees(value + extra, denominator)
    if kind == "atrous-padded":
        return printed.agrees(value + _over_runs(config, name, _atrous_padding), denominator)
    if kind == "variant":
        return printed.agrees(*quantity(config, name, rules=deviation.get("rules"), **deviation.get("config", {})))
    if kind == "conflict" and "agrees_with" in deviation:
        return all(Printed.parse(other["figure"]).agrees(value, denominator) for other in deviation["agrees_with"])
    if kind in ("conflict", "unresolved"):
        return None
    raise ValueError(f"{ref['id']}: unknown deviation kind '{kind}'")


def _over_runs(config: dict, name: str, per_report: Callable[[Report], int], elementwise: bool = False) -> int:
    """`per_report` of the configuration's build; of a multi-scale one, summed over its runs as its
    Mult-Adds are (its parameters are those of one build)."""
    singles, views = runs(config)
    if name.startswith("params"):
        singles, views = singles[:1], 1
    return views * sum(per_report(model_report(single, elementwise=elementwise)) for single in singles)


def _atrous_padding(report: Report) -> int:
    """The Mult-Adds TensorFlow 1's space_to_batch adds to the dilated convolutions: each runs over
    its output padded up to a multiple of its rate on each side."""
    extra = 0
    for row in report.layers:
        rate = row.layer.attrs.get("dilation", 1) if row.layer.op in ("conv", "dw") else 1
        if rate > 1 and row.cost.macs:
            h, w = row.layer.output.height, row.layer.output.width
            padded = -(-h // rate) * rate * (-(-w // rate) * rate)
            extra += row.cost.macs * padded // (h * w) - row.cost.macs
    return extra


def _rounded_to(printed: Printed, step_text: str, value: int, denominator: int = 1) -> bool:
    step = Printed.parse(step_text)
    nearest = (step.exact(value, denominator) / step.value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return nearest * step.value * UNITS[step.unit] / UNITS[printed.unit] == printed.value


def verdicts(ref: dict) -> list[Outcome]:
    outcomes = []
    for name, text in ref["figures"].items():
        printed = Printed.parse(text)
        numerator, denominator = quantity(ref["config"], name)
        computed = printed.rounded(numerator, denominator)
        exact_value = f"{numerator}" if denominator == 1 else f"{100 * numerator / denominator:.4f}%"
        deviation = ref.get("deviations", {}).get(name)
        if printed.agrees(numerator, denominator):
            exact = printed.unit == "" and denominator == 1
            verdict, reason = ("exact" if exact else "rounded"), ""
            if deviation:  # a recorded deviation that no longer deviates: something moved
                verdict, reason = "unexplained", "agrees now, but a deviation is recorded: remove it"
        elif deviation:
            result = _check_deviation(ref, name, printed, deviation)
            verdict = {True: "explained", None: "documented", False: "unexplained"}[result]
            reason = deviation["reason"] + (
                "" if result is not False else " (but the recorded explanation does not check out)"
            )
        else:
            verdict, reason = "unexplained", ""
        outcomes.append(Outcome(ref, name, printed, computed, exact_value, verdict, reason))
    return outcomes


# --- the whole report --------------------------------------------------------------------------

FAMILIES = ("v1", "v2", "v3", "peers")


def family(ref: dict) -> str:
    """v1 (with the `conv` comparisons and the V1 paper's comparison rows), v2, v3 or peers."""
    if "family" in ref:
        return ref["family"]
    prefix = ref["config"].get("model", "v1").split("-")[0]
    return prefix if prefix in FAMILIES else "peers"


def reproduce(which: str = "all") -> list[Outcome]:
    """Check every reference of a family ('v1', 'v2', 'v3') or of all of them."""
    refs = [r for r in load_references() if which == "all" or family(r) == which]
    return [outcome for ref in refs for outcome in verdicts(ref)]


def delta(outcome: Outcome) -> Decimal:
    """Computed minus published, in the published unit and precision."""
    return outcome.computed - outcome.published.value


# --- measured latencies against their roofline bounds ------------------------------------------


@record
class Latency(Record):
    """A published latency beside the roofline bound on the device it was measured on."""

    entry: dict  # one item of mbcalc/latencies.yaml
    roofline: Roofline

    @property
    def measured(self) -> Decimal:
        """In seconds, as printed."""
        return Decimal(str(self.entry["ms"])) / 1000

    @property
    def above_bound(self) -> bool:
        """A measurement at or above its bound; below it, the device's roofs would be wrong."""
        bound = self.roofline.seconds
        return self.measured * bound.denominator >= bound.numerator


@cache
def load_latencies() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(read_text(latencies_path())))


def latencies() -> list[Latency]:
    out = []
    for entry in load_latencies():
        c = entry["config"]
        roof = api.roofline(
            c["model"],
            entry["device"],
            alpha=float(c.get("alpha", 1.0)),
            resolution=_resolution(c.get("resolution", 224)),
            profile=c.get("profile", "paper"),
            dtype=entry["dtype"],
        )
        out.append(Latency(entry, roof))
    return out
