"""A document: a title, titled tables of strings and footer lines. The views make documents;
`draw.py` draws them for a terminal, as Markdown or as LaTeX (the strings arrive formatted)."""

from __future__ import annotations

from ..record import Record, field, record


@record
class Section(Record):
    """A titled table. `wrap` and `optional` only matter when the table must fit a width (a
    terminal): first the `wrap` columns wrap, each down to MIN_WRAP cells or its longest unbreakable
    piece; if that is not enough, the `optional` columns are left out one by one, in the order
    given, and the footer says which. With no width every column is drawn whole on one line."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[int, ...] = ()  # indexes of numeric (right-aligned) columns; these are never wrapped
    wrap: tuple[int, ...] = ()  # indexes of text columns whose cells may wrap onto several lines
    optional: tuple[int, ...] = ()  # indexes of columns that may be left out, least important first


@record
class Document(Record):
    title: str
    sections: tuple[Section, ...]
    footer: tuple[str, ...] = field(default=())
