"""The view of one model's Report: per-layer rows, totals, breakdowns by type and by role."""

from __future__ import annotations

from collections.abc import Callable

from ..analysis import Group, LayerCost, Report
from ..cost import Cost
from ..ir import Network
from ..lang.program import Spec
from ..ops import label, type_title
from ..record import Record, record
from ..units import alpha_text, human, number, percent
from .document import Document, Section


def type_name(key: str) -> str:
    """The display name of a breakdown key (the registry's), e.g. 'pointwise conv (1x1)'."""
    return type_title(key)


def title(report: Report) -> str:
    return network_title(report.network)


def network_title(net: Network) -> str:
    cfg = net.config
    part = " backbone" if cfg.backbone else ""
    description = f" — {net.description}" if net.description.strip() else ""
    return (
        f"{net.name}{part}: alpha {alpha_text(cfg.alpha)}, {cfg.size[0]}x{cfg.size[1]}, profile {cfg.profile}"
        f"{description}"
    )


def validated(spec: Spec, report: Report) -> str:
    """The line `mbcalc validate` prints for a spec that reads and builds."""
    net, total = report.network, report.total
    return (
        f"{spec.file}: valid (form {spec.form}, {len(net.layers)} layers; at α {net.config.alpha:g}, "
        f"{net.config.size[0]}x{net.config.size[1]}: {human(total.macs)} Mult-Adds, "
        f"{human(total.params)} params)"
    )


def breakdown(
    groups: tuple[Group, ...], label: str, exact: bool, names: Callable[[str], str] = str, elementwise: bool = False
) -> Section:
    rows = tuple(
        (
            names(g.key),
            str(g.layers),
            number(g.cost.macs, exact),
            percent(g.macs_share),
            number(g.cost.params, exact),
            percent(g.params_share),
        )
        + ((number(g.cost.ops, exact),) if elementwise else ())
        for g in groups
    )
    headers = (label, "layers", "Mult-Adds", "Mult-Adds %", "params", "params %") + ("elem. ops",) * elementwise
    # In a narrow terminal the percentages go first, then the layer counts.
    return Section(f"By {label}", headers, rows, tuple(range(1, len(headers))), wrap=(0,), optional=(5, 3, 1))


BY = ("layer", "block", "row")


