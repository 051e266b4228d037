"""The content shared by the table and Markdown renderers: titles, headers and cell strings.

Both formats show the same sections (the layers, the totals, the breakdowns by type and by role,
the convention and notes); only the drawing differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import Group, Report
from ..units import number, percent
from . import type_name


@dataclass(frozen=True)
class Section:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[int, ...]  # indexes of numeric (right-aligned) columns


def title(report: Report) -> str:
    net = report.network
    cfg = net.config
    return (f"{net.name}: alpha {cfg.alpha:g}, {cfg.resolution}x{cfg.resolution}, profile {cfg.profile}"
            f" — {net.description}")


def layers(report: Report, exact: bool, flops: bool) -> Section:
    extra = report.convention.elementwise
    headers = ("#", "layer", "operator", "input → output", "Mult-Adds", "params", "share")
    headers += ("elem. ops",) * extra + ("FLOPs",) * flops
    rows = []
    for row in report.rows:
        layer, cost = row.layer, row.cost
        cells = (str(row.index), layer.name, layer.operator, f"{layer.input} → {layer.output}",
                 number(cost.macs, exact), number(cost.params, exact), percent(row.macs_share))
        cells += (number(cost.ops, exact),) * extra + (number(cost.flops, exact),) * flops
        rows.append(cells)
    return Section("Layers", headers, tuple(rows), tuple(range(4, len(headers))))


def totals(report: Report, exact: bool, flops: bool) -> Section:
    total = report.total
    rows = [("Mult-Adds", number(total.macs, exact)), ("parameters", number(total.params, exact))]
    if report.convention.elementwise:
        rows.append(("element-wise ops (not Mult-Adds)", number(total.ops, exact)))
    if flops:
        rows.append(("FLOPs = 2 × Mult-Adds + element-wise ops", number(total.flops, exact)))
    rows.append(("largest activation (elements)", number(report.peak_activation, exact)))
    return Section("Totals", ("", "total"), tuple(rows), (1,))


def breakdown(groups: tuple[Group, ...], label: str, exact: bool, names=lambda k: k) -> Section:
    rows = tuple(
        (names(g.key), str(g.layers), number(g.cost.macs, exact), percent(g.macs_share),
         number(g.cost.params, exact), percent(g.params_share))
        for g in groups
    )
    return Section(f"By {label}", (label, "layers", "Mult-Adds", "share", "params", "share"), rows, (1, 2, 3, 4, 5))


def all_sections(report: Report, exact: bool, flops: bool) -> list[Section]:
    return [
        layers(report, exact, flops),
        totals(report, exact, flops),
        breakdown(report.by_type, "type", exact, type_name),
        breakdown(report.by_role, "role", exact),
    ]


def footer(report: Report) -> list[str]:
    lines = [f"Counting: {report.convention.describe()} (profile '{report.network.config.profile}')."]
    lines += [f"Note: {note}" for note in report.network.notes]
    return lines
