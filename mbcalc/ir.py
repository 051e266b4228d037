"""The layer IR: plain, immutable records that every analysis walks.

A program expands into a `Network`: an ordered tuple of `Layer`s, each one operator of the registry
(`ops.py`) with its resolved attributes and the shapes of all its inputs and of its output, so a
counter never infers anything. `inputs` names the layers a layer reads, which makes the IR a DAG
(residual adds, concatenations and squeeze-excite gates read several tensors).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, NamedTuple

from .record import Record, record

# The records made once per layer (Shape, Location, Layer) are NamedTuples: as immutable as frozen
# dataclasses, several times faster to make, which a 100,000-layer spec notices.


class Shape(NamedTuple):
    channels: int
    height: int
    width: int

    @property
    def size(self) -> int:
        return self.channels * self.height * self.width

    def as_list(self) -> list[int]:
        return [self.channels, self.height, self.width]

    def __str__(self) -> str:
        return f"{self.height}x{self.width}x{self.channels}"


class Location(NamedTuple):
    """Where in a spec file something came from, for error messages (1-based)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Role(str, Enum):
    """What a layer does in its network (the by-role breakdown). A graph spec may name other roles."""

    STEM = "stem"
    CONV = "conv"
    EXPAND = "expand"
    DEPTHWISE = "depthwise"
    SE = "se"
    POINTWISE = "pointwise"
    PROJECT = "project"
    RESIDUAL = "residual"
    HEAD = "head"
    CLASSIFIER = "classifier"
    BODY = "body"
    SEPARABLE = "separable"

    def __str__(self) -> str:
        return self.value


class Padding(str, Enum):
    """Symbolic paddings; an int means that many pixels on each side (PyTorch)."""

    SAME = "same"  # TF "SAME": ceil(in / stride)
    VALID = "valid"  # no padding
    PAD01 = "pad01"  # one extra row and column at the bottom/right, then valid (Keras V1)

    def __str__(self) -> str:
        return self.value


class Layer(NamedTuple):
    name: str
    op: str  # the registry's operator name: conv, dw, pw, fc, bn, relu, avgpool, add, ...
    attrs: Mapping[str, Any]  # the operator's resolved attributes (kernel, stride, groups, bias, ...)
    inputs: tuple[str, ...]  # the layers it reads ("input" is the network's input)
    input_shapes: tuple[Shape, ...]  # one per input, in order
    output: Shape
    type: str  # the breakdown key (V1 paper Table 2): conv, depthwise, pointwise, fc, batchnorm, ...
    role: str  # a Role, or a graph spec's own
    source: Location | None = None
    row: str | None = None  # the table row it was built from, as written

    @property
    def input(self) -> Shape:
        """The first (for most operators the only) input."""
        return self.input_shapes[0]


@record(slots=True)
class Config(Record):
    """The knobs a user turns: width multiplier, input resolution, build profile, classes."""

    alpha: float = 1.0
    resolution: int = 224  # the input's height (and width, unless `width` says otherwise)
    profile: str = "paper"
    classes: int | None = None  # None: the profile's (1001 for TF-Slim) or the spec's
    backbone: bool = False  # only the feature extractor: up to the last feature map before global pooling
    width: int | None = None  # the input's width where it differs from its height (1024x2048)

    @property
    def size(self) -> tuple[int, int]:
        """The input's (height, width)."""
        return self.resolution, self.width or self.resolution

    @property
    def size_text(self) -> str:
        """'224', or '1024x2048' for an input that is not square."""
        height, width = self.size
        return str(height) if height == width else f"{height}x{width}"


@record(slots=True)
class Network(Record):
    name: str
    description: str
    config: Config
    input: Shape
    layers: tuple[Layer, ...]
    classes: int
    form: str = "graph"  # the spec's form, which picks a profile's counting defaults
    biases: bool | None = None  # the spec's own counting default (the V1 paper counts no biases)
    notes: tuple[str, ...] = ()  # facts about this build the user should see (errata followed, ...)
    bundled: bool = False  # built from a bundled spec: published figures (top-1, ...) belong to it
