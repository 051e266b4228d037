"""Renderers: finished results -> text. They choose columns and format numbers; they never count.

Each result kind has a view (model.py, conv.py, compare.py, diff.py, reproduce.py) that says what
to show: `document()` (titled sections of strings, drawn as a terminal table, Markdown or LaTeX),
`data()` (exact values for JSON) and `csv()` (a header and rows of exact values). `render` draws
a view in one of FORMATS.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from ..schema_version import SCHEMA_VERSION  # the first key of every JSON output
from .document import Document

FORMATS = ("table", "markdown", "latex", "json", "csv")


class View(Protocol):
    def document(self) -> Document: ...
    def data(self) -> dict[str, Any]: ...
    def csv(self) -> tuple[list[str], list[list[Any]]]: ...


def inert(cell: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: one that reads as a formula (=, +, @, or - before
    something that is not a number) gets a leading apostrophe. Numbers are left alone."""
    text = cell.lstrip() if isinstance(cell, str) else ""
    if text and (text[0] in "=+@" or (text[0] == "-" and not text[1:2].isdigit())):
        return "'" + cell
    return cell


def render(view: View, fmt: str, width: int | None = None) -> str:
    """`view` in format `fmt`; a table fits a terminal `width` cells wide (None: no limit)."""
    if fmt in ("table", "markdown", "latex"):
        from .draw import draw_latex, draw_markdown, draw_table  # JSON and CSV start without the layout code

        if fmt == "table":
            return draw_table(view.document(), width)
        return draw_markdown(view.document()) if fmt == "markdown" else draw_latex(view.document())
    if fmt == "json":
        return json.dumps({"schema_version": SCHEMA_VERSION, **view.data()}, indent=2) + "\n"
    if fmt == "csv":
        header, rows = view.csv()
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([inert(cell) for cell in row] for row in rows)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
