"""Expansion: a `Spec` plus a `Config` (alpha, resolution, profile) -> a `Network` of layers.

`Builder` appends layers one at a time, tracking the current tensor shape, so the table forms
(`forms.py`) only say *what* a row contains; shapes follow mechanically. Output sizes follow the
layer's padding: "same" gives ceil(in / stride) at any resolution (225, 97, 331 ...).
"""

from __future__ import annotations

from .errors import MbcalcError
from .ir import (
    Activation,
    Add,
    BatchNorm,
    Concat,
    Config,
    Conv2d,
    Layer,
    Linear,
    Location,
    Multiply,
    Network,
    Op,
    Pool,
    Reshape,
    Shape,
    Shuffle,
    Split,
)
from .profiles import Profile, resolve
from .spec import Spec


def output_size(size: int, kernel: int, stride: int, padding: str | int, dilation: int = 1,
                ceil: bool = False) -> int:
    """Spatial output size of a convolution or pooling window.

    "same": ceil(in / stride) (TF "SAME"); "valid": no padding; "pad01": one extra row/column at
    the bottom/right, then valid (Keras V1); an integer p: p pixels on each side (PyTorch), with
    PyTorch's ceil_mode for pools (the last window must start inside the input or left padding).
    """
    if padding == "same":
        return -(-size // stride)
    span = dilation * (kernel - 1) + 1
    if padding == "pad01":
        size += 1
    pad = padding if isinstance(padding, int) else 0
    if not ceil:
        return (size + 2 * pad - span) // stride + 1
    out = -(-(size + 2 * pad - span) // stride) + 1
    if (out - 1) * stride >= size + pad:
        out -= 1
    return out


class Builder:
    """Appends layers to a network under construction, one operator at a time."""

    def __init__(self, shape: Shape):
        self.shape = self.input_shape = shape
        self.layers: list[Layer] = []
        self.outputs: dict[str, Shape] = {"input": shape}
        self.last = "input"
        self.location: Location | None = None
        self.role = ""

    def _append(self, name: str, op: Op, output: Shape, inputs: tuple[str, ...] | None = None) -> str:
        if min(output.height, output.width) < 1:
            where = f"{self.location}: " if self.location else ""
            raise MbcalcError(f"{where}layer '{name}' gets a {self.shape} input and its output map would be empty; "
                              f"use a larger --res")
        if output.channels < 1:
            where = f"{self.location}: " if self.location else ""
            raise MbcalcError(f"{where}layer '{name}' would have no channels; use a larger --alpha")
        layer = Layer(name, op, self.shape, output, self.role, inputs or (self.last,), self.location)
        self.layers.append(layer)
        self.outputs[name] = output
        self.shape, self.last = output, name
        return name

    def conv(self, name: str, out: int, kernel: int, stride: int = 1, *, groups: int = 1,
             bias: bool = False, padding: str | int = "same", dilation: int = 1) -> str:
        h = output_size(self.shape.height, kernel, stride, padding, dilation)
        w = output_size(self.shape.width, kernel, stride, padding, dilation)
        op = Conv2d(kernel, stride, groups, bias, padding, dilation)
        return self._append(name, op, Shape(out, h, w))

    def depthwise(self, name: str, kernel: int, stride: int = 1, *, padding: str | int = "same",
                  dilation: int = 1, bias: bool = False) -> str:
        c = self.shape.channels
        return self.conv(name, c, kernel, stride, groups=c, padding=padding, dilation=dilation, bias=bias)

    def pool(self, name: str, kind: str, kernel: int, stride: int, padding: int = 0, ceil: bool = False) -> str:
        h = output_size(self.shape.height, kernel, stride, padding, 1, ceil)
        w = output_size(self.shape.width, kernel, stride, padding, 1, ceil)
        return self._append(name, Pool(kind, kernel, stride, padding, ceil), Shape(self.shape.channels, h, w))

    def adaptive_pool(self, name: str, size: int, kind: str = "avg") -> str:
        return self._append(name, Pool(kind, None, 1, 0, False, size), Shape(self.shape.channels, size, size))

    def reshape(self, name: str, kind: str) -> str:
        s = self.shape
        out = Shape(s.size, 1, 1) if kind == "flatten" else s
        return self._append(name, Reshape(kind), out)

    def merge(self, name: str, kind: str, inputs: tuple[str, ...]) -> str:
        """add / multiply / concat of earlier layers' outputs (checked for matching shapes)."""
        shapes = [self.output_of(n) for n in inputs]
        first = shapes[0]
        where = f"{self.location}: " if self.location else ""
        if kind == "concat":
            if any((s.height, s.width) != (first.height, first.width) for s in shapes):
                raise MbcalcError(f"{where}concat '{name}' joins maps of different sizes "
                                  f"({', '.join(str(s) for s in shapes)}); every input needs the same height and width")
            out, op = Shape(sum(s.channels for s in shapes), first.height, first.width), Concat()
        elif kind == "add":
            if any(s != first for s in shapes):
                raise MbcalcError(f"{where}add '{name}' needs inputs of one shape, got "
                                  f"{', '.join(str(s) for s in shapes)}")
            out, op = first, Add()
        else:
            gate = shapes[1]
            if gate.channels != first.channels or (gate.height, gate.width) not in ((1, 1), (first.height, first.width)):
                raise MbcalcError(f"{where}multiply '{name}' scales {first} by {gate}; the gate needs the same "
                                  f"channels and a 1x1 or equal map")
            out, op = first, Multiply()
        self.shape = first
        return self._append(name, op, out, inputs)

    def split(self, name: str, parts: int, index: int) -> str:
        c = self.shape.channels
        if c % parts:
            where = f"{self.location}: " if self.location else ""
            raise MbcalcError(f"{where}split '{name}': {c} channels do not split into {parts} equal parts")
        return self._append(name, Split(parts, index), Shape(c // parts, self.shape.height, self.shape.width))

    def shuffle(self, name: str, groups: int) -> str:
        return self._append(name, Shuffle(groups), self.shape)

    def batchnorm(self, name: str) -> str:
        return self._append(name, BatchNorm(), self.shape)

    def activation(self, name: str, fn: str) -> str:
        return self._append(name, Activation(fn), self.shape)

    def global_pool(self, name: str, kind: str = "avg") -> str:
        return self._append(name, Pool(kind), Shape(self.shape.channels, 1, 1))

    def linear(self, name: str, out: int, *, bias: bool = True) -> str:  # on the flattened input
        return self._append(name, Linear(bias), Shape(out, 1, 1))

    def add(self, name: str, skip: str) -> str:
        return self._append(name, Add(), self.shape, (self.last, skip))

    def multiply(self, name: str, features: str, gate: str) -> str:
        """Scale `features` (a [C,H,W] layer output) channel-wise by `gate` ([C,1,1])."""
        shape = self.output_of(features)
        self.shape = shape  # the product has the features' shape; the input shown is the features
        return self._append(name, Multiply(), shape, (features, gate))

    def output_of(self, name: str) -> Shape:
        return self.outputs[name]


def build(spec: Spec, config: Config, profile: Profile | None = None) -> Network:
    """Expand `spec` at `config` into the layer IR (`profile` defaults to config.profile's)."""
    from .forms import EXPANDERS

    profile = profile or resolve(config.profile)
    h, w, c = spec.input
    builder = Builder(Shape(c, config.resolution, config.resolution))
    classes = config.classes or profile.classes or spec.classes
    EXPANDERS[spec.form](spec, config, profile, builder, classes)
    return Network(
        name=spec.name,
        description=spec.description,
        config=config,
        input=Shape(c, config.resolution, config.resolution),
        layers=tuple(builder.layers),
        classes=classes,
        notes=tuple(spec.notes),
    )
