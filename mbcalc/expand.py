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
    Config,
    Conv2d,
    Layer,
    Linear,
    Location,
    Multiply,
    Network,
    Op,
    Pool,
    Shape,
)
from .profiles import Profile, resolve
from .spec import Spec


def output_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """Spatial output size of a convolution or pooling window."""
    if padding == "same":
        return -(-size // stride)
    if padding == "pad01":  # zero-pad one row/column at the bottom/right, then "valid" (Keras V1)
        size += 1
    return (size - kernel) // stride + 1


class Builder:
    """Appends layers to a network under construction, one operator at a time."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self.layers: list[Layer] = []
        self.last = "input"
        self.location: Location | None = None
        self.role = ""

    def _append(self, name: str, op: Op, output: Shape, inputs: tuple[str, ...] | None = None) -> str:
        if min(output.height, output.width, output.channels) < 1:
            where = f"{self.location}: " if self.location else ""
            raise MbcalcError(
                f"{where}layer '{name}' gets a {self.shape} input and its output vanishes "
                f"({output}); use a larger --res or a larger --alpha"
            )
        layer = Layer(name, op, self.shape, output, self.role, inputs or (self.last,), self.location)
        self.layers.append(layer)
        self.shape, self.last = output, name
        return name

    def conv(self, name: str, out: int, kernel: int, stride: int = 1, *, groups: int = 1,
             bias: bool = False, padding: str = "same") -> str:
        h = output_size(self.shape.height, kernel, stride, padding)
        w = output_size(self.shape.width, kernel, stride, padding)
        op = Conv2d(kernel, stride, groups, bias, padding)
        return self._append(name, op, Shape(out, h, w))

    def depthwise(self, name: str, kernel: int, stride: int = 1, *, padding: str = "same") -> str:
        c = self.shape.channels
        return self.conv(name, c, kernel, stride, groups=c, padding=padding)

    def batchnorm(self, name: str) -> str:
        return self._append(name, BatchNorm(), self.shape)

    def activation(self, name: str, fn: str) -> str:
        return self._append(name, Activation(fn), self.shape)

    def global_pool(self, name: str, kind: str = "avg") -> str:
        return self._append(name, Pool(kind), Shape(self.shape.channels, 1, 1))

    def linear(self, name: str, out: int, *, bias: bool = True) -> str:
        return self._append(name, Linear(bias), Shape(out, 1, 1))

    def add(self, name: str, skip: str) -> str:
        return self._append(name, Add(), self.shape, (self.last, skip))

    def multiply(self, name: str, features: str, gate: str) -> str:
        """Scale `features` (a [C,H,W] layer output) channel-wise by `gate` ([C,1,1])."""
        shape = self.output_of(features)
        self.shape = shape  # the product has the features' shape; the input shown is the features
        return self._append(name, Multiply(), shape, (features, gate))

    def output_of(self, name: str) -> Shape:
        for layer in reversed(self.layers):
            if layer.name == name:
                return layer.output
        raise KeyError(name)


def build(spec: Spec, config: Config, profile: Profile | None = None) -> Network:
    """Expand `spec` at `config` into the layer IR (`profile` defaults to config.profile's)."""
    from .forms import EXPANDERS

    profile = profile or resolve(config.profile)
    h, w, c = spec.input
    builder = Builder(Shape(c, config.resolution, config.resolution))
    classes = config.classes or profile.classes or spec.classes
    notes = EXPANDERS[spec.form](spec, config, profile, builder, classes)
    return Network(
        name=spec.name,
        description=spec.description,
        config=config,
        input=Shape(c, config.resolution, config.resolution),
        layers=tuple(builder.layers),
        classes=classes,
        notes=tuple(spec.notes) + tuple(notes),
    )
