"""The view of `mbcalc explain`: one row per line item, one column per convention, the totals that
each counting tool prints."""

from __future__ import annotations

from ..analysis import Explanation
from ..record import Record, record
from ..tools import ITEMS, Tool
from ..units import number
from .document import Document, Section
from .model import title

MULT_ADDS = "Mult-Adds"  # the papers' and every profile's count: conv and FC layers only


@record
class ExplainView(Record):
    explanation: Explanation
    exact: bool = True

    def _columns(self) -> tuple[Tool | None, ...]:
        return (None, *self.explanation.tools)

    def _cell(self, tool: Tool | None, item: str, quantity: int) -> str:
        counted = self.explanation.counted(tool, item, quantity)
        coefficient = 1 if tool is None else tool.coefficients.get(item, 0)
        text = number(counted, self.exact)
        return f"{text} (×{coefficient})" if counted and coefficient != 1 else text

    def document(self) -> Document:
        e = self.explanation
        columns = self._columns()
        headers = ("line item", "quantity", *(MULT_ADDS if t is None else t.name for t in columns))
        rows = [
            (ITEMS[item], number(quantity, self.exact), *(self._cell(t, item, quantity) for t in columns))
            for item, quantity in e.quantities
            if quantity
        ]
        rows.append(("printed total", "", *(number(e.total(t), self.exact) for t in columns)))
        right = tuple(range(1, len(headers)))
        profile = e.report.network.config.profile
        # In a narrow terminal the quantity column goes first, then the tools from the last.
        optional = (1, *range(len(headers) - 1, 2, -1))
        section = Section(
            f"Counting tools, reconciled (profile {profile})", headers, tuple(rows), right, wrap=(0,), optional=optional
        )
        footer = [f"{MULT_ADDS}: the papers, the profiles, torchvision's and Keras's figures: conv and FC Mult-Adds."]
        footer += [f"{t.name} ({t.version}, {t.unit}): {t.call}; {t.notes}." for t in e.tools]
        footer.append("(×k): the tool counts k per unit of the item.")
        return Document(f"{title(e.report)}: what each counting tool prints", (section,), tuple(footer))

    def data(self) -> dict:
        e = self.explanation
        cfg = e.report.network.config
        return {
            "model": e.report.network.name,
            "alpha": cfg.alpha,
            "resolution": cfg.resolution,
            "width": cfg.size[1],
            "profile": cfg.profile,
            "items": [
                {
                    "item": item,
                    "what": ITEMS[item],
                    "quantity": quantity,
                    "counted": {
                        (MULT_ADDS if t is None else t.name): e.counted(t, item, quantity) for t in self._columns()
                    },
                }
                for item, quantity in e.quantities
                if quantity
            ],
            "totals": {(MULT_ADDS if t is None else t.name): e.total(t) for t in self._columns()},
            "tools": {
                t.name: {"version": t.version, "unit": t.unit, "call": t.call, "notes": t.notes} for t in e.tools
            },
        }

    def csv(self):
        names = [MULT_ADDS if t is None else t.name for t in self._columns()]
        rows = [
            [item, quantity, *(self.explanation.counted(t, item, quantity) for t in self._columns())]
            for item, quantity in self.explanation.quantities
            if quantity
        ]
        rows.append(["printed total", "", *(self.explanation.total(t) for t in self._columns())])
        return ["item", "quantity", *names], rows
