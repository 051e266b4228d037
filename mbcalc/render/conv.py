"""The view of `mbcalc conv`: a standard convolution beside its depthwise separable replacement."""

from __future__ import annotations

from ..analysis import ConvComparison, Report
from ..ops import label
from ..record import Record, record
from ..units import number
from .document import Document, Section


@record
class ConvView(Record):
    comparison: ConvComparison
    exact: bool = False

    def _rows(self):
        c = self.comparison
        for variant, report in (("standard", c.standard), ("separable", c.separable)):
            for row in report.layers:
                yield variant, row

    def document(self) -> Document:
        c, exact = self.comparison, self.exact
        rows = [
            (
                ("standard" if variant == "standard" else row.layer.name),
                label(row.layer),
                f"{row.layer.input} → {row.layer.output}",
                number(row.cost.macs, exact),
                number(row.cost.params, exact),
            )
            for variant, row in self._rows()
        ]
        rows.append(
            ("separable", "dw + pw", "", number(c.separable.total.macs, exact), number(c.separable.total.params, exact))
        )
        headers = ("variant", "operator", "input → output", "Mult-Adds", "params")
        section = Section("", headers, tuple(rows), (3, 4), wrap=(1, 2))
        n, k = c.out_channels, c.kernel
        footer = (
            f"separable / standard: Mult-Adds {c.macs_ratio:.4f} ({c.macs_reduction:.2f}x fewer), "
            f"params {c.params_ratio:.4f} ({c.params_reduction:.2f}x fewer)",
            f"formula 1/N + 1/D_K² = 1/{n} + 1/{k * k} = {c.formula:.4f} (exact for 'same' padding and stride 1)",
        )
        return Document("", (section,), footer)

    def data(self) -> dict:
        c = self.comparison

        def side(report: Report) -> dict:
            return {
                "macs": report.total.macs,
                "params": report.total.params,
                "layers": [
                    {
                        "name": r.layer.name,
                        "op": r.layer.type,
                        "input": r.layer.input.as_list(),
                        "output": r.layer.output.as_list(),
                        "macs": r.cost.macs,
                        "params": r.cost.params,
                    }
                    for r in report.layers
                ],
            }

        return {
            "standard": side(c.standard),
            "separable": side(c.separable),
            "macs_ratio": c.macs_ratio,
            "params_ratio": c.params_ratio,
            "formula": c.formula,
        }

    def csv(self):
        return (
            ["variant", "layer", "op", "macs", "params"],
            [
                [variant, row.layer.name, row.layer.type, row.cost.macs, row.cost.params]
                for variant, row in self._rows()
            ],
        )
