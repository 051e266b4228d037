"""Analyses: pure functions from the IR to numbers. Nothing here prints or formats.

`analyze` gives a `Report`: one `LayerCost` per layer (its `Cost` under a `Convention`), the
totals, and subtotals by layer type (V1 paper Table 2), by role (stem, expand, depthwise, ...) and
by table row. Layers sum exactly to the totals because the totals are their sum.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from .bulk import no_gc
from .cost import Convention, Cost
from .counting import Counter, count
from .errors import ArgumentError
from .expansion.roles import TASK_HEADS
from .ir import Layer, Network, Shape
from .ops import REGISTRY, block_of, label
from .record import Record, record
from .schema_version import SCHEMA_VERSION

if TYPE_CHECKING:  # the deployment view and the counting tools load when first used
    from .memory import Memory
    from .tools import Tool


class LayerCost(NamedTuple):
    """One layer of a report: the layer, its cost and its share of the network's Mult-Adds."""

    number: int  # 1-based position in the network
    layer: Layer
    cost: Cost
    macs_share: float

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def macs(self) -> int:
        return self.cost.macs

    @property
    def params(self) -> int:
        return self.cost.params

    @property
    def input(self) -> Shape:
        return self.layer.input

    @property
    def output(self) -> Shape:
        return self.layer.output


@record(slots=True)
class Group(Record):
    """A subtotal: all layers of one type (or one role, or one table row)."""

    key: str
    layers: int
    cost: Cost
    macs_share: float
    params_share: float


class Part(NamedTuple):
    """A run of consecutive layers counted together: one block, or one row of the paper's table."""

    key: str
    first: LayerCost
    last: LayerCost
    layers: int
    cost: Cost
    macs_share: float
    params_share: float
    reported: int | None = None  # what the report's counting tool counts for these layers


