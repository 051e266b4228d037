"""The view of `mbcalc compare`: one row per model x alpha x resolution."""

from __future__ import annotations

from ..analysis import Comparison, Report
from ..record import Record, record
from ..units import alpha_text, multiple, number, small_millions
from .document import Document, Section


def label(report: Report, name: str | None = None) -> str:
    """'v2@1.0/224'; `name` replaces the network's name (a spec file's path where names collide)."""
    cfg = report.network.config
    return f"{name or report.network.name}@{alpha_text(cfg.alpha)}/{cfg.size_text}"


@record
class CompareView(Record):
    comparison: Comparison
    exact: bool = False
    flops: bool = False

    def _backbone(self) -> bool:
        return any(r.network.config.backbone for r in self.comparison.reports)

    def _elementwise(self) -> bool:
        return any(r.convention.elementwise for r in self.comparison.reports)

    def document(self) -> Document:
        c, exact = self.comparison, self.exact
        unit = "" if exact else " (M)"
        headers: tuple[str, ...] = ("model", "α", "resolution", f"Mult-Adds{unit}", f"params{unit}")
        headers += (f"elem. ops{unit}",) * self._elementwise() + (f"FLOPs{unit}",) * self.flops
        tool = c.reports[0].tool if c.reports else None
        headers += (f"{tool.name} {tool.unit}{unit}",) if tool else ()
        if c.baseline:
            headers += ("× Mult-Adds", "× params")
        if c.memories:
            headers += (f"arena peak ({c.memories[0].dtype}, bytes)", "weights (bytes)")
        rows = []
        for i, (name, report) in enumerate(c.labelled()):
            cfg, total = report.network.config, report.total
            macs = number(total.macs, True) if exact else small_millions(total.macs, 1)
            params = number(total.params, True) if exact else small_millions(total.params)
            cells: tuple[str, ...] = (name, alpha_text(cfg.alpha), cfg.size_text, macs, params)
            extra = (total.ops,) * self._elementwise() + (total.flops,) * self.flops
            extra += (report.reported or 0,) if tool else ()
            cells += tuple(number(value, True) if exact else small_millions(value, 1) for value in extra)
            ratios = c.ratios(report)
            if ratios:
                cells += (multiple(ratios[0]), multiple(ratios[1]))
            if c.memories:
                memory = c.memories[i]
                cells += (number(memory.peak["arena"], True), number(memory.weights_bytes, True))
            rows.append(cells)
        profile = c.reports[0].network.config.profile if c.reports else "paper"
        conventions: dict[str, list[str]] = {}
        for name, report in c.labelled():
            names = conventions.setdefault(report.counting, [])
            if name not in names:
                names.append(name)
        footer = [
            f"Counting ({', '.join(names)}): {text}." if len(conventions) > 1 else f"Counting: {text}."
            for text, names in conventions.items()
        ]
        if c.memories:
            footer.append(
                "Memory as `mbcalc memory` gives it: the arena peak (tensors live at once) and the weights and "
                "biases as deployed, batch norm folded (int8: the quantization parameters apart, in JSON and CSV)."
            )
        if c.baseline:
            footer.append(
                f"× columns: multiples of the baseline {label(c.baseline)} "
                f"({number(c.baseline.total.macs, exact)} Mult-Adds, {number(c.baseline.total.params, exact)} params)."
            )
        # In a narrow terminal the multiples of params go first, then the other extra columns.
        least = [f"elem. ops{unit}", "× params", f"FLOPs{unit}", "× Mult-Adds"]
        optional = tuple(headers.index(name) for name in least if name in headers)
        section = Section("", headers, tuple(rows), tuple(range(1, len(headers))), wrap=(0,), optional=optional)
        backbones = ", backbones only (up to the last feature map)" if self._backbone() else ""
        return Document(f"Comparison, profile {profile}{backbones}", (section,), tuple(footer))

    def _rows(self) -> list[dict]:
        out = []
        for i, (name, report) in enumerate(self.comparison.labelled()):
            cfg = report.network.config
            row = {
                "model": name,
                "alpha": cfg.alpha,
                "resolution": cfg.resolution,
                "width": cfg.size[1],
                "macs": report.total.macs,
                "params": report.total.params,
            }
            if self._elementwise():
                row["elementwise_ops"] = report.total.ops
            if self.flops:
                row["flops"] = report.total.flops
            if report.tool is not None:
                row["reported"] = report.reported
            ratios = self.comparison.ratios(report)
            if ratios:
                row["macs_ratio"], row["params_ratio"] = ratios
            if self.comparison.memories:
                memory = self.comparison.memories[i]
                row["dtype"], row["peak_bytes"] = memory.dtype, memory.peak["arena"]
                row["weights_bytes"], row["quantization_bytes"] = memory.weights_bytes, memory.quantization_bytes
            out.append(row)
        return out

    def data(self) -> dict:
        c = self.comparison
        data = {
            "profile": c.reports[0].network.config.profile if c.reports else "paper",
            "backbone": self._backbone(),
            "conventions": {name: r.counting for name, r in c.labelled()},
            "rows": self._rows(),
        }
        if c.baseline:
            cfg = c.baseline.network.config
            data["baseline"] = {
                "model": c.baseline.network.name,
                "alpha": cfg.alpha,
                "resolution": cfg.resolution,
                "width": cfg.size[1],
                "macs": c.baseline.total.macs,
                "params": c.baseline.total.params,
            }
        return data

    def csv(self):
        rows = self._rows()
        header = list(rows[0]) if rows else ["model", "alpha", "resolution", "macs", "params"]
        return header, [list(r.values()) for r in rows]
