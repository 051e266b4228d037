"""The view of `mbcalc diff`: two configurations layer by layer, unchanged runs collapsed."""

from __future__ import annotations

from ..analysis import Diff, LayerCost
from ..ops import label as operator
from ..record import Record, record
from ..units import number, signed
from .compare import label
from .document import Document, Section
from .model import type_name


def _present(a: LayerCost | None, b: LayerCost | None) -> LayerCost:
    row = a or b
    assert row is not None  # an aligned pair has at least one side
    return row


def _shape(row: LayerCost | None) -> str:
    return f"{row.layer.input} → {row.layer.output}" if row else "—"


@record
class DiffView(Record):
    diff: Diff
    exact: bool = False

    def _layers(self) -> Section:
        d, exact = self.diff, self.exact
        rows, unchanged = [], 0

        def flush():
            nonlocal unchanged
            if unchanged:
                rows.append((f"… {unchanged} unchanged layer{'s' * (unchanged > 1)}", "", "", "", "", ""))
                unchanged = 0

        for pair in d.pairs:
            if not Diff.changed(pair):
                unchanged += 1
                continue
            flush()
            a, b = pair
            name = (
                _present(a, b).layer.name
                if not (a and b and a.layer.name != b.layer.name)
                else f"{a.layer.name} / {b.layer.name}"
            )
            delta = Diff.delta(pair)
            operators = dict.fromkeys(operator(row.layer) for row in pair if row)  # A's, and B's if it differs
            rows.append(
                (
                    name,
                    " / ".join(operators),
                    _shape(a),
                    _shape(b),
                    signed(delta.macs, exact),
                    signed(delta.params, exact),
                )
            )
        flush()
        return Section(
            "Layers that change",
            ("layer", "operator", "A: input → output", "B: input → output", "Δ Mult-Adds", "Δ params"),
            tuple(rows),
            (4, 5),
            wrap=(0, 1),
            optional=(2, 3),
        )

    def _types(self) -> Section:
        exact = self.exact
        rows = tuple(
            (
                type_name(key),
                number(a.macs, exact),
                number(b.macs, exact),
                signed(b.macs - a.macs, exact),
                number(a.params, exact),
                number(b.params, exact),
                signed(b.params - a.params, exact),
            )
            for key, a, b in self.diff.by_type()
            if a != b
        )
        return Section(
            "By type",
            ("type", "A Mult-Adds", "B Mult-Adds", "Δ", "A params", "B params", "Δ"),
            rows,
            (1, 2, 3, 4, 5, 6),
            wrap=(0,),
            optional=(4, 5, 1, 2),  # A's and B's params, then their Mult-Adds: the changes stay
        )

    def _totals(self) -> Section:
        a, b, exact = self.diff.a.total, self.diff.b.total, self.exact
        rows = (
            ("Mult-Adds", number(a.macs, exact), number(b.macs, exact), signed(b.macs - a.macs, exact)),
            ("parameters", number(a.params, exact), number(b.params, exact), signed(b.params - a.params, exact)),
        )
        return Section("Totals", ("", "A", "B", "Δ"), rows, (1, 2, 3))

    def document(self) -> Document:
        d = self.diff
        names = d.labels or (None, None)
        title = f"A = {label(d.a, names[0])}, B = {label(d.b, names[1])} (profile {d.a.network.config.profile})"
        if d.a.counting == d.b.counting:
            footer: tuple[str, ...] = (f"Counting: {d.a.counting}.",)
        else:  # e.g. only B has attention, whose products its Mult-Adds include
            footer = (f"Counting (A): {d.a.counting}.", f"Counting (B): {d.b.counting}.")
        sections = [self._totals(), self._types(), self._layers()]
        if not any(Diff.changed(pair) for pair in d.pairs):  # the same network twice: no empty tables
            sections = sections[:1]
            footer += ("No layer differs: A and B are the same network at the same configuration.",)
        return Document(title, tuple(sections), footer)

    def data(self) -> dict:
        d = self.diff

        def side(row):
            return (
                None
                if row is None
                else {
                    "name": row.layer.name,
                    "op": row.layer.type,
                    "input": row.layer.input.as_list(),
                    "output": row.layer.output.as_list(),
                    "macs": row.cost.macs,
                    "params": row.cost.params,
                }
            )

        names = d.labels or (d.a.network.name, d.b.network.name)
        return {
            "a": {
                "model": names[0],
                "alpha": d.a.network.config.alpha,
                "resolution": d.a.network.config.resolution,
                "width": d.a.network.config.size[1],
                "macs": d.a.total.macs,
                "params": d.a.total.params,
            },
            "b": {
                "model": names[1],
                "alpha": d.b.network.config.alpha,
                "resolution": d.b.network.config.resolution,
                "width": d.b.network.config.size[1],
                "macs": d.b.total.macs,
                "params": d.b.total.params,
            },
            "by_type": {
                k: {"a_macs": a.macs, "b_macs": b.macs, "a_params": a.params, "b_params": b.params}
                for k, a, b in d.by_type()
            },
            "layers": [{"a": side(a), "b": side(b), "changed": Diff.changed((a, b))} for a, b in d.pairs],
        }

    def csv(self):
        header = ["a_name", "b_name", "a_op", "b_op", "a_macs", "b_macs", "delta_macs", "a_params", "b_params"]
        header += ["delta_params"]
        rows = []
        for a, b in self.diff.pairs:
            delta = Diff.delta((a, b))
            rows.append(
                [
                    a.layer.name if a else "",
                    b.layer.name if b else "",
                    a.layer.type if a else "",
                    b.layer.type if b else "",
                    a.cost.macs if a else 0,
                    b.cost.macs if b else 0,
                    delta.macs,
                    a.cost.params if a else 0,
                    b.cost.params if b else 0,
                    delta.params,
                ]
            )
        return header, rows
