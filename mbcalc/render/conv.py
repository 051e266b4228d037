"""`mbcalc conv`: a standard convolution beside its depthwise separable replacement."""

from __future__ import annotations

import csv
import io
import json

from ..analysis import ConvComparison
from ..units import number
from .markdown import pipe_table
from .sections import Section


def _rows(c: ConvComparison, exact: bool) -> list[tuple[str, ...]]:
    rows = [(row.layer.name, row.layer.operator, f"{row.layer.input} → {row.layer.output}",
             number(row.cost.macs, exact), number(row.cost.params, exact))
            for report in (c.standard, c.separable) for row in report.rows]
    rows.append(("separable", "dw + pw", "", number(c.separable.total.macs, exact),
                 number(c.separable.total.params, exact)))
    return [("standard" if r[0] == "conv" else r[0], *r[1:]) for r in rows]


def _summary(c: ConvComparison) -> list[str]:
    n, k = c.out_channels, c.kernel
    return [
        f"separable / standard: Mult-Adds {c.macs_ratio:.4f} ({1 / c.macs_ratio:.2f}x fewer), "
        f"params {c.params_ratio:.4f} ({1 / c.params_ratio:.2f}x fewer)",
        f"formula 1/N + 1/D_K² = 1/{n} + 1/{k * k} = {c.formula:.4f} (exact for 'same' padding and stride 1)",
    ]


def _as_dict(c: ConvComparison) -> dict:
    layers = lambda report: [  # noqa: E731
        {"name": r.layer.name, "op": r.layer.type, "input": r.layer.input.as_list(),
         "output": r.layer.output.as_list(), "macs": r.cost.macs, "params": r.cost.params}
        for r in report.rows]
    return {
        "standard": {"macs": c.standard.total.macs, "params": c.standard.total.params, "layers": layers(c.standard)},
        "separable": {"macs": c.separable.total.macs, "params": c.separable.total.params, "layers": layers(c.separable)},
        "macs_ratio": c.macs_ratio,
        "params_ratio": c.params_ratio,
        "formula": c.formula,
    }


def render(c: ConvComparison, fmt: str, *, exact: bool = False) -> str:
    if fmt == "json":
        return json.dumps(_as_dict(c), indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["variant", "layer", "op", "macs", "params"])
        for variant, report in (("standard", c.standard), ("separable", c.separable)):
            for r in report.rows:
                writer.writerow([variant, r.layer.name, r.layer.type, r.cost.macs, r.cost.params])
        return buffer.getvalue()
    section = Section("", ("variant", "operator", "input → output", "Mult-Adds", "params"),
                      tuple(_rows(c, exact)), (3, 4))
    if fmt == "markdown":
        return "\n".join(pipe_table(section) + [""] + [f"{line}  " for line in _summary(c)]) + "\n"
    from rich.console import Console
    from .table import _table

    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None, highlight=False)
    console.print(_table(section))
    console.print()
    for line in _summary(c):
        console.print(line, markup=False)
    return buffer.getvalue()
