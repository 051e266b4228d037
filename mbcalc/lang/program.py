"""The program: what every spec form lowers into, validated by the readers, expanded by `build`.

A `Program` is a list of `Item`s (an operator of the registry, a built-in block or a block the
spec defines) plus the spec's own `Block`s. Arguments stay as written (`Value`: a literal or an
`$expression`, with its place) until the build knows alpha, the resolution and the profile; a
channel count that alpha scales is a `Width` naming the rule that widens it, and a choice the
build profile makes (V1's activation) is a `Setting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..ir import Location
from ..record import Record, field, record

# Value, Width, Setting and Item are made once per layer of a spec: NamedTuples, fast to make.


class Value(NamedTuple):
    """A string as written (an expression such as '$t * $in', a layer name, a word), with its place
    for later errors. Numbers and flags stay plain values: the reader has checked them already."""

    raw: Any
    where: Location


class Width(NamedTuple):
    """A channel count at alpha = 1 and the rule that widens it under alpha.

    rule: 'fixed', 'spec' (the spec's `width:` rule) or a table form's rule that the build
    profile settles ('v1', 'md', 'v2.block', 'v2.head', 'v3.stem', 'v3.expand', 'v3.last',
    'v3.head'; expansion/widths.py). `per`: for ratio rules, the table's width of the input it scales.
    """

    nominal: Value | int  # an expression, or the number itself
    rule: str
    per: int = 0


class Setting(NamedTuple):
    """A value the build profile supplies, e.g. 'v1.activation' (ReLU in the paper, ReLU6 in Keras)."""

    key: str


class Item(NamedTuple):
    """One entry of a program: an operator or a block use, with its arguments and its place."""

    op: str
    args: Mapping[str, Any]  # argument -> a literal | Value | Width | Setting | list
    where: Location
    name: str | None = None
    input: str | None = None
    repeat: int = 1
    role: str | None = None
    row: str | None = None  # the table row it lowers, as written (table forms)


@record(slots=True)
class Block(Record):
    """A block a graph spec defines: parameters and items, expanded at each use."""

    name: str
    params: tuple[str, ...]
    items: tuple[Item, ...]
    where: Location


@record(slots=True)
class WidthRule(Record):
    """A graph spec's `width:` rule: truncate int(c*alpha), make_divisible(c*alpha, divisor), none."""

    rule: str = "truncate"
    divisor: int = 8
    min: int | None = None
    stated: bool = False  # written in the spec (else the default)


@record(slots=True)
class Program(Record):
    items: tuple[Item, ...]
    blocks: Mapping[str, Block] = field(default_factory=dict)
    width: WidthRule = WidthRule()
    # The widths (alphas) the spec builds faithfully, each with the $names its layers read at that
    # width (a per-width table, as ShuffleNet V2's stage channels); None: any alpha, by `width`.
    widths: Mapping[float, Mapping[str, Any]] | None = None
    values: Mapping[str, Any] = field(default_factory=dict)  # the chosen variant's values, as $names


@record(slots=True)
class Spec(Record):
    """A validated spec: its header and its program (whatever its form)."""

    name: str
    form: str  # v1, v2, v3 or graph
    description: str
    source: str
    input: tuple[int, int, int]  # H, W, C at the spec's nominal resolution
    classes: int
    program: Program
    file: str
    notes: tuple[str, ...] = ()
    counting: Mapping[str, Any] = field(default_factory=dict)  # the spec's own defaults: biases
    bundled: bool = False  # one of the bundled models (published figures attach only to those)


class Namer:
    """The names layers take in one scope: a layer's `name`, else op1, op2, ... (name1, name2, ...
    when a named layer repeats), never one that another layer of the scope has or declares.
    The checks and the expansion use the same namer, so they agree on every name."""

    def __init__(self, items: tuple[Item, ...] | list[Item]):
        self.reserved = {item.name for item in items if item.name}
        self.taken: set[str] = set()
        self.counters: dict[str, int] = {}

    def next(self, item: Item) -> str:
        name = item.name
        if name and item.repeat == 1:
            local = name
        else:
            base, counters = name or item.op, self.counters
            n = counters.get(base, 0)
            while True:
                n += 1
                local = f"{base}{n}"
                if local not in self.reserved and local not in self.taken:
                    break
            counters[base] = n
        self.taken.add(local)
        return local
