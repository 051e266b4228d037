"""The views of `mbcalc sweep` (a grid per model and metric: alpha down, resolution across) and
`mbcalc fit` (the configurations within the budgets, best first)."""

from __future__ import annotations

from typing import Any

from ..record import Record, record
from ..sweep import BUDGETS, Fit, Point, Sweep
from ..units import alpha_text, number, small_millions
from .document import Document, Section

TITLES = {
    "macs": "Mult-Adds",
    "params": "parameters",
    "peak-memory": "peak memory (arena), bytes",
    "weight-bytes": "weights as deployed, bytes",
}
FIELDS = {"macs": "macs", "params": "params", "peak-memory": "peak_bytes", "weight-bytes": "weights_bytes"}


def cell(metric: str, value: int | None, exact: bool) -> str:
    if value is None:
        return "-"
    if exact or metric in ("peak-memory", "weight-bytes"):
        return number(value, True)
    return small_millions(value, 1 if metric == "macs" else 2)


def point_record(point: Point, metrics: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = {"model": point.model, "alpha": point.alpha, "resolution": point.resolution}
    for metric in ("macs", "params", *metrics):
        row[FIELDS[metric]] = point.metric(metric)
    return row


@record
class SweepView(Record):
    sweep: Sweep
    exact: bool = False

    def document(self) -> Document:
        s, sections = self.sweep, []
        unit = "" if self.exact else " (M)"
        for model, (alphas, resolutions) in s.axes.items():
            grid = {(p.alpha, p.resolution): p for p in s.grid(model)}
            for metric in s.metrics:
                title = TITLES[metric] + ("" if metric in ("peak-memory", "weight-bytes") else unit)
                headers = ("α \\ resolution", *map(str, resolutions))
                rows = tuple(
                    (alpha_text(a), *(cell(metric, grid[(a, r)].metric(metric), self.exact) for r in resolutions))
                    for a in alphas
                )
                optional = tuple(range(len(headers) - 1, 1, -1))  # the largest resolutions go first
                sections.append(
                    Section(f"{model}: {title}", headers, rows, tuple(range(1, len(headers))), (), optional)
                )
        footer = [f"Profile {s.profile}; every cell is the count one build at that width and resolution gives."]
        if s.dtype:
            footer.append(f"Memory as `mbcalc memory --dtype {s.dtype}` gives it.")
        count = len(s.points)
        return Document(f"Sweep: {count:,} configuration{'s' * (count != 1)}", tuple(sections), tuple(footer))

    def data(self) -> dict[str, Any]:
        s = self.sweep
        return {
            "profile": s.profile,
            "dtype": s.dtype,
            "metrics": list(s.metrics),
            "points": [point_record(p, s.metrics) for p in s.points],
        }

    def csv(self) -> tuple[list[str], list[list[Any]]]:
        rows = [point_record(p, self.sweep.metrics) for p in self.sweep.points]
        header = list(rows[0]) if rows else ["model", "alpha", "resolution", "macs", "params"]
        return header, [list(r.values()) for r in rows]


@record
class FitView(Record):
    fit: Fit
    exact: bool = False

    def _marks(self, point: Point) -> tuple[str, str]:
        sources, top1 = self.fit.checkpoints.get((point.model, point.alpha, point.resolution), ((), None))
        return ", ".join(sources), (f"{top1:.1f}%" if top1 is not None else "")

    def document(self) -> Document:
        f = self.fit
        metrics = f.sweep.metrics
        unit = "" if self.exact else " (M)"
        headers: tuple[str, ...] = ("model", "α", "resolution")
        headers += tuple(TITLES[m] + ("" if m in ("peak-memory", "weight-bytes") else unit) for m in metrics)
        headers += ("frontier", "checkpoints", "top-1")
        rows = []
        for p in f.fitting:
            sources, top1 = self._marks(p)
            on_frontier = "◆" if (p.model, p.alpha, p.resolution) in f.frontier else ""
            rows.append(
                (
                    p.model,
                    alpha_text(p.alpha),
                    str(p.resolution),
                    *(cell(m, p.metric(m), self.exact) for m in metrics),
                    on_frontier,
                    sources,
                    top1,
                )
            )
        right = (*range(1, 3 + len(metrics)), len(headers) - 1)
        optional = (len(headers) - 2, len(headers) - 1)
        section = Section("", headers, tuple(rows), right, (len(headers) - 2,), optional)
        budgets = ", ".join(f"{BUDGETS[m]} at most {number(v, True)}" for m, v in f.budgets.items())
        total = len(f.sweep.points)
        footer = [
            f"{len(f.fitting):,} of {total:,} configurations fit ({budgets}), "
            f"the most {TITLES.get(f.sort, f.sort)} first.",
            "◆ the frontier: no other fitting configuration of the same model is at least as wide and at least as "
            "large in resolution (the largest configurations that still fit).",
            "Checkpoints: TF-Slim, Keras, torchvision and timm publish trained weights of this configuration; "
            "top-1: a published ImageNet top-1 accuracy for it (mbcalc/references.yaml).",
        ]
        footer += self.verdicts()
        return Document(f"Fit: profile {f.sweep.profile}", (section,), tuple(footer))

    def verdicts(self) -> list[str]:
        """A budget check (one configuration per model): whether each fits and by how much."""
        f = self.fit
        if not f.is_check:
            return [] if f.fitting else ["No configuration fits: loosen a budget or widen the grid."]
        lines = []
        for point in f.sweep.points:
            label = f"{point.model}@{alpha_text(point.alpha)}/{point.resolution}"
            over = f.excess(point)
            if not over:
                spare = ", ".join(
                    f"{BUDGETS[m]} {number(point.metric(m) or 0, True)} of {number(v, True)}"
                    for m, v in f.budgets.items()
                )
                lines.append(f"{label} fits: {spare}.")
                continue
            misses = ", ".join(
                f"{BUDGETS[m]} {number(point.metric(m) or 0, True)} > {number(f.budgets[m], True)} "
                f"by {number(extra, True)} ({100 * extra / f.budgets[m]:.1f}%)"
                for m, extra in over.items()
            )
            lines.append(f"{label} does not fit: {misses}.")
        return lines

    def data(self) -> dict[str, Any]:
        f = self.fit
        rows = []
        for p in f.fitting:
            row = point_record(p, f.sweep.metrics)
            sources, top1 = f.checkpoints.get((p.model, p.alpha, p.resolution), ((), None))
            row |= {"frontier": (p.model, p.alpha, p.resolution) in f.frontier, "checkpoints": list(sources)}
            row["top1"] = top1
            rows.append(row)
        return {
            "profile": f.sweep.profile,
            "dtype": f.sweep.dtype,
            "budgets": {FIELDS[m]: v for m, v in f.budgets.items()},
            "sort": f.sort,
            "configurations": len(f.sweep.points),
            "fitting": rows,
            "verdicts": self.verdicts(),
        }

    def csv(self) -> tuple[list[str], list[list[Any]]]:
        rows = self.data()["fitting"]
        for row in rows:
            row["checkpoints"] = " ".join(row["checkpoints"])
        header = (
            list(rows[0])
            if rows
            else [*point_record(Point("", 0.0, 0, 0, 0), self.fit.sweep.metrics), "frontier", "checkpoints", "top1"]
        )
        return header, [list(r.values()) for r in rows]
