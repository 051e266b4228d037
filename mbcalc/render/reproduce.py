"""The view of `mbcalc reproduce`: every published figure beside the computed one."""

from __future__ import annotations

from collections import Counter

from ..record import Record, record
from ..reproduce import Outcome, delta
from ..units import alpha_text
from .document import Document, Section

VERDICTS = {
    "exact": "exact",
    "rounded": "within the published rounding",
    "explained": "explained deviation (the recorded reason is checked by computation)",
    "documented": "documented deviation (a recorded reason computation cannot check)",
    "unexplained": "UNEXPLAINED",
}


def configuration(ref: dict) -> str:
    c = ref["config"]
    if "conv" in c:
        conv = c["conv"]
        extra = "".join(f" {k}={conv[k]}" for k in ("alpha", "rho", "padding") if k in conv)
        return f"conv {conv['in']}→{conv['out']} k{conv.get('k', 3)}{extra}"
    sizes = ",".join(map(str, c["scales"])) if "scales" in c else c.get("resolution", 224)
    text = f"{c['model']}@{alpha_text(float(c.get('alpha', 1.0)))}/{sizes}"
    extras = ["flipped"] if c.get("flipped") else []
    extras += [f"{k} {c[k]}" for k in ("profile", "counting", "classes", "bn", "biases") if k in c]
    extras += [f"{rule}={value}" for rule, value in (c.get("rules") or {}).items()]
    return text + (f" ({', '.join(extras)})" if extras else "")


@record
class ReproduceView(Record):
    outcomes: tuple[Outcome, ...]
    sources: bool = True  # a source column (Markdown, JSON, CSV); the terminal table leaves it out

    def document(self) -> Document:
        notes: list[str] = []
        rows = []
        for o in self.outcomes:
            verdict = o.verdict if o.verdict != "unexplained" else "UNEXPLAINED"
            if o.reason:
                if o.reason not in notes:
                    notes.append(o.reason)
                verdict += f" [{notes.index(o.reason) + 1}]"
            d = delta(o)
            cells = (o.reference["id"],) + ((o.reference["source"],) if self.sources else ())
            cells += (
                configuration(o.reference),
                o.quantity,
                o.published.text,
                f"{o.computed}{o.published.unit}",
                f"{d:+}" if d else "0",
                verdict,
            )
            rows.append(cells)
        headers = (
            ("figure",)
            + (("source",) if self.sources else ())
            + ("configuration", "quantity", "published", "computed", "Δ", "verdict")
        )
        counts = Counter(o.verdict for o in self.outcomes)
        summary = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v])
        footer = [f"{len(self.outcomes)} figures: {summary}."]
        footer += [f"{v}: {meaning}." for v, meaning in VERDICTS.items() if v not in ("exact", "unexplained")]
        footer += [f"[{i}] {reason}" for i, reason in enumerate(notes, 1)]
        right = tuple(i for i, h in enumerate(headers) if h in ("published", "computed", "Δ"))
        wrap = tuple(i for i, h in enumerate(headers) if h in ("source", "configuration", "quantity", "verdict"))
        optional = (headers.index("Δ"), 0)  # Δ is published against computed; the id is for cross-reference
        section = Section("", headers, tuple(rows), right, wrap=wrap, optional=optional)
        return Document("Published figures against computed ones", (section,), tuple(footer))

    def _records(self) -> list[dict]:
        return [
            {
                "id": o.reference["id"],
                "source": o.reference["source"],
                "configuration": configuration(o.reference),
                "quantity": o.quantity,
                "published": o.published.text,
                "computed": f"{o.computed}{o.published.unit}",
                "exact_value": o.exact_value,
                "delta": str(delta(o)),
                "verdict": o.verdict,
                "reason": o.reason,
            }
            for o in self.outcomes
        ]

    def data(self) -> dict:
        counts = Counter(o.verdict for o in self.outcomes)
        return {"figures": len(self.outcomes), "verdicts": {v: counts[v] for v in VERDICTS}, "rows": self._records()}

    def csv(self):
        records = self._records()
        header = list(records[0]) if records else ["id"]
        return header, [list(r.values()) for r in records]
