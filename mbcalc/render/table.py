"""Terminal table, drawn by rich (imported here only, so other formats start faster)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from ..analysis import Report
from .sections import Section, all_sections, footer, title


def _table(section: Section) -> Table:
    table = Table(title=section.title, title_justify="left", show_edge=False, pad_edge=False)
    for i, header in enumerate(section.headers):
        table.add_column(header, justify="right" if i in section.right else "left", no_wrap=True)
    for row in section.rows:
        table.add_row(*row)
    return table


def render(report: Report, *, exact: bool = False, flops: bool = False, width: int = 120) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False)
    console.print(title(report), markup=False)
    for section in all_sections(report, exact, flops):
        console.print()
        console.print(_table(section))
    console.print()
    for line in footer(report):
        console.print(line, markup=False)
    return buffer.getvalue()
