"""A document is a title, titled tables of strings and footer lines; drawn for a terminal or as
Markdown. Everything here is layout: the strings arrive formatted."""

from __future__ import annotations

import io
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[int, ...] = ()  # indexes of numeric (right-aligned) columns


@dataclass(frozen=True)
class Document:
    title: str
    sections: tuple[Section, ...]
    footer: tuple[str, ...] = field(default=())


def pipe_table(section: Section) -> list[str]:
    """A GitHub pipe table with padded, aligned columns (numbers right-aligned)."""
    table = [section.headers, *section.rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(section.headers))]

    def line(cells: tuple[str, ...]) -> str:
        return (
            "| "
            + " | ".join(
                c.rjust(w) if i in section.right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if i in section.right else ("-" * (w + 2)) for i, w in enumerate(widths))
        + "|"
    )
    return [line(section.headers), rule, *(line(r) for r in section.rows)]


def draw_markdown(doc: Document) -> str:
    out = [f"# {doc.title}", ""] if doc.title else []
    for section in doc.sections:
        out += ([f"## {section.title}", ""] if section.title else []) + pipe_table(section) + [""]
    out += [f"{line}  " for line in doc.footer]
    return "\n".join(out).rstrip() + "\n"


def draw_table(doc: Document, width: int = 100_000) -> str:
    """Tables are as wide as their cells (never truncated); a terminal wraps what it must."""
    from rich.console import Console  # imported here only: JSON and CSV start without rich
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False)
    if doc.title:
        console.print(doc.title, markup=False)
    for section in doc.sections:
        table = Table(title=section.title or None, title_justify="left", show_edge=False, pad_edge=False)
        for i, header in enumerate(section.headers):
            table.add_column(header, justify="right" if i in section.right else "left", no_wrap=True)
        for row in section.rows:
            table.add_row(*row)
        console.print()
        console.print(table)
    if doc.footer:
        console.print()
    for line in doc.footer:
        console.print(line, markup=False)
    return buffer.getvalue()
