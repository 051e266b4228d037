"""Renderers: finished results -> text. They choose columns and format numbers; they never count.

Each result kind has a view (model.py, conv.py, compare.py, diff.py, reproduce.py) that says what
to show: `document()` (titled sections of strings, drawn as a terminal table, Markdown or LaTeX),
`data()` (exact values for JSON) and `csv()` (a header and rows of exact values). `render` draws
a view in one of FORMATS.
"""

from __future__ import annotations

from collections.abc import Callable
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


def json_text(value: Any) -> str:
    """`value` as JSON, indented by two spaces per level, except that a record or list holding
    nothing but values and lists of values is written on one line: a layer per line."""
    import json  # tables need no JSON

    out: list[str] = []
    _write_json(value, "", out, json.JSONEncoder(separators=(", ", ": ")).encode)  # no indent: the C encoder
    return "".join(out) + "\n"


def _write_json(value: Any, indent: str, out: list[str], one_line: Callable[[Any], str]) -> None:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = None
    else:
        out.append(one_line(value))
        return
    values = value.values() if items is not None else value
    if all(not isinstance(v, (dict, list, tuple)) or _scalars(v) for v in values) or not value:
        out.append(one_line(value))
        return
    inner = indent + "  "
    out.append("{\n" if items is not None else "[\n")
    for i, entry in enumerate(items if items is not None else value):
        out.append(",\n" if i else "")
        out.append(inner)
        if items is not None:
            key, entry = entry
            out.append(one_line({key: 0})[1:-4] + ": ")  # the key as the encoder writes keys (true, 1.5)
        _write_json(entry, inner, out, one_line)
    out.append("\n" + indent + ("}" if items is not None else "]"))


def _scalars(values: dict[str, Any] | list[Any] | tuple[Any, ...]) -> bool:
    """A list of plain values (a shape, a list of widths): written on one line inside a record."""
    return not isinstance(values, dict) and not any(isinstance(v, (dict, list, tuple)) for v in values)


def render(view: View, fmt: str, width: int | None = None) -> str:
    """`view` in format `fmt`; a table fits a terminal `width` cells wide (None: no limit)."""
    if fmt in ("table", "markdown", "latex"):
        from .draw import draw_latex, draw_markdown, draw_table  # JSON and CSV start without the layout code

        if fmt == "table":
            return draw_table(view.document(), width)
        return draw_markdown(view.document()) if fmt == "markdown" else draw_latex(view.document())
    if fmt == "json":
        return json_text({"schema_version": SCHEMA_VERSION, **view.data()})
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
