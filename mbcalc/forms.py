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
from .width import make_divisible, truncate


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


def expand_v1(spec: Spec, config: Config, profile: Profile, b: Builder, classes: int) -> None:
    """V1 Table 1: every conv row is conv -> batch norm -> ReLU; then pool, FC, softmax."""
    rules = profile.v1
    problems: list[str] = []
    nominal = _Nominal(spec, problems)
    width = lambda c: truncate(c, config.alpha, rules.min_depth)  # noqa: E731
    convs = 0


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
            b.conv(name, width(cout), k, stride)
            nominal.advance(stride, cout)
        elif kind == "conv dw" and filt[0] == "dw":
            k, c = filt[1], filt[3]
            nominal.channels_in(row, c)
            block += 1
            b.role, name = "depthwise", f"block{block}.dw"
            b.depthwise(name, k, stride, padding=rules.dw_stride2_padding if stride > 1 else "same")
            nominal.advance(stride, c)
        elif kind == "avg pool" and filt[0] == "pool":
            # Table 1's 'Pool 7x7' covers the whole 7x7 map: a global average pool at any size.
            b.role = "head"
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


def _separable(b: Builder, name: str, out: int, k: int, stride: int, activation: str,
               dw_padding: str = "same") -> None:
    """V1's depthwise separable block: depthwise kxk + BN + act, pointwise 1x1 + BN + act."""
    b.role = "depthwise"
    b.depthwise(f"{name}.dw", k, stride, padding=dw_padding)
    b.batchnorm(f"{name}.dw.bn")
    b.activation(f"{name}.dw.{activation}", activation)
    b.role = "pointwise"
    b.conv(f"{name}.pw", out, 1)
    b.batchnorm(f"{name}.pw.bn")
    b.activation(f"{name}.pw.{activation}", activation)


# --- V2: [input, operator, t, c, n, s] ------------------------------------------------------


def read_operator(value: Any, known: dict[str, tuple]) -> tuple:
    """An operator cell such as 'bottleneck', 'conv2d 1x1' or 'bneck, 5x5' -> (kind, kernel, nbn)."""
    words = str(value).lower().replace(",", " ").split()
    kind = words[0] if words else ""
    kernel = next((int(w.split("x")[0]) for w in words[1:] if re.fullmatch(r"(\d+)x\1", w)), None)
    rest = [w for w in words[1:] if not re.fullmatch(r"\d+x\d+", w)]
    if kind not in known or any(w != "nbn" for w in rest) or (kernel is not None and kernel < 1):
        raise ValueError(f"expected one of {', '.join(known)} (with an optional KxK kernel), got '{value}'")
    return kind, kernel or known[kind][0], "nbn" in rest


V2_OPERATORS = {"conv2d": (3,), "bottleneck": (3,), "avgpool": (7,)}

V2_COLUMNS = (
    ("input", read_size),
    ("operator", lambda v: read_operator(v, V2_OPERATORS)),
    ("t", read_count),
    ("c", lambda v: read_count(v, allow=("-", "k"))),
    ("n", read_count),
    ("s", read_count),
)


