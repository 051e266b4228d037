"""Analyzers: pure functions from the IR to numbers. Nothing here prints or formats.

`analyze` gives a `Report`: one `Row` per layer (its `Cost` under a `Convention`), the totals,
and subtotals by layer type (V1 paper Table 2) and by role (stem, expand, depthwise, ...).
Rows sum exactly to the totals because the totals are their sum.
"""

from __future__ import annotations

from dataclasses import dataclass

from .counting import Convention, Cost, count
from .ir import Layer, Network


@dataclass(frozen=True)
class Row:
    index: int
    layer: Layer
    cost: Cost
    macs_share: float  # of the network's total Mult-Adds


@dataclass(frozen=True)
class Group:
    """A subtotal: all layers of one type (or one role)."""

    key: str
    layers: int
    cost: Cost
    macs_share: float
    params_share: float


@dataclass(frozen=True)
class Report:
    network: Network
    convention: Convention
    rows: tuple[Row, ...]
    total: Cost
    by_type: tuple[Group, ...]
    by_role: tuple[Group, ...]
    peak_activation: int  # largest single layer output, in elements


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


# Breakdowns list these first, in this order (the V1 paper's Table 2, then the block's data flow);
# anything else follows in order of appearance.
TYPE_ORDER = ("conv", "depthwise", "pointwise", "fc")
ROLE_ORDER = ("stem", "conv", "expand", "depthwise", "se", "pointwise", "project", "residual", "head", "classifier")


def _groups(rows: list[tuple[Layer, Cost]], key, total: Cost, first: tuple[str, ...]) -> tuple[Group, ...]:
    found: dict[str, list[Cost]] = {}
    for layer, cost in rows:
        found.setdefault(key(layer), []).append(cost)
    order = sorted(found, key=lambda k: (first.index(k) if k in first else len(first), list(found).index(k)))
    return tuple(
        Group(name, len(found[name]), s := sum(found[name], Cost()), _share(s.macs, total.macs),
              _share(s.params, total.params))
        for name in order
    )


def analyze(network: Network, convention: Convention) -> Report:
    costs = [(layer, count(layer, convention)) for layer in network.layers]
    total = sum((cost for _, cost in costs), Cost())
    rows = tuple(Row(i, layer, cost, _share(cost.macs, total.macs)) for i, (layer, cost) in enumerate(costs, 1))
    return Report(
        network=network,
        convention=convention,
        rows=rows,
        total=total,
        by_type=_groups(costs, lambda layer: layer.type, total, TYPE_ORDER),
        by_role=_groups(costs, lambda layer: layer.role, total, ROLE_ORDER),
        peak_activation=max((layer.output.size for layer in network.layers), default=0),
    )


# --- one layer: standard vs depthwise separable (V1 paper, Section 3 and Table 3) ------------


@dataclass(frozen=True)
class ConvComparison:
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


def compare_conv(standard: Network, separable: Network, kernel: int, out_channels: int,
                 convention: Convention = Convention(biases=False)) -> ConvComparison:
    """A k x k convolution against its depthwise separable replacement (both built by api)."""
    return ConvComparison(analyze(standard, convention), analyze(separable, convention), kernel, out_channels)


# --- several networks side by side, and two layer by layer -----------------------------------


@dataclass(frozen=True)
class Comparison:
    """Reports of several configurations, optionally against a baseline."""

    reports: tuple[Report, ...]
    baseline: Report | None = None

    def ratios(self, report: Report) -> tuple[float, float] | None:
        """(Mult-Adds, params) of `report` as multiples of the baseline's."""
        if self.baseline is None:
            return None
        base = self.baseline.total
        return _share(report.total.macs, base.macs), _share(report.total.params, base.params)


@dataclass(frozen=True)
class Diff:
    """Two reports aligned layer by layer: pairs of rows (None where a layer exists on one side)."""

    a: Report
    b: Report
    pairs: tuple[tuple[Row | None, Row | None], ...]

    @staticmethod
    def delta(pair: tuple[Row | None, Row | None]) -> Cost:
        """B's cost minus A's for an aligned pair (a missing side costs nothing)."""
        a, b = (row.cost if row else Cost() for row in pair)
        return Cost(b.macs - a.macs, b.params - a.params, b.ops - a.ops)

    @staticmethod
    def changed(pair: tuple[Row | None, Row | None]) -> bool:
        a, b = pair
        return a is None or b is None or (a.cost != b.cost or a.layer.input != b.layer.input
                                          or a.layer.output != b.layer.output)

    def by_type(self) -> tuple[tuple[str, Cost, Cost], ...]:
        a = {g.key: g.cost for g in self.a.by_type}
        b = {g.key: g.cost for g in self.b.by_type}
        keys = list(a) + [k for k in b if k not in a]
        return tuple((k, a.get(k, Cost()), b.get(k, Cost())) for k in keys)


def diff(a: Report, b: Report) -> Diff:
    """Align two reports: by layer name when they come from the same spec, else by what each layer
    is (operator and channels), so that layers one network adds or removes stand alone."""
    from difflib import SequenceMatcher

    same = a.network.name == b.network.name

    def key(row: Row):
        layer = row.layer
        return layer.name if same else (layer.operator, layer.input.channels, layer.output.channels)

    matcher = SequenceMatcher(None, [key(r) for r in a.rows], [key(r) for r in b.rows], autojunk=False)
    pairs: list[tuple[Row | None, Row | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = a.rows[i1:i2], b.rows[j1:j2]
        if tag == "equal":
            pairs += list(zip(left, right))
        else:  # a replaced run: pair what lines up, then the leftovers alone
            common = min(len(left), len(right)) if tag == "replace" else 0
            pairs += list(zip(left[:common], right[:common]))
            pairs += [(row, None) for row in left[common:]] + [(None, row) for row in right[common:]]
    return Diff(a, b, tuple(pairs))