@record
class Report(Record):
    """A network counted under a convention. The per-layer rows and the breakdowns are made when
    first asked for (a 100,000-layer `validate` needs only the totals)."""

    network: Network
    convention: Convention
    costs: tuple[Cost, ...]  # one per layer, in order
    total: Cost
    tool: Tool | None = None  # a counting tool whose printed number the report also gives (`reported`)

    @cached_property
    def line_items(self) -> tuple[dict[str, int], ...]:
        """Per layer, the quantities the counting tools count (tools.ITEMS)."""
        from .tools import items_by_layer

        return tuple(items_by_layer(self.network, tuple(cost.macs for cost in self.costs)))

    @cached_property
    def reported_by_layer(self) -> tuple[int, ...]:
        """Per layer, what the chosen tool counts for it (they sum to `reported`)."""
        if self.tool is None:
            return ()
        from .tools import reported

        chosen = self.tool
        return tuple(reported(items, chosen) for items in self.line_items)

    @property
    def reported(self) -> int | None:
        """The integer the chosen counting tool prints for this network (None: no tool chosen)."""
        return sum(self.reported_by_layer) if self.tool is not None else None

    @cached_property
    def layers(self) -> tuple[LayerCost, ...]:
        whole = self.total.macs or 1  # shares of nothing are 0
        with no_gc():
            return tuple(
                LayerCost(i, layer, cost, cost.macs / whole)
                for i, (layer, cost) in enumerate(zip(self.network.layers, self.costs, strict=True), 1)
            )

    @cached_property
    def by_type(self) -> tuple[Group, ...]:
        return _groups(self.layers, attrgetter("type"), self.total, TYPE_ORDER)

    @cached_property
    def by_role(self) -> tuple[Group, ...]:
        return _groups(self.layers, attrgetter("role"), self.total, ROLE_ORDER, ROLE_LAST)

    @cached_property
    def by_part(self) -> tuple[Group, ...]:
        """A detector's or segmenter's backbone, neck (a detector's extra layers) and head (the
        layers tagged detection or segmentation); () for a network without such a head."""
        if not any(layer.role in TASK_HEADS for layer in self.network.layers):
            return ()
        return _groups(self.layers, lambda layer: PARTS.get(layer.role, "backbone"), self.total, PART_ORDER)

    @cached_property
    def peak_activation(self) -> int:
        """The largest single layer output, in elements."""
        return max((layer.output.size for layer in self.network.layers), default=0)

    @cached_property
    def counting(self) -> str:
        """The convention in words, for this network (naming any operator beyond conv and FC with Mult-Adds)."""
        present = dict.fromkeys(layer.op for layer in self.network.layers)
        text = self.convention.describe(tuple(REGISTRY[op].macs_of for op in present if REGISTRY[op].macs_of))
        if self.tool is not None:
            text += f"; reported: what {self.tool.version} prints ({self.tool.call}): {self.tool.notes}"
        return text

    @property
    def macs(self) -> int:
        return self.total.macs

    @property
    def params(self) -> int:
        return self.total.params

    def by_row(self) -> tuple[Group, ...]:
        """Subtotals per row of the paper's table (table forms; a graph spec's layers have no row)."""
        return _groups(self.layers, _row, self.total, ())

    def parts(self, by: str) -> tuple[Part, ...]:
        """The layers in runs: per `block` (stem, each block with its squeeze-excite, head,
        classifier) or per `row` of the paper's table (table forms only). They sum to the totals."""
        if by == "row":
            if self.network.form == "graph":
                raise ArgumentError(
                    "by='row' needs a spec written as the paper's table (form v1, v2 or v3); use by='block'",
                    "--by row needs a spec written as the paper's table (form v1, v2 or v3); use --by block",
                )
            keys = [_row(row.layer) for row in self.layers]
        elif by == "block":
            keys, previous = [], ""
            for row in self.layers:
                previous = block_of(row.layer, previous)
                keys.append(previous)
        else:
            raise ArgumentError(f"by must be layer, block or row, got {by!r}", "--by must be layer, block or row")
        parts: list[Part] = []
        start = 0
        for i in range(1, len(keys) + 1):
            if i == len(keys) or keys[i] != keys[start]:
                run = self.layers[start:i]
                macs = sum(row.cost.macs for row in run)
                params = sum(row.cost.params for row in run)
                ops = sum(row.cost.ops for row in run)
                shares = _share(macs, self.total.macs), _share(params, self.total.params)
                tool = sum(self.reported_by_layer[start:i]) if self.tool is not None else None
                parts.append(Part(keys[start], run[0], run[-1], len(run), Cost(macs, params, ops), *shares, tool))
                start = i
        return tuple(parts)

    def to_dict(self, flops: bool = False, by: str = "layer") -> dict[str, Any]:
        """The report as plain data: exactly the JSON output (`flops`: also FLOPs; `by` block or
        row: also the layers in runs, under `blocks` or `rows`)."""
        net, total, elementwise = self.network, self.total, self.convention.elementwise
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "model": net.name,
            "description": net.description,
            "alpha": net.config.alpha,
            "resolution": net.config.resolution,
            "width": net.config.size[1],
            "profile": net.config.profile,
            "classes": net.classes,
            "backbone": net.config.backbone,
            "convention": self.counting,
            "macs": total.macs,
            "params": total.params,
            "peak_activation": self.peak_activation,
        }
        if elementwise:
            data["elementwise_ops"] = total.ops
        if flops:
            data["flops"] = total.flops
        if self.tool is not None:
            data["counting"] = self.tool.name
            data["reported"] = self.reported
            data["reported_unit"] = self.tool.unit
        layers = []
        for row in self.layers:
            layer = row.layer
            item: dict[str, Any] = {
                "index": row.number,
                "name": layer.name,
                "op": layer.type,
                "role": str(layer.role),
                "operator": label(layer),
                "input": layer.input.as_list(),
                "output": layer.output.as_list(),
                "macs": row.cost.macs,
                "params": row.cost.params,
            }
            if len(layer.inputs) > 1:
                item["inputs"] = list(layer.inputs)
            if elementwise:
                item["elementwise_ops"] = row.cost.ops
            if self.tool is not None:
                item["reported"] = self.reported_by_layer[row.number - 1]
            layers.append(item)
        data["layers"] = layers
        if by != "layer":
            data["by"] = by
            data[f"{by}s"] = [
                {
                    "name": part.key,
                    "layers": part.layers,
                    "first": part.first.number,
                    "input": part.first.layer.input.as_list(),
                    "output": part.last.layer.output.as_list(),
                    "macs": part.cost.macs,
                    "params": part.cost.params,
                    "macs_share": part.macs_share,
                    "params_share": part.params_share,
                    **({"elementwise_ops": part.cost.ops} if elementwise else {}),
                    **({"reported": part.reported} if part.reported is not None else {}),
                }
                for part in self.parts(by)
            ]
        breakdowns = [("by_type", self.by_type), ("by_role", self.by_role)]
        breakdowns += [("by_part", self.by_part)] if self.by_part else []
        for key, groups in breakdowns:
            data[key] = {
                g.key: {
                    "layers": g.layers,
                    "macs": g.cost.macs,
                    "params": g.cost.params,
                    "macs_share": g.macs_share,
                    "params_share": g.params_share,
                    **({"elementwise_ops": g.cost.ops} if elementwise else {}),
                }
                for g in groups
            }
        data["notes"] = list(net.notes)
        return data


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _row(layer: Layer) -> str:
    """The table row a layer was built from, with its line: two rows that read alike stay apart."""
    return f"line {layer.source.line}: {layer.row}" if layer.row and layer.source else ""


