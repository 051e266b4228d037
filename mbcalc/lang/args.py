"""What an argument's kind accepts: one check, used on literals when a spec is read and on the
values of expressions when it is built."""

from __future__ import annotations

from typing import Any

from ..ir import Padding
from ..ops import ACTIVATIONS, INTERPOLATIONS, Arg

NONLINEARITIES = {"relu": "relu", "hswish": "hswish", "RE": "relu", "HS": "hswish"}


MAX_WHOLE = 10**9  # no width, kernel, stride or count is larger; bigger numbers are slips


def _whole(value: Any, minimum: int = 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= MAX_WHOLE


def whole_problem(where: str, value: Any, alternatives: str = "") -> str | None:
    """Why `value` is not a whole number from 1 to MAX_WHOLE, in words that say which bound it misses."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value > MAX_WHOLE:
            return f"{where} must be a whole number up to {MAX_WHOLE:,}{alternatives}, got {len(str(value))} digits"
        if value < 1:
            return f"{where} must be at least 1{alternatives}, got {value}"
        return None
    return f"{where} must be a whole number{alternatives}, got '{value}'"


def problem(arg: Arg, value: Any, owner: str, kernel: Any = None) -> str | None:
    """Why `value` cannot be `owner`'s argument `arg` (None when it can). `kernel`: a pool's k."""
    where = f"'{owner}.{arg.name}'"
    if value is None and not arg.required and arg.default is None:
        return None
    if arg.kind in ("width", "int", "channels"):
        return whole_problem(where, value)
    if arg.kind == "kernel":
        return None if value == "global" else whole_problem(where, value, " or global")
    if arg.kind == "bool":
        return None if isinstance(value, bool) else f"{where} must be true or false, got '{value}'"
    if arg.kind == "pool_padding":  # PyTorch: at most half the window
        limit = kernel // 2 if _whole(kernel) else None
        ok = _whole(value, 0) and (limit is None or value <= limit)
        allowed = f"a whole number from 0 to {limit}" if limit is not None else "a whole number >= 0"
        return None if ok else f"{where} must be {allowed}, got '{value}'"
    if arg.kind == "padding":
        ok = value in ("same", "valid") or _whole(value, 0)
        return None if ok else f"{where} must be same, valid or a whole number >= 0, got '{value}'"
    if arg.kind == "nl":
        return None if value in NONLINEARITIES else f"{where} must be relu or hswish (RE or HS), got '{value}'"
    if arg.kind == "activation":
        ok = value in ACTIVATIONS or value in (None, "none")
        return None if ok else f"{where} must be an activation ({', '.join(ACTIVATIONS)}) or none, got '{value}'"
    if arg.kind == "interpolation":
        return None if value in INTERPOLATIONS else f"{where} must be {' or '.join(INTERPOLATIONS)}, got '{value}'"
    if arg.kind == "pixels":
        return None if _whole(value, 0) else f"{where} must be a whole number >= 0, got '{value}'"
    if arg.kind == "factor":
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = number and 0 < value <= 1000
        return None if ok else f"{where} must be a number above 0 (a scale such as 1.5 or 0.1), got '{value}'"
    if arg.kind == "names":
        items = value if isinstance(value, list) else [value]
        return None if all(isinstance(v, str) for v in items) else f"{where} must name layers, got '{value}'"
    raise ValueError(f"unknown argument kind '{arg.kind}'")


def normal(arg: Arg, value: Any) -> Any:
    """The value as the build uses it: padding words as `Padding`, RE/HS as operator names, none as None."""
    if arg.kind == "padding" and isinstance(value, str):  # pools' pixels stay numbers
        return Padding(value)
    if arg.kind == "nl":
        return NONLINEARITIES[value]
    if arg.kind == "activation" and value == "none":
        return None
    if arg.kind == "names" and not isinstance(value, list):
        return [value]
    return value
