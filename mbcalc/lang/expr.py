"""A tiny, safe arithmetic language for spec values: numbers, $names, + - * / // and parentheses.

    evaluate("$t * $block_in", {"t": 6, "block_in": 24})  ->  144

No names, calls or attributes other than $parameters exist, so nothing in a spec can run code.
"""

from __future__ import annotations

import re


def is_expression(value: object) -> bool:
    """'$t * $in', '16 * 4' and '$out' are expressions; 'same', 'global', 'conv-1' (a name) are not."""
    if not isinstance(value, str):
        return False
    if "$" in value:
        return True
    return (
        set(value) <= set("0123456789. +-*/()")
        and any(c.isdigit() for c in value)
        and any(c in "+-*/" for c in value.lstrip(" -"))
    )


MAX_LENGTH = 500
MAX_PARENS = 50
_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\d*\.\d+|\d+)|(\$[A-Za-z_]\w*)|(//|[-+*/()]))")


def evaluate(text: str, env: dict[str, float]) -> float:
    """A tiny, safe arithmetic evaluator: numbers, $names, + - * / // and parentheses."""
    tokens, pos = [], 0
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the expression is longer than {MAX_LENGTH} characters (simplify it)")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(
                f"cannot read the expression '{text}' at '{text[pos:]}' "
                "(use numbers, $names, + - * / // and parentheses)"
            )
        tokens.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()
    index = 0
    depth = 0

    def peek():
        return tokens[index] if index < len(tokens) else None

    def take():
        nonlocal index
        index += 1
        return tokens[index - 1] if index <= len(tokens) else None

    def atom() -> float:
        token = take() if peek() is not None else None
        if token is None:
            raise ValueError(f"the expression '{text}' ends too early")
        if token in ("(", "-"):
            nonlocal depth
            depth += 1
            if depth > MAX_PARENS:
                raise ValueError(f"the expression nests more than {MAX_PARENS} levels (simplify it)")
            try:
                if token == "-":
                    return -atom()
                value = expr()
                if take() != ")":
                    raise ValueError(f"unbalanced parentheses in '{text}'")
                return value
            finally:
                depth -= 1
        if token.startswith("$"):
            if token[1:] not in env:
                raise ValueError(f"unknown parameter '{token}' in '{text}'")
            return env[token[1:]]
        if token[0].isdigit() or token[0] == ".":
            return float(token) if "." in token else int(token)
        raise ValueError(f"unexpected '{token}' in '{text}'")

    def term() -> float:
        value = atom()
        while peek() in ("*", "/", "//"):
            op, right = take(), atom()
            if op != "*" and right == 0:
                raise ValueError(f"division by zero in '{text}'")
            value = value * right if op == "*" else value / right if op == "/" else value // right
        return value

    def expr() -> float:
        value = term()
        while peek() in ("+", "-"):
            op, right = take(), term()
            value = value + right if op == "+" else value - right
        return value

    result = expr()
    if index != len(tokens):
        raise ValueError(f"unexpected '{tokens[index]}' in '{text}'")
    return result