@record
class ModelView(Record):
    report: Report
    exact: bool = False
    flops: bool = False
    by: str = "layer"  # one row per layer, per block or per row of the paper's table
    hide_zero: bool = False  # leave out the per-layer rows that cost nothing (batch norm, activations)

    def _costs(self, cost: Cost) -> tuple[str, ...]:
        extra, exact = self.report.convention.elementwise, self.exact
        return (number(cost.ops, exact),) * extra + (number(cost.flops, exact),) * self.flops

    def _parts(self) -> Section:
        exact, what = self.exact, self.by
        headers: tuple[str, ...] = ("#", what, "layers", "input → output", "Mult-Adds", "params", "share")
        headers += ("elem. ops",) * self.report.convention.elementwise + ("FLOPs",) * self.flops
        tool = self.report.tool
        headers += (tool.name,) if tool else ()
        rows = []
        for i, part in enumerate(self.report.parts(what), 1):
            cells: tuple[str, ...] = (
                str(i),
                part.key,
                str(part.layers),
                f"{part.first.layer.input} → {part.last.layer.output}",
                number(part.cost.macs, exact),
                number(part.cost.params, exact),
                percent(part.macs_share),
            )
            rows.append(cells + self._costs(part.cost) + ((number(part.reported or 0, exact),) if tool else ()))
        return Section(
            f"{what.capitalize()}s",
            headers,
            tuple(rows),
            (2, *range(4, len(headers))),
            wrap=(1,),
            optional=(3, 0, 6, 2),
        )

    def _hidden(self) -> int:
        return sum(1 for row in self.report.layers if self._free(row))

    def _free(self, row: LayerCost) -> bool:
        cost = row.cost
        counted = self.report.reported_by_layer[row.number - 1] if self.report.tool is not None else 0
        return self.hide_zero and cost.macs == 0 and cost.params == 0 and cost.ops == 0 and counted == 0

    def _layers(self) -> Section:
        extra, flops, exact = self.report.convention.elementwise, self.flops, self.exact
        headers: tuple[str, ...] = ("#", "layer", "operator", "input → output", "Mult-Adds", "params", "share")
        headers += ("elem. ops",) * extra + ("FLOPs",) * flops
        tool = self.report.tool
        headers += (tool.name,) if tool else ()
        rows = []
        for row in self.report.layers:
            if self._free(row):
                continue
            layer, cost = row.layer, row.cost
            cells: tuple[str, ...] = (
                str(row.number),
                layer.name,
                label(layer),
                f"{layer.input} → {layer.output}",
                number(cost.macs, exact),
                number(cost.params, exact),
                percent(row.macs_share),
            )
            cells += (number(cost.ops, exact),) * extra + (number(cost.flops, exact),) * flops
            cells += (number(self.report.reported_by_layer[row.number - 1], exact),) if tool else ()
            rows.append(cells)
        # In a narrow terminal the shapes go first, then the index and the share.
        return Section("Layers", headers, tuple(rows), tuple(range(4, len(headers))), wrap=(1, 2), optional=(3, 0, 6))

    def _totals(self) -> Section:
        total, exact = self.report.total, self.exact
        rows = [("Mult-Adds", number(total.macs, exact)), ("parameters", number(total.params, exact))]
        if self.report.convention.elementwise:
            rows.append(("element-wise ops (not Mult-Adds)", number(total.ops, exact)))
        if self.flops:
            rows.append(("FLOPs = 2 × Mult-Adds + element-wise ops", number(total.flops, exact)))
        rows.append(("largest activation (elements)", number(self.report.peak_activation, exact)))
        if (tool := self.report.tool) is not None and self.report.reported is not None:
            rows.append((f"{tool.name} {tool.unit}, as it prints them", number(self.report.reported, exact)))
        return Section("Totals", ("", "total"), tuple(rows), (1,))

    def document(self) -> Document:
        report = self.report
        elementwise = report.convention.elementwise
        footer = [f"Counting: {report.counting} (profile '{report.network.config.profile}')."]
        if hidden := self._hidden():
            footer.append(
                f"{hidden} of {len(report.layers)} layers cost nothing here (batch norm, activations, ...) "
                f"and are not shown (without --hide-zero they are)."
            )
        footer += [f"Note: {note}" for note in report.network.notes]
        return Document(
            title(report),
            (
                self._layers() if self.by == "layer" else self._parts(),
                self._totals(),
                breakdown(report.by_type, "type", self.exact, type_name, elementwise),
                breakdown(report.by_role, "role", self.exact, elementwise=elementwise),
                *((breakdown(report.by_part, "part", self.exact, elementwise=elementwise),) if report.by_part else ()),
            ),
            tuple(footer),
        )

    def data(self) -> dict:
        return self.report.to_dict(flops=self.flops, by=self.by)

    def csv(self):
        if self.by != "layer":
            return self._parts_csv()
        elementwise = self.report.convention.elementwise
        header = [
            "index",
            "name",
            "op",
            "role",
            "operator",
            "in_c",
            "in_h",
            "in_w",
            "out_c",
            "out_h",
            "out_w",
            "macs",
            "params",
            "macs_share",
        ]
        header += ["elementwise_ops"] * elementwise + ["flops"] * self.flops
        reported = self.report.reported_by_layer
        header += ["reported"] if reported else []
        rows = []
        for row in self.report.layers:
            layer, cost = row.layer, row.cost
            cells = [
                row.number,
                layer.name,
                layer.type,
                str(layer.role),
                label(layer),
                *layer.input.as_list(),
                *layer.output.as_list(),
                cost.macs,
                cost.params,
                f"{row.macs_share:.6f}",
            ]
            extra = [cost.ops] * elementwise + [cost.flops] * self.flops
            rows.append(cells + extra + ([reported[row.number - 1]] if reported else []))
        return header, rows

    def _parts_csv(self):
        elementwise = self.report.convention.elementwise
        header = [self.by, "layers", "first", "in_c", "in_h", "in_w", "out_c", "out_h", "out_w", "macs", "params"]
        header += ["macs_share"] + ["elementwise_ops"] * elementwise + ["flops"] * self.flops
        header += ["reported"] if self.report.tool is not None else []
        rows = []
        for part in self.report.parts(self.by):
            cost = part.cost
            cells = [
                part.key,
                part.layers,
                part.first.number,
                *part.first.layer.input.as_list(),
                *part.last.layer.output.as_list(),
                cost.macs,
                cost.params,
                f"{part.macs_share:.6f}",
            ]
            extra = [cost.ops] * elementwise + [cost.flops] * self.flops
            rows.append(cells + extra + ([part.reported] if self.report.tool is not None else []))
        return header, rows
