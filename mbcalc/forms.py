"""The papers' table forms: how to read each column, and how a row expands into layers.

    v1  V1 paper Table 1   [type / stride, filter shape, input size]
    v2  V2 paper Table 2   [input, operator, t, c, n, s]
    v3  V3 paper Tables 1-2 [input, operator, exp size, #out, SE, NL, s]

Each expander walks the rows with a `Builder`, applies the profile's width rules and checks the
table against itself at alpha = 1 (every row's input column must match what the rows above
produce), so that a transcription error is reported at its line rather than miscounted.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .errors import SpecError
from .expand import Builder
from .ir import Config
from .profiles import Profile
from .spec import Repeat, Row, Spec, parse_size
from .width import truncate


# --- column readers: a cell's raw YAML value -> a typed value, or ValueError(how to fix) -----


def read_size(value: Any) -> tuple[int, int, int]:
    size = parse_size(value)
    if size is None:
        raise ValueError(f"expected a size like 112x112x32 or 112²×32, got '{value}'")
    return size


def read_count(value: Any, *, allow: tuple[str, ...] = ("-",)) -> int | str:
    if isinstance(value, str) and value.strip() in allow:
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        extra = " or " + " or ".join(f"'{a}'" for a in allow) if allow else ""
        raise ValueError(f"expected a whole number >= 1{extra}, got '{value}'")
    return value


_V1_TYPE = re.compile(r"^\s*(conv|conv dw|avg pool|fc|softmax)\s*/\s*s(\d+)\s*$", re.I)


def read_v1_type(value: Any) -> tuple[str, int]:
    m = _V1_TYPE.match(str(value))
    if not m or int(m[2]) < 1:
        raise ValueError(
            f"expected 'TYPE / sN' with TYPE one of Conv, Conv dw, Avg Pool, FC, Softmax "
            f"(e.g. 'Conv dw / s2'), got '{value}'"
        )
    return m[1].lower(), int(m[2])


def read_v1_filter(value: Any) -> tuple:
    """'3x3x3x32' (conv), '3x3x32 dw', 'Pool 7x7', '1024x1000' (FC) or 'Classifier'."""
    text = str(value).replace("×", "x").strip()
    patterns = (
        ("conv", r"(\d+)x(\d+)x(\d+)x(\d+)"),
        ("dw", r"(\d+)x(\d+)x(\d+)\s+dw"),
        ("pool", r"pool\s+(\d+)x(\d+)"),
        ("fc", r"(\d+)x(\d+)"),
        ("classifier", r"classifier"),
    )
    for kind, pattern in patterns:
        m = re.fullmatch(pattern, text, re.I)
        if m:
            numbers = tuple(int(g) for g in m.groups())
            if any(n < 1 for n in numbers) or (kind in ("conv", "dw", "pool") and numbers[0] != numbers[1]):
                break
            return (kind, *numbers)
    raise ValueError(
        f"expected a filter shape like 3x3x32x64, 3x3x32 dw, Pool 7x7, 1024x1000 or Classifier "
        f"(square kernels), got '{value}'"
    )


V1_COLUMNS = (
    ("type / stride", read_v1_type),
    ("filter shape", read_v1_filter),
    ("input size", read_size),
)


def expand_v1(spec: Spec, config: Config, profile: Profile, b: Builder, classes: int) -> list[str]:
    """V1 Table 1: every conv row is conv -> batch norm -> ReLU; then pool, FC, softmax."""
    rules = profile.v1
    problems: list[str] = []
    nominal = _Nominal(spec, problems)
    width = lambda c: truncate(c, config.alpha, rules.min_depth)  # noqa: E731
    convs = 0

    def padding(stride: int) -> str:
        return rules.stride2_padding if stride > 1 else "same"

    block = 0
    previous = ""
    for row in _flatten(spec.layers):
        (kind, stride), filt, size = row.cells
        b.location = row.location
        nominal.check(row, size)
        if kind == "conv" and filt[0] == "conv":
            k, cin, cout = filt[1], filt[3], filt[4]
            nominal.channels_in(row, cin)
            convs += 1
            if convs == 1:
                b.role, name = "stem", "conv1"
            elif k == 1 and previous == "dw":  # the pointwise half of a separable block
                b.role, name = "pointwise", f"block{block}.pw"
            else:
                block += 1
                b.role, name = ("pointwise" if k == 1 else "conv"), f"block{block}.conv"
            b.conv(name, width(cout), k, stride, padding=padding(stride))
            nominal.advance(stride, cout)
        elif kind == "conv dw" and filt[0] == "dw":
            k, c = filt[1], filt[3]
            nominal.channels_in(row, c)
            block += 1
            b.role, name = "depthwise", f"block{block}.dw"
            b.depthwise(name, k, stride, padding=padding(stride))
            nominal.advance(stride, c)
        elif kind == "avg pool" and filt[0] == "pool":
            # Table 1's 'Pool 7x7' covers the whole 7x7 map: a global average pool at any size.
            b.role = "pool"
            b.global_pool("pool")
            nominal.advance_to(1, nominal.c)
            continue
        elif kind == "fc" and filt[0] == "fc":
            cin, cout = filt[1], filt[2]
            nominal.channels_in(row, cin)
            if cout != spec.classes:
                problems.append(f"{row.location}: the FC layer has {cout} outputs but 'classes' is {spec.classes} (make them agree)")
            b.role = "classifier"
            b.linear("fc", classes)
            nominal.advance_to(1, cout)
            continue
        elif kind == "softmax" and filt[0] == "classifier":
            b.role = "classifier"
            b.activation("softmax", "softmax")
            continue
        else:
            problems.append(f"{row.location}: type '{kind}' does not go with filter shape '{filt[0]}' "
                            f"(Conv takes KxKxMxN, Conv dw takes KxKxM dw, Avg Pool takes Pool KxK, FC takes MxN, Softmax takes Classifier)")
            continue
        previous = filt[0]
        b.batchnorm(f"{name}.bn")
        b.activation(f"{name}.{rules.activation}", rules.activation)
    if problems:
        raise SpecError(problems)
    return []


# --- shared helpers --------------------------------------------------------------------------


def _flatten(layers: tuple[Row | Repeat, ...]) -> list[Row]:
    rows: list[Row] = []
    for item in layers:
        if isinstance(item, Repeat):
            rows.extend(list(item.rows) * item.times)
        else:
            rows.append(item)
    return rows


class _Nominal:
    """The table's own sizes at alpha = 1 and the spec's resolution: checks the input column."""

    def __init__(self, spec: Spec, problems: list[str]):
        self.h, _, self.c = spec.input
        self.problems = problems

    def check(self, row: Row, size: tuple[int, int, int] | None) -> None:
        if size is not None and (size[0], size[2]) != (self.h, self.c):
            self.problems.append(
                f"{row.location}: the input column says {size[0]}x{size[1]}x{size[2]} but the rows above "
                f"produce {self.h}x{self.h}x{self.c} (fix this row or the one before it)"
            )
            self.h, self.c = size[0], size[2]  # resynchronise, so that one slip is one message

    def channels_in(self, row: Row, channels: int) -> None:
        if channels != self.c:
            self.problems.append(
                f"{row.location}: this layer takes {channels} input channels but the layer before "
                f"gives {self.c} (fix the filter shape)"
            )

    def advance(self, stride: int, channels: int) -> None:
        self.h, self.c = -(-self.h // stride), channels

    def advance_to(self, h: int, channels: int) -> None:
        self.h, self.c = h, channels


FORM_COLUMNS: dict[str, tuple[tuple[str, Callable[[Any], Any]], ...]] = {
    "v1": V1_COLUMNS,
}
EXPANDERS = {
    "v1": expand_v1,
}
