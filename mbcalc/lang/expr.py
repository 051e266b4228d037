"""A small, safe arithmetic language for spec values.

    evaluate("$t * $block_in", {"t": 6, "block_in": 24})               ->  144
    evaluate("make_divisible(1280 * max(1, $alpha))", {"alpha": 1.4})  ->  1792

Numbers, `$names`, `+ - * / //`, comparisons (`< <= > >= == !=`), parentheses and a few functions:
`min`, `max`, `ceil`, `floor`, `round` (halves to even, as Python's), `int` (towards zero),
`make_divisible(v, divisor, min)` (divisor 8 unless given) and `if(condition, then, else)` (both
branches are computed). Whole numbers stay exact at any size and `/` of whole numbers is
an exact fraction (`7 / 2 * 2` is 7); a decimal such as `$alpha` or `0.75` computes in floating
point, as the implementations whose width rules a spec writes do (`int(100 * 0.29)` is 28 there):
compare decimals with decimals (`$alpha >= 0.35`, not `7 / 20`, which is exactly 0.35).
Nothing else exists, so nothing in a spec can run code.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, TypeGuard

from .rounding import md

if TYPE_CHECKING:
    from fractions import Fraction

    Number = int | float | Fraction
MAX_BITS = 1000  # about 300 digits: far past any count, small enough to stay fast
MAX_DIGITS = 301

FUNCTIONS: dict[str, tuple[int, int, Callable[..., Number]]] = {  # name: (fewest, most arguments, function)
    "min": (2, 8, min),
    "max": (2, 8, max),
    "ceil": (1, 1, math.ceil),
    "floor": (1, 1, math.floor),
    "round": (1, 1, round),
    "int": (1, 1, int),
    "make_divisible": (1, 3, lambda v, divisor=8, least=None: md(v, _whole(divisor), least and _whole(least))),
}


class ValueProblem(ValueError):
    """An expression that reads well but has no value with these numbers (a division by zero, ...):
    only the build, which knows the numbers, can say so."""


def _whole(value: Number) -> int:
    if value != int(value) or value < 1:
        raise ValueProblem(f"make_divisible's divisor and minimum are whole numbers >= 1, got {value}")
    return int(value)


COMPARISONS: dict[str, Callable[[Number, Number], bool]] = {
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}
_ARITHMETIC = frozenset("0123456789. +-*/()<>=!,")
_CALL = re.compile(r"\b(" + "|".join(sorted(FUNCTIONS, key=len, reverse=True)) + r"|if)\s*\(")


def is_expression(value: object) -> bool:
    """'$t * $in', '16 * 4', 'max(8, 16)' and '$out' are expressions; 'same', 'global', 'conv-1' are not."""
    if type(value) is not str:
        return False
    if "$" in value:
        return True
    if "(" in value and _CALL.search(value):  # a function anywhere: '2 * max(8, 16)'
        return True
    return (
        any(c in "+-*/" for c in value.lstrip(" -"))  # an operator: rare in a name, so asked first
        and set(value) <= _ARITHMETIC
        and any(c.isdigit() for c in value)
    )


MAX_LENGTH = 500
MAX_PARENS = 50
_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\d*\.\d+|\d+)|(\$[A-Za-z_]\w*)|([A-Za-z_]\w*)|(//|<=|>=|==|!=|[-+*/(),<>]))")


def evaluate(text: str, env: Mapping[str, Number]) -> Number:
    """The value of `text` with `env`'s $names; ValueError (saying how to fix it) when it has none."""
    text = text.strip()
    return _Parser(text, list(_tokens(text)), env).parse()


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """An expression's tokens (a spec repeats its expressions: each is read once)."""
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the expression is longer than {MAX_LENGTH} characters (simplify it)")
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(
                f"cannot read the expression '{text}' at '{text[pos:]}' "
                "(use numbers, $names, + - * / //, comparisons, parentheses and min, max, ceil, floor, round, "
                "int, make_divisible, if)"
            )
        tokens.append(m.group(1) or m.group(2) or m.group(3) or m.group(4))
        pos = m.end()
    return tuple(tokens)