# Breakdowns list these first, in this order (the V1 paper's Table 2, then the block's data flow);
# anything else follows in order of appearance.
TYPE_ORDER = ("conv", "depthwise", "pointwise", "fc")
ROLE_ORDER = ("stem", "conv", "expand", "depthwise", "se", "pointwise", "project", "residual")
ROLE_LAST = ("head", "classifier")  # after every other role: a graph spec's own (its blocks') come between
PARTS = {"extra": "neck", "neck": "neck", **dict.fromkeys(TASK_HEADS, "head")}  # role -> part; others: backbone
PART_ORDER = ("backbone", "neck", "head")


def _groups(
    rows: tuple[LayerCost, ...],
    key: Callable[[Layer], str],
    total: Cost,
    first: tuple[str, ...],
    last: tuple[str, ...] = (),
) -> tuple[Group, ...]:
    """Subtotals per key: the keys `first` names in its order, then the others in the order they
    appear, then the keys `last` names."""
    found: dict[str, list[int]] = {}  # key -> [layers, macs, params, ops], summed as plain ints
    for row in rows:
        k = key(row.layer)  # a Role is its string: the keys are made plain strings below
        sums = found.get(k)
        if sums is None:
            sums = found[k] = [0, 0, 0, 0]
        cost = row.cost
        sums[0] += 1
        sums[1] += cost.macs
        sums[2] += cost.params
        sums[3] += cost.ops
    position = {k: i for i, k in enumerate(found)}
    rank = {k: i for i, k in enumerate(first)} | {k: len(first) + 1 + i for i, k in enumerate(last)}
    order = sorted(found, key=lambda k: (rank.get(k, len(first)), position[k]))
    groups = []
    for name in order:
        layers, macs, params, ops = found[name]
        groups.append(
            Group(str(name), layers, Cost(macs, params, ops), _share(macs, total.macs), _share(params, total.params))
        )
    return tuple(groups)


def analyze(network: Network, convention: Convention, counters: Mapping[str, Counter] | None = None) -> Report:
    """Count every layer of `network` under `convention` (with `counters`, or each operator's own)."""
    with no_gc():
        costs = count(network, convention, counters)
        macs = params = ops = 0
        for cost in costs:
            macs += cost.macs
            params += cost.params
            ops += cost.ops
    return Report(network, convention, tuple(costs), Cost(macs, params, ops))


# --- one layer: standard vs depthwise separable (V1 paper, Section 3 and Table 3) ------------


@record
class ConvComparison(Record):
    standard: Report
    separable: Report
    kernel: int
    out_channels: int

    @property
    def macs_ratio(self) -> float:
        """Separable / standard Mult-Adds; equals 1/N + 1/D_K^2 for 'same' padding."""
        return _share(self.separable.total.macs, self.standard.total.macs)

    @property
    def params_ratio(self) -> float:
        return _share(self.separable.total.params, self.standard.total.params)

    @property
    def macs_reduction(self) -> float:
        """How many times fewer Mult-Adds the separable pair needs."""
        return _share(self.standard.total.macs, self.separable.total.macs)

    @property
    def params_reduction(self) -> float:
        return _share(self.standard.total.params, self.separable.total.params)

    @property
    def formula(self) -> float:
        return 1 / self.out_channels + 1 / self.kernel**2


WEIGHTS_ONLY = Convention(biases=False)  # the V1 paper's Section 3 counts weights


def compare_conv(
    standard: Network,
    separable: Network,
    kernel: int,
    out_channels: int,
    convention: Convention = WEIGHTS_ONLY,
) -> ConvComparison:
    """A k x k convolution against its depthwise separable replacement (both built by api)."""
    return ConvComparison(analyze(standard, convention), analyze(separable, convention), kernel, out_channels)


# --- several networks side by side, and two layer by layer -----------------------------------


@record
class Comparison(Record):
    """Reports of several configurations, optionally against a baseline."""

    reports: tuple[Report, ...]
    baseline: Report | None = None
    labels: tuple[str, ...] = ()  # one per report: its network's name, or the spec's path where names collide
    memories: tuple[Memory, ...] = ()  # one per report when asked for: the deployment view at a dtype

    def labelled(self) -> tuple[tuple[str, Report], ...]:
        """(label, report) pairs: two specs that share a `name:` are told apart by their paths."""
        labels = self.labels or tuple(r.network.name for r in self.reports)
        return tuple(zip(labels, self.reports, strict=True))

    def ratios(self, report: Report) -> tuple[float, float] | None:
        """(Mult-Adds, params) of `report` as multiples of the baseline's."""
        if self.baseline is None:
            return None
        base = self.baseline.total
        return _share(report.total.macs, base.macs), _share(report.total.params, base.params)


