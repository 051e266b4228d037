"""The papers' table forms: readers that check each row and lower it into the common program.

    v1  V1 paper Table 1    [type / stride, filter shape, input size]
    v2  V2 paper Table 2    [input, operator, t, c, n, s]
    v3  V3 paper Tables 1-2 [input, operator, exp size, #out, SE, NL, s]

Each cell is read by its column's reader; then the rows are checked against themselves at
alpha = 1 (every row's input column must match what the rows above produce, channels must
chain), so a transcription error is reported at its line when the spec is read, and each row is
lowered into items of the block library (lang/blocks.py) that keep the row's place and text.
Widths that alpha scales are `Width`s whose rule the build profile settles (expansion/widths.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import did_you_mean
from ..ir import Location, Role
from ..lang.args import MAX_WHOLE
from ..lang.blocks import BUILTINS
from ..lang.program import Item, Program, Setting, Value, Width
from ..record import Record, record
from .checks import MAX_LAYERS
from .nodes import Node
from .problems import Problems

# --- rows ----------------------------------------------------------------------------------------


@record(slots=True)
class TableRow(Record):
    """One table row: its cells (typed by the form's column readers), its place and its text."""

    cells: tuple[Any, ...]
    where: Location
    text: str


@record(slots=True)
class Repeat(Record):
    """A group of rows repeated n times (V1 Table 1's '5x')."""

    times: int
    rows: tuple[TableRow, ...]


Column = tuple[str, Callable[[Any], Any]]
UNREAD: Any = type("Unread", (), {"__repr__": lambda self: "UNREAD"})()  # a cell that could not be read


def read(
    form: str, layers: Node, size: tuple[int, int, int] | None, classes: int | None, problems: Problems
) -> Program | None:
    """The rows of a table form, checked and lowered into a Program (None when they cannot be).

    Rows are checked against each other even when some cells could not be read (a row with a bad
    cell is passed over, and the next row's input column picks up the chain), but not without
    the spec's `input` and `classes` (None), which the chain starts from.
    """
    groups = _read_layers(layers, COLUMNS[form], problems)
    if size is None or classes is None or not groups:
        return None
    if (expanded := estimated_layers(form, groups)) > MAX_LAYERS:
        problems.add(
            layers,
            f"the table would expand to about {expanded:,} layers, past the limit of "
            f"{MAX_LAYERS:,} (check the repeat and n counts)",
        )
        return None
    rows = [
        row for group in groups for row in (list(group.rows) * group.times if isinstance(group, Repeat) else [group])
    ]
    return Program(tuple(LOWER[form](rows, _Nominal(size, problems), classes)))


def _read_layers(node: Node, columns: tuple[Column, ...], problems: Problems) -> list[TableRow | Repeat]:
    if not node.is_list or not node.value:
        problems.add(node, "'layers' must be a non-empty list of table rows")
        return []
    out: list[TableRow | Repeat] = []
    for item in node.value:
        if item.is_map:
            out.extend(_read_repeat(item, columns, problems))
        elif (row := _read_row(item, columns, problems)) is not None:
            out.append(row)
    return out


def _read_repeat(node: Node, columns: tuple[Column, ...], problems: Problems) -> list[Repeat]:
    allowed = ("repeat", "layers")
    for key, cell in (node.keys or {}).items():
        if key not in allowed:
            problems.add(
                cell,
                f"unknown key '{key}'{did_you_mean(key, allowed)} (a repeated group has 'repeat: N' and 'layers:')",
            )
    if "repeat" not in node.value or "layers" not in node.value:
        problems.add(node, "a repeated group needs 'repeat: N' and 'layers: [rows]'")
        return []
    times = node.value["repeat"].value
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        problems.add(node.value["repeat"], "'repeat' must be a whole number >= 1")
        times = 1
    rows_node = node.value["layers"]
    if not rows_node.is_list or not rows_node.value:
        problems.add(rows_node, "'layers' of a repeated group must be a non-empty list of rows")
        return []
    rows = [r for r in (_read_row(i, columns, problems) for i in rows_node.value) if r is not None]
    return [Repeat(times, tuple(rows))]


def _read_row(node: Node, columns: tuple[Column, ...], problems: Problems) -> TableRow | None:
    names = ", ".join(name for name, _ in columns)
    if not node.is_list or any(not c.is_scalar for c in node.value):
        problems.add(node, f"a row is a list of cells [{names}]")
        return None
    if len(node.value) != len(columns):
        problems.add(node, f"a row has {len(columns)} cells [{names}], this one has {len(node.value)}")
        return None
    cells = []
    for (name, reader), cell in zip(columns, node.value, strict=True):
        try:
            cells.append(reader(cell.value))
        except ValueError as exc:
            problems.add(cell, f"{name}: {exc}")
            cells.append(UNREAD)
    text = "[" + ", ".join(str(c.value) for c in node.value) + "]"
    return TableRow(tuple(cells), problems.location(node), text)


# The most layers one row (or one of a V2 row's n) can add: its largest block.
PER_ROW = {form: BUILTINS[block].size for form, block in (("v1", "conv_bn_act"), ("v2", "bottleneck"), ("v3", "bneck"))}


def estimated_layers(form: str, groups: list[TableRow | Repeat]) -> int:
    """An upper bound on the layers a table expands to, computed without expanding it."""

    def row_size(row: TableRow) -> int:
        n = row.cells[4] if form == "v2" and isinstance(row.cells[4], int) else 1
        return PER_ROW[form] * n

    return sum(g.times * sum(map(row_size, g.rows)) if isinstance(g, Repeat) else row_size(g) for g in groups)


class _Nominal:
    """The table's own sizes at alpha = 1 and the spec's resolution: checks the input column."""

    def __init__(self, size: tuple[int, int, int], problems: Problems):
        self.h, _, self.c = size
        self.problems = problems
        self.lost = False  # a row was passed over: the next input column is taken as it is
        self.flagged: TableRow | None = None  # the row whose input column was just found wrong
        # After a wrong input column the chain follows the column as written, and this one the rows
        # above: if the next row agrees with the rows above, the wrong cell was a slip in that column
        # alone, and it is one problem, not two.
        self.unwritten: tuple[int, int] | None = None

    def unreadable(self, row: TableRow) -> bool:
        """A row with a cell that could not be read: passed over; the next row resynchronises."""
        if UNREAD in row.cells:
            self.lost = True
            return True
        return False

    def check(self, row: TableRow, size: tuple[int, int, int] | None) -> None:
        if self.lost and size is not None:  # after a row passed over: take the chain up from here
            self.h, self.c, self.lost = size[0], size[2], False
        unwritten, self.unwritten = self.unwritten, None
        if size is not None and unwritten is not None and (size[0], size[2]) == unwritten:
            self.h, self.c = unwritten  # the row before had the slip, already reported
        if size is not None and (size[0], size[2]) != (self.h, self.c):
            self.problems.add_at(
                row.where,
                f"the input column says {size[0]}x{size[1]}x{size[2]} but the rows above "
                f"produce {self.h}x{self.h}x{self.c} (fix this row or the one before it)",
            )
            self.unwritten = (self.h, self.c)
            self.h, self.c = size[0], size[2]  # resynchronise, so that one slip is one message
            self.flagged = row

    def channels_in(self, row: TableRow, channels: int) -> None:
        if channels != self.c and self.flagged is not row:  # a wrong input column is one message, not two
            self.problems.add_at(
                row.where,
                f"this layer takes {channels} input channels but the layer before "
                f"gives {self.c} (fix the filter shape)",
            )
            self.lost = True  # the filter or the row above is wrong: the next input column takes the chain up

    def advance(self, stride: int, channels: int) -> None:
        self.h, self.c = -(-self.h // stride), channels
        if self.unwritten is not None:
            self.unwritten = (-(-self.unwritten[0] // stride), channels)

    def advance_to(self, h: int, channels: int) -> None:
        if self.unwritten is not None:  # a pool keeps the channels: the unwritten chain keeps its own
            self.unwritten = (h, self.unwritten[1] if channels == self.c else channels)
        self.h, self.c = h, channels


def _item(row: TableRow, op: str, name: str, role: Role, **args: Any) -> Item:
    """An item of a row (its arguments are literals, Widths and Settings)."""
    values = dict(args)
    return Item(op, values, row.where, name=name, role=role, row=row.text)


def _width(row: TableRow, channels: int | str, rule: str, per: int = 0) -> Width:
    return Width(Value(channels, row.where) if isinstance(channels, str) else channels, rule, per)


def _conv(row: TableRow, name: str, role: Role, out: Width, k: int, s: int, act: Any) -> Item:
    """A row's convolution with batch norm and its activation (none: linear)."""
    return _item(row, "conv_bn_act", name, role, dw=False, out=out, k=k, s=s, p="same", act=act)


def _classifier(row: TableRow, name: str) -> Item:
    return _item(row, "fc", name, Role.CLASSIFIER, out=_width(row, "$classes", "fixed"))


# --- column readers: a cell's raw YAML value -> a typed value, or ValueError(how to fix) --------


def parse_size(text: Any) -> tuple[int, int, int] | None:
    """'224x224x3', '224²×3' or '1×1×1280' -> (H, W, C); None if it is not a size."""
    text = str(text).replace("×", "x").replace("X", "x")
    m = re.fullmatch(r"\s*(\d+)\s*²\s*x\s*(\d+)\s*", text)
    if m:
        return int(m[1]), int(m[1]), int(m[2])
    m = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)\s*", text)
    if m:
        return int(m[1]), int(m[2]), int(m[3])
    return None


def read_size(value: Any) -> tuple[int, int, int]:
    size = parse_size(value)
    if size is None:
        raise ValueError(f"expected a size like 112x112x32 or 112²×32, got '{value}'")
    if max(size) > MAX_WHOLE:
        raise ValueError(f"a size's numbers go up to {MAX_WHOLE:,}, got '{value}'")
    return size


def read_count(value: Any, *, allow: tuple[str, ...] = ("-",)) -> int | str:
    if isinstance(value, str) and value.strip() in allow:
        return value.strip()
    extra = " or " + " or ".join(f"'{a}'" for a in allow) if allow else ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number >= 1{extra}, got '{value}'")
    if value < 1:
        raise ValueError(f"expected at least 1{extra}, got {value}")
    if value > MAX_WHOLE:
        raise ValueError(f"expected a whole number up to {MAX_WHOLE:,}{extra}, got {len(str(value))} digits")
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


def read_v1_filter(value: Any) -> tuple[Any, ...]:
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


def read_operator(value: Any, known: dict[str, int]) -> tuple[str, int, bool]:
    """An operator cell such as 'bottleneck', 'conv2d 1x1' or 'bneck, 5x5' -> (kind, kernel, nbn)."""
    words = str(value).lower().replace(",", " ").split()
    kind = words[0] if words else ""
    kernel = next((int(w.split("x")[0]) for w in words[1:] if re.fullmatch(r"(\d+)x\1", w)), None)
    rest = [w for w in words[1:] if not re.fullmatch(r"\d+x\d+", w)]
    if kind not in known or any(w != "nbn" for w in rest) or (kernel is not None and kernel < 1):
        raise ValueError(f"expected one of {', '.join(known)} (with an optional KxK kernel), got '{value}'")
    return kind, kernel or known[kind], "nbn" in rest


def read_flag(value: Any) -> bool:
    if value in ("✓", "✔", True, "yes", "SE"):
        return True
    if value in ("-", False, "no", None, ""):
        return False
    raise ValueError(f"expected ✓ or -, got '{value}'")


NL_CELLS = {"HS": "hswish", "RE": "relu", "-": None}


def read_nonlinearity(value: Any) -> str | None:
    if value not in NL_CELLS:
        raise ValueError(f"expected HS (h-swish), RE (ReLU) or -, got '{value}'")
    return NL_CELLS[value]


V2_OPERATORS = {"conv2d": 3, "bottleneck": 3, "avgpool": 7}
V3_OPERATORS = {"conv2d": 3, "bneck": 3, "pool": 7}
COLUMNS: dict[str, tuple[Column, ...]] = {
    "v1": (("type / stride", read_v1_type), ("filter shape", read_v1_filter), ("input size", read_size)),
    "v2": (
        ("input", read_size),
        ("operator", lambda v: read_operator(v, V2_OPERATORS)),
        ("t", read_count),
        ("c", lambda v: read_count(v, allow=("-", "k"))),
        ("n", read_count),
        ("s", read_count),
    ),
    "v3": (
        ("input", read_size),
        ("operator", lambda v: read_operator(v, V3_OPERATORS)),
        ("exp size", read_count),
        ("#out", lambda v: read_count(v, allow=("-", "k"))),
        ("SE", read_flag),
        ("NL", read_nonlinearity),
        ("s", read_count),
    ),
}


# --- V1: [type / stride, filter shape, input size] ---------------------------------------------


def lower_v1(rows: list[TableRow], nominal: _Nominal, classes: int) -> list[Item]:
    """V1 Table 1: every conv row is conv -> batch norm -> activation; then pool, FC, softmax."""
    items: list[Item] = []
    act = Setting("v1.activation")  # ReLU in the paper, ReLU6 in TF-Slim and Keras
    convs = block = 0
    previous = ""
    for row in rows:
        if nominal.unreadable(row):
            continue
        (kind, stride), filt, size = row.cells
        nominal.check(row, size)
        if kind == "conv" and filt[0] == "conv":
            k, cin, cout = filt[1], filt[3], filt[4]
            nominal.channels_in(row, cin)
            convs += 1
            if convs == 1:
                role, name = Role.STEM, "conv1"
            elif k == 1 and previous == "dw":  # the pointwise half of a separable block
                role, name = Role.POINTWISE, f"block{block}.pw"
            else:
                block += 1
                role, name = (Role.POINTWISE if k == 1 else Role.CONV), f"block{block}.conv"
            items.append(
                _item(
                    row,
                    "conv_bn_act",
                    name,
                    role,
                    dw=False,
                    out=_width(row, cout, "v1"),
                    k=k,
                    s=stride,
                    p="same",
                    act=act,
                )
            )
            nominal.advance(stride, cout)
        elif kind == "conv dw" and filt[0] == "dw":
            k, c = filt[1], filt[3]
            nominal.channels_in(row, c)
            block += 1
            padding = Setting("v1.dw_padding") if stride > 1 else "same"  # Keras pads stride-2 rows its own way
            items.append(
                _item(
                    row, "conv_bn_act", f"block{block}.dw", Role.DEPTHWISE, dw=True, k=k, s=stride, p=padding, act=act
                )
            )
            nominal.advance(stride, c)
        elif kind == "avg pool" and filt[0] == "pool":
            # Table 1's 'Pool 7x7' covers the whole 7x7 map: a global average pool at any size.
            items.append(_item(row, "avgpool", "pool", Role.HEAD, k="global"))
            nominal.advance_to(1, nominal.c)
            continue
        elif kind == "fc" and filt[0] == "fc":
            cin, cout = filt[1], filt[2]
            nominal.channels_in(row, cin)
            if cout != classes:
                nominal.problems.add_at(
                    row.where, f"the FC layer has {cout} outputs but 'classes' is {classes} (make them agree)"
                )
            items.append(_classifier(row, "fc"))
            nominal.advance_to(1, cout)
            continue
        elif kind == "softmax" and filt[0] == "classifier":
            items.append(_item(row, "softmax", "softmax", Role.CLASSIFIER))
            continue
        else:
            nominal.problems.add_at(
                row.where,
                f"type '{kind}' does not go with filter shape '{filt[0]}' (Conv takes "
                f"KxKxMxN, Conv dw takes KxKxM dw, Avg Pool takes Pool KxK, FC takes "
                f"MxN, Softmax takes Classifier)",
            )
            continue
        previous = filt[0]
    return items


# --- V2: [input, operator, t, c, n, s] ---------------------------------------------------------


def lower_v2(rows: list[TableRow], nominal: _Nominal, classes: int) -> list[Item]:
    """V2 Table 2: stem conv, bottleneck rows (expand 1x1 -> dw 3x3 -> linear 1x1), head, classifier."""
    items: list[Item] = []
    block = 0
    for row in rows:
        if nominal.unreadable(row):
            continue
        size, (op, k, _), t, c, n, s = row.cells
        nominal.check(row, size)
        n = 1 if n == "-" else n
        s = 1 if s == "-" else s
        unsupported = _v2_unsupported(op, k, n, bool(items))
        if unsupported:
            nominal.problems.add_at(row.where, unsupported)
            nominal.advance(s, c if isinstance(c, int) else nominal.c)
            continue
        if op == "conv2d" and c == "k":
            items.append(_classifier(row, "classifier"))
        elif op == "conv2d" and isinstance(c, int) and not items:
            items.append(_conv(row, "conv1", Role.STEM, _width(row, c, "md"), k, s, "relu6"))
        elif op == "conv2d" and isinstance(c, int):  # 1280 for alpha < 1
            items.append(_conv(row, "conv_last", Role.HEAD, _width(row, c, "v2.head"), k, s, "relu6"))
        elif op == "bottleneck" and isinstance(c, int) and isinstance(t, int):
            for i in range(n):
                block += 1
                items.append(
                    _item(
                        row,
                        "bottleneck",
                        f"block{block}",
                        Role.BODY,
                        t=t,
                        out=_width(row, c, "v2.block"),
                        s=s if i == 0 else 1,
                    )
                )
        elif op == "avgpool":
            items.append(_item(row, "avgpool", "pool", Role.HEAD, k="global"))
        else:
            nominal.problems.add_at(
                row.where,
                f"a '{op}' row needs {'t and ' * (op == 'bottleneck')}c as numbers "
                f"(got t={t}, c={c}); use '-' only where the paper does",
            )
            continue
        channels = nominal.c if op == "avgpool" else (classes if c == "k" else c)
        if op == "avgpool":
            nominal.advance_to(1, channels)
        else:
            nominal.advance(s, channels)
    return items


def _v2_unsupported(op: str, k: int, n: int, built: bool) -> str:
    """What a V2 row asks for that Table 2's layers cannot be ('' when the row is fine)."""
    if op == "bottleneck" and k != 3:
        return f"V2's bottleneck has a 3x3 depthwise conv, not {k}x{k} (write other kernels in form: graph)"
    if op in ("conv2d", "avgpool") and n != 1:
        return f"a '{op}' row is one layer: n must be 1 or '-', got {n}"
    if op == "conv2d" and built and k != 1:
        return f"after the stem, V2's conv2d rows are 1x1, not {k}x{k}"
    return ""


# --- V3: [input, operator, exp size, #out, SE, NL, s] ------------------------------------------


def lower_v3(rows: list[TableRow], nominal: _Nominal, classes: int) -> list[Item]:
    """V3 Tables 1-2: stem, bneck rows (expand, depthwise, SE, project), last 1x1, pool, NBN head."""
    items: list[Item] = []
    block = 0
    for row in rows:
        if nominal.unreadable(row):
            continue
        size, (op, k, nbn), exp, out, se, act, s = row.cells
        nominal.check(row, size)
        s = 1 if s == "-" else s
        unsupported = (
            "a bneck row needs NL HS (h-swish) or RE (ReLU), not '-'"
            if op == "bneck" and act is None
            else f"NBN marks the 1x1 convs on the pooled map, not '{op} {k}x{k}'"
            if nbn and (op != "conv2d" or k != 1)
            else ""
        )
        if unsupported:
            nominal.problems.add_at(row.where, unsupported)
            nominal.advance(s, out if isinstance(out, int) else nominal.c)
            continue
        if op == "bneck" and isinstance(exp, int) and isinstance(out, int):
            block += 1
            items.append(
                _item(
                    row,
                    "bneck",
                    f"block{block}",
                    Role.BODY,
                    k=k,
                    exp=_width(row, exp, "v3.expand", nominal.c),
                    out=_width(row, out, "md"),
                    se=se,
                    nl=act,
                    s=s,
                )
            )
        elif op == "conv2d" and not items and isinstance(out, int):
            items.append(_conv(row, "conv1", Role.STEM, _width(row, out, "v3.stem"), k, s, act))
        elif op == "conv2d" and not nbn and isinstance(out, int):
            items.append(_conv(row, "conv_last", Role.HEAD, _width(row, out, "v3.last", nominal.c), k, s, act))
        elif op == "pool":
            items.append(_item(row, "avgpool", "pool", Role.HEAD, k="global"))
        elif op == "conv2d" and nbn and out == "k":
            items.append(_classifier(row, "classifier"))
        elif op == "conv2d" and nbn and isinstance(out, int):
            items.append(_item(row, "fc", "head", Role.HEAD, out=_width(row, out, "v3.head")))
            if act:
                items.append(_item(row, act, f"head.{act}", Role.HEAD))
        else:
            nominal.problems.add_at(
                row.where,
                f"a '{op}' row needs {'exp size and ' * (op == 'bneck')}#out "
                f"as numbers (got exp size={exp}, #out={out})",
            )
            continue
        channels = nominal.c if op == "pool" else (classes if out == "k" else out)
        if op == "pool":
            nominal.advance_to(1, channels)
        else:
            nominal.advance(s, channels)
    return items


LOWER: dict[str, Callable[[list[TableRow], _Nominal, int], list[Item]]] = {
    "v1": lower_v1,
    "v2": lower_v2,
    "v3": lower_v3,
}
