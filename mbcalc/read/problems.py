"""Collecting problems, so that a spec's every problem is reported at once."""

from __future__ import annotations

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
