"""Sweeps: every width x resolution of a model, each cell the same integers a single build gives.

A network is built once per width. Its layers hang off a few spatial nodes (the input's map and
each map a strided or windowed operator makes); at another resolution only those nodes' sizes
change, so each total is a sum over the nodes of a per-node coefficient times the node's area
(the registry's `resize` says which operators scale so, ops.RESIZE). Operators that do not (a
global pool's ops, an attention's) are counted again at their new shapes. Anything the plan cannot
follow exactly (a flatten of a map whose size changes, a merge whose inputs stop agreeing, a
shape an operator refuses) is built afresh, so every number stays exact; a property test
compares the two paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from .analysis import Report
from .cost import DTYPES, Cost
from .counting import DEFAULT_COUNTERS
from .errors import ArgumentError, SpecError
from .ir import Layer, Shape
from .memory import INPUT, WEIGHTED, analyze_memory
from .ops import REGISTRY, Attrs, ShapeError
from .record import Record, record, replace

METRICS = ("macs", "params", "peak-memory", "weight-bytes")
MAX_POINTS = 1_000_000  # configurations in one sweep


def parse_range(text: str, argument: str, integer: bool) -> list[Any]:
    """'0.35:1.4:0.05' -> 22 values (inclusive, exact decimal steps); '1.0,0.75' -> a list."""
    flag = {"alphas": "--alpha", "resolutions": "--res"}.get(argument, argument)
    example = "96:512:4 or 224,192" if integer else "0.35:1.4:0.05 or 1.0,0.75"

    def bad(why: str) -> ArgumentError:
        return ArgumentError(f"{argument}: {why} (e.g. {example})", f"{flag}: {why} (e.g. {example})")

    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise bad(f"a range is START:STOP:STEP, got '{text}'")
            start, stop, step = (Decimal(p.strip()) for p in parts)
            if not all(v.is_finite() for v in (start, stop, step)):
                raise bad(f"'{text}' is not a range of numbers")
            if step <= 0 or stop < start:
                raise bad(f"a range needs STOP >= START and STEP > 0, got '{text}'")
            count = int((stop - start) / step) + 1
            if count > MAX_POINTS:
                raise bad(f"'{text}' has {count:,} values, more than {MAX_POINTS:,}")
            values = [start + i * step for i in range(count)]
        else:
            values = [Decimal(p.strip()) for p in text.split(",")]
    except InvalidOperation:
        raise bad(f"'{text}' is not a list or a range of numbers") from None
    if not values or any(not v.is_finite() for v in values):
        raise bad(f"'{text}' is not a list or a range of numbers")
    values = list(dict.fromkeys(values))  # each once, in the order given
    if integer:
        if any(v != v.to_integral_value() for v in values):
            raise bad(f"resolutions are whole numbers, got '{text}'")
        return [int(v) for v in values]
    return [float(v) for v in values]


@record
class Point(Record):
    """One configuration of a sweep and its totals (None: a metric not asked for)."""

    model: str  # the model's label
    alpha: float
    resolution: int
    macs: int
    params: int
    peak: int | None = None  # the arena peak in bytes at the dtype (`mbcalc memory`'s)
    weights: int | None = None  # weights and biases as deployed at the dtype
    bundled: bool = False

    def metric(self, name: str) -> int | None:
        return {"macs": self.macs, "params": self.params, "peak-memory": self.peak, "weight-bytes": self.weights}[name]


@record
class Sweep(Record):
    points: tuple[Point, ...]  # model by model, then alpha, then resolution
    axes: dict[str, tuple[tuple[float, ...], tuple[int, ...]]]  # model label -> (alphas, resolutions)
    metrics: tuple[str, ...]
    profile: str
    dtype: str | None  # for peak-memory and weight-bytes

    def grid(self, model: str) -> list[Point]:
        return [p for p in self.points if p.model == model]


BUDGETS = {"macs": "Mult-Adds", "params": "parameters", "peak-memory": "peak memory"}
SORTS = (*METRICS, "alpha", "resolution")


@record
class Fit(Record):
    """The configurations of a sweep within every budget, best first, and which of them are on
    the frontier: no other fitting configuration of the same model is at least as wide and at
    least as large in resolution (the largest configurations that still fit)."""

    sweep: Sweep
    budgets: dict[str, int]  # metric -> the most it may be
    sort: str
    fitting: tuple[Point, ...]  # best first: the most of `sort`
    frontier: frozenset[tuple[str, float, int]]  # (model, alpha, resolution)
    checkpoints: dict[tuple[str, float, int], tuple[tuple[str, ...], float | None]]  # -> (sources, top-1 %)

    @property
    def is_check(self) -> bool:
        """One configuration per model: a budget check, each model fitting or not."""
        return all(len(alphas) * len(sizes) == 1 for alphas, sizes in self.sweep.axes.values())

    @property
    def failed(self) -> bool:
        """Nothing fits, or (a budget check) some model does not."""
        return not self.fitting or (self.is_check and len(self.fitting) < len(self.sweep.points))

    def excess(self, point: Point) -> dict[str, int]:
        """What a configuration exceeds each budget by (only the budgets it misses)."""
        over = {}
        for metric, limit in self.budgets.items():
            value = point.metric(metric)
            if value is not None and value > limit:
                over[metric] = value - limit
        return over


def fit(
    sweep: Sweep,
    budgets: dict[str, int],
    sort: str = "macs",
    published: Callable[[str, float, int], tuple[tuple[str, ...], float | None]] | None = None,
) -> Fit:
    """`published(model, alpha, resolution)`: the checkpoints and top-1 of a bundled configuration."""
    within = [p for p in sweep.points if all((p.metric(m) or 0) <= limit for m, limit in budgets.items())]

    def key(point: Point) -> tuple[Any, ...]:
        value = point.alpha if sort == "alpha" else point.resolution if sort == "resolution" else point.metric(sort)
        return (-(value or 0), -point.macs, -point.alpha, -point.resolution)

    ranked = tuple(sorted(within, key=key))
    widest: dict[tuple[str, float], int] = {}  # (model, alpha) -> the largest fitting resolution
    for p in within:
        widest[(p.model, p.alpha)] = max(widest.get((p.model, p.alpha), 0), p.resolution)
    frontier, best = set(), dict[str, int]()
    for (model, alpha), resolution in sorted(widest.items(), key=lambda item: (item[0][0], -item[0][1])):
        if resolution > best.get(model, 0):  # no wider configuration fits at this resolution or more
            frontier.add((model, alpha, resolution))
            best[model] = resolution
    marks = {}
    if published is not None:
        for p in ranked:
            if p.bundled:
                found = published(p.model, p.alpha, p.resolution)
                if found[0] or found[1] is not None:
                    marks[(p.model, p.alpha, p.resolution)] = found
    return Fit(sweep, budgets, sort, ranked, frozenset(frontier), marks)


# --- the plan: one width, any resolution ---------------------------------------------------------


class Plan:
    """A network built at one width, derived at any resolution (see the module's notes)."""

    def __init__(self, report: Report, dtype: str | None = None):
        network, costs = report.network, report.costs
        self.network, self.convention = network, report.convention
        node: dict[str, int] = {INPUT: 0}
        base_sizes: list[tuple[int, int]] = [(network.input.height, network.input.width)]
        fixed = [False]
        self.windows: list[tuple[int, Layer, tuple[int, ...]]] = []  # (node made, layer, input nodes)
        self.counted: list[tuple[Layer, tuple[int, ...], int]] = []  # counted again at each resolution
        self.checks: list[tuple[Layer, tuple[int, ...]]] = []  # merges of maps that may stop agreeing
        macs_per_area: dict[int, int] = {}
        ops_per_area: dict[int, int] = {}
        constant = Cost()
        self.valid = True
        for layer, cost in zip(network.layers, costs, strict=True):
            kind = REGISTRY[layer.op].resize(cast(Attrs, layer.attrs))
            ins = tuple(node[name] for name in layer.inputs)
            if kind == "unknown" and not all(fixed[n] for n in ins):
                self.valid = False  # its channels may follow the resolution: build afresh
                return
            if kind == "same":
                out = ins[0]
                if len(set(ins)) > 1:  # the operator checks its inputs again at each resolution
                    self.checks.append((layer, ins))
            else:
                out = len(base_sizes)
                base_sizes.append((layer.output.height, layer.output.width))
                fixed.append(kind in ("global", "unknown") or all(fixed[n] for n in ins))
                if not fixed[out]:
                    self.windows.append((out, layer, ins))
            node[layer.name] = out
            area = base_sizes[out][0] * base_sizes[out][1]
            if all(fixed[n] for n in (*ins, out)):
                constant += cost
            elif kind in ("same", "window") and cost.macs % area == 0 and cost.ops % area == 0:
                macs_per_area[out] = macs_per_area.get(out, 0) + cost.macs // area
                ops_per_area[out] = ops_per_area.get(out, 0) + cost.ops // area
                constant += Cost(params=cost.params)
            else:
                self.counted.append((layer, ins, out))
                if dtype is not None and layer.op in WEIGHTED:  # its weights follow the map it reads (an fc)
                    self.valid = False
                    return
        self.node, self.base_sizes, self.fixed = node, base_sizes, fixed
        self.constant = constant
        self.per_area = [(n, macs_per_area[n], ops_per_area.get(n, 0)) for n in macs_per_area]
        self.live: list[list[tuple[int, int]]] = []  # per operator: (node, bytes per pixel) of its live tensors
        self.weights = None
        if dtype is not None:
            memory = analyze_memory(network, dtype)
            channels = {INPUT: network.input.channels} | {la.name: la.output.channels for la in network.layers}
            for step in memory.steps:
                per_node: dict[int, int] = {}
                for tensor in step.live:
                    n = node[tensor]
                    per_node[n] = per_node.get(n, 0) + channels[tensor] * DTYPES[dtype]
                self.live.append(list(per_node.items()))
            self.weights = memory.weights_bytes

    def sizes(self, resolution: int) -> list[tuple[int, int]] | None:
        """Each node's height and width at a square input of `resolution`; None where the plan
        cannot follow (an operator refuses the shape, or a merge's inputs stop agreeing)."""
        sizes = list(self.base_sizes)
        sizes[0] = (resolution, resolution)
        shapes_of = self._shape
        try:
            for out, layer, ins in self.windows:
                shape = REGISTRY[layer.op].infer(
                    layer.name,
                    cast(Attrs, layer.attrs),
                    tuple(shapes_of(layer, i, n, sizes) for i, n in enumerate(ins)),
                )
                sizes[out] = (shape.height, shape.width)
            for layer, ins in self.checks:
                REGISTRY[layer.op].infer(
                    layer.name,
                    cast(Attrs, layer.attrs),
                    tuple(shapes_of(layer, i, n, sizes) for i, n in enumerate(ins)),
                )
        except ShapeError:
            return None
        return sizes

    @staticmethod
    def _shape(layer: Layer, index: int, node: int, sizes: list[tuple[int, int]]) -> Shape:
        height, width = sizes[node]
        return Shape(layer.input_shapes[index].channels, height, width)

    def at(self, resolution: int) -> tuple[Cost, int | None] | None:
        """(totals, arena peak bytes or None) at `resolution`; None: build it afresh."""
        sizes = self.sizes(resolution)
        if sizes is None:
            return None
        areas = [h * w for h, w in sizes]
        macs, params, ops = self.constant
        for n, macs_coef, ops_coef in self.per_area:
            macs += macs_coef * areas[n]
            ops += ops_coef * areas[n]
        for layer, ins, out in self.counted:
            moved = layer._replace(
                input_shapes=tuple(self._shape(layer, i, n, sizes) for i, n in enumerate(ins)),
                output=Shape(layer.output.channels, *sizes[out]),
            )
            cost = DEFAULT_COUNTERS[layer.op](moved, self.convention)
            macs, params, ops = macs + cost.macs, params + cost.params, ops + cost.ops
        peak = max((sum(bpp * areas[n] for n, bpp in step) for step in self.live), default=0) if self.live else None
        return Cost(macs, params, ops), peak


def plan(report: Report, dtype: str | None = None) -> Plan | None:
    """The report's network as a plan, or None when it cannot be derived across resolutions."""
    if report.tool is not None:
        return None
    made = Plan(report, dtype)
    return made if made.valid else None


# --- the sweep --------------------------------------------------------------------------------


Build = Callable[[float, int], Report]  # (alpha, resolution) -> the report of one build


def run(
    label: str,
    build: Build,
    alphas: Sequence[float],
    resolutions: Sequence[int],
    dtype: str | None,
    bundled: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> Iterator[Point]:
    """Every alpha x resolution of one model: a plan per width, a fresh build where it cannot follow."""

    def built(alpha: float, resolution: int) -> Report:
        try:
            return build(alpha, resolution)
        except SpecError as exc:  # say which cell of the grid the spec refuses
            where = f" (in the sweep: {label} at alpha {alpha:g}, resolution {resolution})"
            raise SpecError([replace(p, message=p.message + where) for p in exc.problems]) from None

    for alpha in alphas:
        first = built(alpha, resolutions[0])
        derived = plan(first, dtype)
        for resolution in resolutions:
            result = derived.at(resolution) if derived is not None else None
            peak: int | None
            weights: int | None
            if result is None:
                report = first if resolution == resolutions[0] else built(alpha, resolution)
                total = report.total
                if dtype is not None:
                    memory = analyze_memory(report.network, dtype)
                    peak, weights = memory.peak["arena"], memory.weights_bytes
                else:
                    peak = weights = None
            else:
                total, peak = result
                weights = derived.weights if derived is not None else None
            yield Point(label, alpha, resolution, total.macs, total.params, peak, weights, bundled)
            if progress is not None:
                progress(1)
