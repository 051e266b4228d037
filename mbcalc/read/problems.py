"""Collecting problems, so that a spec's every problem is reported at once."""

from __future__ import annotations

import unicodedata

from ..errors import Problem, SpecError
from ..ir import Location
from .nodes import Node, Position


class Problems:
    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []

    def add(self, where: Node | Position, message: str) -> None:
        """A problem at a node, or at a mapping key's position."""
        line, column = where if isinstance(where, tuple) else (where.line, where.column)
        self.items.append(Problem(self.file, line, column, message))

    def add_at(self, where: Location, message: str) -> None:
        self.items.append(Problem(where.file, where.line, where.column, message))

    def location(self, where: Node | Position) -> Location:
        line, column = where if isinstance(where, tuple) else (where.line, where.column)
        return Location(self.file, line, column)

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(self.items)


MAX_NAME = 64  # characters in a name: a layer's full name joins those of the blocks around it
LINE_BREAKS = frozenset("\n\r")  # in free text (descriptions, notes) a line break shows as a space


def name_problem(text: str) -> str | None:
    """Why `text` cannot be a name: a character no output can show, or past MAX_NAME characters."""
    if len(text) > MAX_NAME:
        return f"it is {len(text)} characters long (a name has at most {MAX_NAME})"
    return unshowable(text)


def unshowable(text: str, line_breaks: bool = False) -> str | None:
    """Why `text` cannot be shown as it is in a table, Markdown or CSV: the first control, format or
    line-separator character in it (NUL, CR/LF, a bidirectional override, a zero-width joiner ...);
    with `line_breaks`, free text such as a folded description may have line breaks."""
    if text.isprintable():  # the common case, in C
        return None
    for character in text:
        if line_breaks and character in LINE_BREAKS:
            continue
        if unicodedata.category(character) not in ("Zs",) and not character.isprintable():
            name = unicodedata.name(character, "a control character")
            return (
                f"it contains U+{ord(character):04X} ({name.lower()}), which no output can show "
                f"(use letters, digits and punctuation)"
            )
    return None