def expand_v2(spec: Spec, config: Config, profile: Profile, b: Builder, classes: int) -> None:
    """V2 Table 2: stem conv, bottleneck rows (expand 1x1 -> dw 3x3 -> linear 1x1), head, classifier."""
    rules, alpha = profile.v2, config.alpha
    problems: list[str] = []
    nominal = _Nominal(spec, problems)
    block = 0
    for row in _flatten(spec.layers):
        size, (op, k, _), t, c, n, s = row.cells
        b.location = row.location
        nominal.check(row, size)
        n = 1 if n == "-" else n
        s = 1 if s == "-" else s
        unsupported = _v2_unsupported(op, k, n, b.layers)
        if unsupported:
            problems.append(f"{row.location}: {unsupported}")
            nominal.advance_to(-(-nominal.h // s), c if isinstance(c, int) else nominal.c)
            continue
        if op == "conv2d" and c == "k":
            b.role = "classifier"
            b.linear("classifier", classes)
        elif op == "conv2d" and isinstance(c, int) and not b.layers:
            b.role = "stem"
            b.conv("conv1", make_divisible(c * alpha), k, s)
            b.batchnorm("conv1.bn")
            b.activation("conv1.relu6", "relu6")
        elif op == "conv2d" and isinstance(c, int):
            b.role = "head"
            b.conv("conv_last", make_divisible(c * max(1.0, alpha)), k, s)  # 1280 for alpha < 1
            b.batchnorm("conv_last.bn")
            b.activation("conv_last.relu6", "relu6")
        elif op == "bottleneck" and isinstance(c, int) and isinstance(t, int):
            out = make_divisible(int(c * alpha) if rules.truncate_first else c * alpha)
            for i in range(n):
                block += 1
                _bottleneck_v2(b, f"block{block}", t, out, s if i == 0 else 1)
        elif op == "avgpool":
            b.role = "head"
            b.global_pool("pool")
        else:
            problems.append(f"{row.location}: a '{op}' row needs {'t and ' * (op == 'bottleneck')}c as numbers "
                            f"(got t={t}, c={c}); use '-' only where the paper does")
            continue
        nominal.advance_to(1 if op == "avgpool" else -(-nominal.h // s), nominal.c if op == "avgpool" else (classes if c == "k" else c))
    if problems:
        raise SpecError(problems)


def _v2_unsupported(op: str, k: int, n: int, built: list) -> str:
    """What a V2 row asks for that Table 2's layers cannot be ('' when the row is fine)."""
    if op == "bottleneck" and k != 3:
        return f"V2's bottleneck has a 3x3 depthwise conv, not {k}x{k} (write other kernels in form: graph)"
    if op in ("conv2d", "avgpool") and n != 1:
        return f"a '{op}' row is one layer: n must be 1 or '-', got {n}"
    if op == "conv2d" and built and k != 1:
        return f"after the stem, V2's conv2d rows are 1x1, not {k}x{k}"
    return ""


def _bottleneck_v2(b: Builder, name: str, t: int, out: int, stride: int) -> None:
    """Inverted residual: expand 1x1 (not when t = 1), depthwise 3x3, linear projection 1x1."""
    inp, skip = b.shape.channels, b.last
    if t != 1:
        b.role = "expand"
        b.conv(f"{name}.expand", inp * t, 1)
        b.batchnorm(f"{name}.expand.bn")
        b.activation(f"{name}.expand.relu6", "relu6")
    b.role = "depthwise"
    b.depthwise(f"{name}.dw", 3, stride)
    b.batchnorm(f"{name}.dw.bn")
    b.activation(f"{name}.dw.relu6", "relu6")
    b.role = "project"
    b.conv(f"{name}.project", out, 1)
    b.batchnorm(f"{name}.project.bn")  # linear bottleneck: no activation
    if stride == 1 and inp == out:
        b.role = "residual"
        b.add(f"{name}.add", skip)


# --- V3: [input, operator, exp size, #out, SE, NL, s] -----------------------------------------


def read_flag(value: Any) -> bool:
    if value in ("✓", "✔", True, "yes", "SE"):
        return True
    if value in ("-", False, "no", None, ""):
        return False
    raise ValueError(f"expected ✓ or -, got '{value}'")


NONLINEARITIES = {"HS": "hswish", "RE": "relu", "-": None}


def read_nonlinearity(value: Any) -> str | None:
    if value not in NONLINEARITIES:
        raise ValueError(f"expected HS (h-swish), RE (ReLU) or -, got '{value}'")
    return NONLINEARITIES[value]


V3_OPERATORS = {"conv2d": (3,), "bneck": (3,), "pool": (7,)}

V3_COLUMNS = (
    ("input", read_size),
    ("operator", lambda v: read_operator(v, V3_OPERATORS)),
    ("exp size", read_count),
    ("#out", lambda v: read_count(v, allow=("-", "k"))),
    ("SE", read_flag),
    ("NL", read_nonlinearity),
    ("s", read_count),
)


def expand_v3(spec: Spec, config: Config, profile: Profile, b: Builder, classes: int) -> None:
    """V3 Tables 1-2: stem, bneck rows (expand, depthwise, SE, project), last 1x1, pool, NBN head."""
    rules, alpha = profile.v3, config.alpha
    problems: list[str] = []
    nominal = _Nominal(spec, problems)
    block = 0
    for row in _flatten(spec.layers):
        size, (op, k, nbn), exp, out, se, act, s = row.cells
        b.location = row.location
        nominal.check(row, size)
        s = 1 if s == "-" else s
        unsupported = ("a bneck row needs NL HS (h-swish) or RE (ReLU), not '-'" if op == "bneck" and act is None
                       else f"NBN marks the 1x1 convs on the pooled map, not '{op} {k}x{k}'" if nbn and (op != "conv2d" or k != 1)
                       else "")
        if unsupported:
            problems.append(f"{row.location}: {unsupported}")
            nominal.advance_to(-(-nominal.h // s), out if isinstance(out, int) else nominal.c)
            continue
        if op == "bneck" and isinstance(exp, int) and isinstance(out, int):
            block += 1
            _bneck(b, rules, alpha, f"block{block}", k, exp, nominal.c, out, se, act, s)
        elif op == "conv2d" and not b.layers and isinstance(out, int):
            b.role = "stem"
            b.conv("conv1", out if rules.stem == "fixed" else make_divisible(out * alpha), k, s)
            b.batchnorm("conv1.bn")
            if act:
                b.activation(f"conv1.{act}", act)
        elif op == "conv2d" and not nbn and isinstance(out, int):
            b.role = "head"
            if rules.last_conv == "ratio":  # 960 = 6 x 160 in the table: 6 x the actual block output
                width = b.shape.channels * out // nominal.c
            else:
                width = make_divisible(out * alpha)
            b.conv("conv_last", width, k, s)
            b.batchnorm("conv_last.bn")
            if act:
                b.activation(f"conv_last.{act}", act)
        elif op == "pool":
            b.role = "head"
            b.global_pool("pool")
        elif op == "conv2d" and nbn and out == "k":
            b.role = "classifier"
            b.linear("classifier", classes)
        elif op == "conv2d" and nbn and isinstance(out, int):
            b.role = "head"
            scale = {"fixed": 1.0, "scaled": alpha, "above1": max(1.0, alpha)}[rules.head]
            b.linear("head", make_divisible(out * scale))
            if act:
                b.activation(f"head.{act}", act)
        else:
            problems.append(f"{row.location}: a '{op}' row needs {'exp size and ' * (op == 'bneck')}#out "
                            f"as numbers (got exp size={exp}, #out={out})")
            continue
        channels = nominal.c if op == "pool" else (classes if out == "k" else out)
        nominal.advance_to(1 if op == "pool" else -(-nominal.h // s), channels)
    if problems:
        raise SpecError(problems)


def _bneck(b: Builder, rules, alpha: float, name: str, k: int, exp: int, exp_in: int, out: int,
           se: bool, act: str | None, stride: int, expanded: int | None = None) -> None:
    """V3 bottleneck: expand 1x1, depthwise kxk, squeeze-and-excite, linear projection 1x1.

    `out` and `exp` are the table's widths, widened here by alpha under the profile's rules; a
    caller that has already widened them (the graph language) passes both final widths, `out`
    and `expanded`.
    """
    inp, skip = b.shape.channels, b.last
    if expanded is None:  # the table form: widen here, under the profile's rules
        out = make_divisible(out * alpha)
        if rules.expand == "ratio":  # TF/Keras: the table's ratio applied to the actual input
            expanded = make_divisible(inp * (exp / exp_in))
        else:
            expanded = make_divisible(exp * alpha)
    if expanded > inp:  # no expansion conv when there is nothing to expand (the first bneck)
        b.role = "expand"
        b.conv(f"{name}.expand", expanded, 1)
        b.batchnorm(f"{name}.expand.bn")
        b.activation(f"{name}.expand.{act}", act)
    b.role = "depthwise"
    b.depthwise(f"{name}.dw", k, stride)
    b.batchnorm(f"{name}.dw.bn")
    features = b.activation(f"{name}.dw.{act}", act)
    if se:
        channels = b.shape.channels
        b.role = "se"
        squeeze = make_divisible(channels // 4)  # TF's channels / 4 and torchvision's // 4 agree for
        #                                          the multiples of 8 the table forms produce
        b.global_pool(f"{name}.se.pool")
        b.conv(f"{name}.se.reduce", squeeze, 1, bias=True)
        b.activation(f"{name}.se.relu", "relu")
        b.conv(f"{name}.se.expand", channels, 1, bias=True)
        gate = b.activation(f"{name}.se.hsigmoid", "hsigmoid")
        b.multiply(f"{name}.se.scale", features, gate)
    b.role = "project"
    b.conv(f"{name}.project", out, 1)
    b.batchnorm(f"{name}.project.bn")
    if stride == 1 and inp == out:
        b.role = "residual"
        b.add(f"{name}.add", skip)


# --- shared helpers --------------------------------------------------------------------------


PER_ROW = {"v1": 3, "v2": 9, "v3": 16}  # the most layers one row (or one of a V2 row's n) can add


def estimated_layers(form: str, layers: tuple[Row | Repeat, ...]) -> int:
    """An upper bound on the layers a table expands to, computed without expanding it."""
    def row_size(row: Row) -> int:
        n = row.cells[4] if form == "v2" and isinstance(row.cells[4], int) else 1
        return PER_ROW[form] * n

    return sum(item.times * sum(map(row_size, item.rows)) if isinstance(item, Repeat) else row_size(item)
               for item in layers)


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


def expand_graph(spec: Spec, config: Config, profile: Profile, b: Builder, classes: int) -> None:
    """form: graph, the general language (graph.py)."""
    from .graph_expand import expand

    expand(spec.program, b, config.alpha, classes, profile)


FORM_COLUMNS: dict[str, tuple[tuple[str, Callable[[Any], Any]], ...]] = {
    "v1": V1_COLUMNS,
    "v2": V2_COLUMNS,
    "v3": V3_COLUMNS,
}
EXPANDERS = {
    "v1": expand_v1,
    "v2": expand_v2,
    "v3": expand_v3,
    "graph": expand_graph,
}