class _Parser:
    """Recursive descent over the tokens: comparison > sum > term > unary > atom."""

    def __init__(self, text: str, tokens: list[str], env: Mapping[str, Number]):
        self.text, self.tokens, self.env, self.index, self.depth = text, tokens, env, 0, 0

    def parse(self) -> Number:
        try:
            value = self.comparison()
        except OverflowError:
            raise ValueProblem(f"'{self.text}' is too large to compute") from None
        if self.index != len(self.tokens):
            raise ValueError(f"unexpected '{self.tokens[self.index]}' in '{self.text}'")
        return _plain(value)

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ValueError(f"the expression '{self.text}' ends too early")
        self.index += 1
        return token

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_PARENS:
            raise ValueError(f"the expression nests more than {MAX_PARENS} levels (simplify it)")

    def comparison(self) -> Number:
        value = self.sum()
        if self.peek() in COMPARISONS:
            op = self.take()
            value = int(COMPARISONS[op](value, self.sum()))  # 1 or 0, for if()
        return value

    def sum(self) -> Number:
        value = self.term()
        while self.peek() in ("+", "-"):
            op, right = self.take(), self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> Number:
        value = self.unary()
        while self.peek() in ("*", "/", "//"):
            op, right = self.take(), self.unary()
            if op != "*" and right == 0:
                raise ValueProblem(f"division by zero in '{self.text}'")
            if op == "*":
                value = self.bounded(value * right)
            elif op == "//":
                value = value // right
            elif isinstance(value, float) or isinstance(right, float):
                value = value / right
            else:  # whole numbers and fractions divide exactly
                from fractions import Fraction  # the first division loads it: most specs never divide

                value = self.bounded(Fraction(value) / right)
        return value

    def bounded(self, value: Number) -> Number:
        """`value`, unless it has grown past any count (a product of products, block after block,
        would otherwise take unbounded time and memory)."""
        if (isinstance(value, int) or is_fraction(value)) and max(
            abs(value.numerator), value.denominator
        ).bit_length() > MAX_BITS:
            raise ValueProblem(
                f"'{self.text}' grows past {MAX_DIGITS} digits (no width, kernel or count is that large)"
            )
        return value

    def unary(self) -> Number:
        if self.peek() == "-":
            self.take()
            self.nested()
            try:
                return -self.unary()
            finally:
                self.depth -= 1
        return self.atom()

    def atom(self) -> Number:
        token = self.take()
        if token == "(":
            self.nested()
            try:
                value = self.comparison()
            finally:
                self.depth -= 1
            if self.peek() != ")":
                raise ValueError(f"unbalanced parentheses in '{self.text}'")
            self.take()
            return value
        if token.startswith("$"):
            if token[1:] not in self.env:
                raise ValueError(f"unknown parameter '{token}' in '{self.text}'")
            value = self.env[token[1:]]
            if not (isinstance(value, (int, float)) or is_fraction(value)):  # true and false count as 1 and 0
                raise ValueProblem(f"'{token}' is '{value}', not a number, in '{self.text}'")
            return value
        if token[0].isdigit() or token[0] == ".":
            return float(token) if "." in token else int(token)
        if token in FUNCTIONS or token == "if":
            return self.call(token)
        raise ValueError(f"unexpected '{token}' in '{self.text}'")

    def call(self, name: str) -> Number:
        if self.take() != "(":
            raise ValueError(f"'{name}' needs its arguments in parentheses in '{self.text}'")
        self.nested()
        args = [self.comparison()]
        while self.peek() == ",":
            self.take()
            args.append(self.comparison())
        self.depth -= 1
        if self.peek() != ")":
            raise ValueError(f"unbalanced parentheses in '{self.text}'")
        self.take()
        if name == "if":
            if len(args) != 3:
                raise ValueError(f"if takes (condition, then, else), got {len(args)} arguments in '{self.text}'")
            return args[1] if args[0] else args[2]
        fewest, most, function = FUNCTIONS[name]
        if not fewest <= len(args) <= most:
            count = f"{fewest}" if fewest == most else f"{fewest} to {most}"
            raise ValueError(f"{name} takes {count} arguments, got {len(args)} in '{self.text}'")
        try:
            return function(*args)
        except ValueProblem:
            raise
        except (ValueError, ZeroDivisionError, OverflowError, TypeError) as exc:
            raise ValueProblem(f"{name}{tuple(args)} has no value ({exc}) in '{self.text}'") from None


def is_fraction(value: object) -> TypeGuard[Fraction]:
    """Whether `value` is a Fraction. Only a division makes one, and it imports fractions first, so
    before that nothing can be one (and start-up need not import it)."""
    fractions = sys.modules.get("fractions")
    return fractions is not None and isinstance(value, fractions.Fraction)


def _plain(value: Number) -> Number:
    """A fraction that is whole is an int."""
    if is_fraction(value) and value.denominator == 1:
        return int(value)
    return value
