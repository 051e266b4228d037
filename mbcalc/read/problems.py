"""Collecting problems, so that a spec's every problem is reported at once."""

from __future__ import annotations

from ..errors import Problem, SpecError
from ..ir import Location
from .nodes import Node


class Problems:
    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []

    def add(self, where: Node, message: str) -> None:
        self.items.append(Problem(self.file, where.line, where.column, message))

    def add_at(self, where: Location, message: str) -> None:
        self.items.append(Problem(where.file, where.line, where.column, message))

    def location(self, node: Node) -> Location:
        return Location(self.file, node.line, node.column)

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(self.items)