@record
class Diff(Record):
    """Two reports aligned layer by layer: pairs of rows (None where a layer exists on one side)."""

    a: Report
    b: Report
    pairs: tuple[tuple[LayerCost | None, LayerCost | None], ...]
    labels: tuple[str, str] | None = None  # A's and B's names, or their specs' paths where the names collide

    @staticmethod
    def delta(pair: tuple[LayerCost | None, LayerCost | None]) -> Cost:
        """B's cost minus A's for an aligned pair (a missing side costs nothing)."""
        a, b = (row.cost if row else Cost() for row in pair)
        return b - a

    @staticmethod
    def changed(pair: tuple[LayerCost | None, LayerCost | None]) -> bool:
        a, b = pair
        return (
            a is None
            or b is None
            or (a.cost != b.cost or a.layer.input != b.layer.input or a.layer.output != b.layer.output)
        )

    def by_type(self) -> tuple[tuple[str, Cost, Cost], ...]:
        a = {g.key: g.cost for g in self.a.by_type}
        b = {g.key: g.cost for g in self.b.by_type}
        keys = list(a) + [k for k in b if k not in a]
        return tuple((k, a.get(k, Cost()), b.get(k, Cost())) for k in keys)


EXACT_ALIGNMENT = 4_000_000  # layers x layers past which the middle of a diff is matched heuristically


def diff(a: Report, b: Report, labels: tuple[str, str] | None = None) -> Diff:
    """Align two reports: by layer name when they come from the same spec, else by what each layer
    is (operator and channels), so that layers one network adds or removes stand alone."""
    same = a.network.name == b.network.name

    def key(row: LayerCost) -> object:
        layer = row.layer
        return layer.name if same else (label(layer), layer.input.channels, layer.output.channels)

    keys_a, keys_b = [key(r) for r in a.layers], [key(r) for r in b.layers]
    # What both share at the start and the end pairs up directly; only the middle is matched, and a
    # large middle with the heuristic that skips very common keys (exact matching is quadratic there).
    start = 0
    while start < min(len(keys_a), len(keys_b)) and keys_a[start] == keys_b[start]:
        start += 1
    end = 0
    while end < min(len(keys_a), len(keys_b)) - start and keys_a[-1 - end] == keys_b[-1 - end]:
        end += 1
    middle_a, middle_b = keys_a[start : len(keys_a) - end], keys_b[start : len(keys_b) - end]
    exact = len(middle_a) * len(middle_b) <= EXACT_ALIGNMENT
    from difflib import SequenceMatcher  # only for a diff

    matcher = SequenceMatcher(None, middle_a, middle_b, autojunk=not exact)
    pairs: list[tuple[LayerCost | None, LayerCost | None]] = list(zip(a.layers[:start], b.layers[:start], strict=True))
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = a.layers[start + i1 : start + i2], b.layers[start + j1 : start + j2]
        if tag == "equal":
            pairs += list(zip(left, right, strict=True))
        else:  # a replaced run: pair what lines up, then the leftovers alone
            common = min(len(left), len(right)) if tag == "replace" else 0
            pairs += list(zip(left[:common], right[:common], strict=True))
            pairs += [(row, None) for row in left[common:]] + [(None, row) for row in right[common:]]
    pairs += list(zip(a.layers[len(a.layers) - end :], b.layers[len(b.layers) - end :], strict=True))
    return Diff(a, b, tuple(pairs), labels)


@record
class Explanation(Record):
    """Why the counting tools print different numbers for one network: each line item's quantity,
    and what each convention (Mult-Adds, then each tool) counts for it. The column totals are the
    numbers the tools print."""

    report: Report
    quantities: tuple[tuple[str, int], ...]  # (line item, its total over the network), in ITEMS order
    tools: tuple[Tool, ...]

    def counted(self, tool: Tool | None, item: str, quantity: int) -> int:
        """What `tool` (None: Mult-Adds, as the papers and every profile count) counts for an item."""
        if tool is None:
            return quantity if item in ("conv_macs", "fc_macs") else 0
        return tool.coefficients.get(item, 0) * quantity

    def total(self, tool: Tool | None) -> int:
        return sum(self.counted(tool, item, quantity) for item, quantity in self.quantities)


def explain(report: Report, tools: tuple[Tool, ...]) -> Explanation:
    from .tools import ITEMS

    totals: dict[str, int] = dict.fromkeys(ITEMS, 0)
    for items in report.line_items:
        for item, quantity in items.items():
            if item in totals:
                totals[item] += quantity
    return Explanation(report, tuple(totals.items()), tools)
