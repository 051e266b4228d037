"""Markdown: GitHub pipe tables with aligned columns, ready to paste into a README or a paper."""

from __future__ import annotations

from ..analysis import Report
from .sections import Section, all_sections, footer, title


def pipe_table(section: Section) -> list[str]:
    table = [section.headers, *section.rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(section.headers))]

    def line(cells) -> str:
        return "| " + " | ".join(
            c.rjust(w) if i in section.right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ) + " |"

    rule = "|" + "|".join(
        ("-" * (w + 1) + ":") if i in section.right else ("-" * (w + 2)) for i, w in enumerate(widths)
    ) + "|"
    return [line(section.headers), rule, *(line(r) for r in section.rows)]


def render(report: Report, *, exact: bool = False, flops: bool = False) -> str:
    out = [f"# {title(report)}", ""]
    for section in all_sections(report, exact, flops):
        out += [f"## {section.title}", "", *pipe_table(section), ""]
    out += [f"{line}  " for line in footer(report)]
    return "\n".join(out).rstrip() + "\n"
