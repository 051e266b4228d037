"""CSV: one row per layer, exact integers (totals are the column sums)."""

from __future__ import annotations

import csv
import io

from ..analysis import Report


def render(report: Report, *, exact: bool = True, flops: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    extra = report.convention.elementwise
    header = ["index", "name", "op", "role", "operator", "in_c", "in_h", "in_w", "out_c", "out_h", "out_w",
              "macs", "params", "macs_share"]
    writer.writerow(header + (["elementwise_ops"] if extra else []) + (["flops"] if flops else []))
    for row in report.rows:
        layer, cost = row.layer, row.cost
        cells = [row.index, layer.name, layer.type, layer.role, layer.operator,
                 *layer.input.as_list(), *layer.output.as_list(), cost.macs, cost.params, f"{row.macs_share:.6f}"]
        writer.writerow(cells + ([cost.ops] if extra else []) + ([cost.flops] if flops else []))
    return buffer.getvalue()
