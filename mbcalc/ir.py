"""The layer IR: plain, immutable records that every analyzer walks.

A spec expands into a `Network`: an ordered tuple of `Layer`s, each holding one operator (`Conv2d`,
`Linear`, `BatchNorm`, ...) together with its resolved input and output shapes. Operators carry
only what the architecture fixes (kernel, stride, groups, bias); shapes come from the expander,
so a counter never has to infer anything. `inputs` names the layers a layer reads, which makes
the IR a DAG (residual adds and squeeze-excite gates read two tensors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True, slots=True)
class Shape:
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


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a spec file a layer came from, for error messages."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# --- operators -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conv2d:
    """A k x k convolution. `groups == in_channels` is a depthwise convolution."""

    kernel: int
    stride: int = 1
    groups: int = 1
    bias: bool = False
    padding: str | int = "same"  # "same" | "valid" | "pad01" (pad bottom/right by one) | pixels per side
    dilation: int = 1


@dataclass(frozen=True, slots=True)
class Linear:
    bias: bool = False


@dataclass(frozen=True, slots=True)
class BatchNorm:
    pass


@dataclass(frozen=True, slots=True)
class Activation:
    fn: str  # "relu" | "relu6" | "hswish" | "hsigmoid" | "sigmoid" | "swish" | "softmax"


@dataclass(frozen=True, slots=True)
class Pool:
    kind: str  # "avg" | "max"
    kernel: int | None = None  # None: global (or, with `output`, adaptive) pooling
    stride: int = 1
    padding: int = 0
    ceil: bool = False  # PyTorch's ceil_mode
    output: int | None = None  # adaptive pooling to output x output


@dataclass(frozen=True, slots=True)
class Add:
    """Element-wise sum of two equal tensors (a residual connection)."""


@dataclass(frozen=True, slots=True)
class Multiply:
    """Channel-wise product: a [C,H,W] tensor scaled by a [C,1,1] gate (squeeze-excite)."""


@dataclass(frozen=True, slots=True)
class Concat:
    """Channel concatenation of two or more tensors of the same height and width."""


@dataclass(frozen=True, slots=True)
class Split:
    """One of `parts` equal channel slices of its input (ShuffleNet's channel split)."""

    parts: int
    index: int


@dataclass(frozen=True, slots=True)
class Shuffle:
    """Channel shuffle across `groups` (a permutation: no arithmetic)."""

    groups: int


@dataclass(frozen=True, slots=True)
class Reshape:
    """A layer that moves no numbers through arithmetic: flatten, or dropout at inference."""

    kind: str  # "flatten" | "dropout"


Op = Union[Conv2d, Linear, BatchNorm, Activation, Pool, Add, Multiply, Concat, Split, Shuffle, Reshape]
OPS: tuple[type, ...] = (Conv2d, Linear, BatchNorm, Activation, Pool, Add, Multiply, Concat, Split, Shuffle, Reshape)


@dataclass(frozen=True, slots=True)
class Layer:
    name: str
    op: Op
    input: Shape
    output: Shape
    role: str  # what the layer does in its network: stem, depthwise, expand, project, se, ...
    inputs: tuple[str, ...] = ()
    source: Location | None = field(default=None, compare=False)

    @property
    def type(self) -> str:
        """The layer type used by the per-type breakdown (V1 paper, Table 2)."""
        op = self.op
        if isinstance(op, Conv2d):
            if op.groups > 1 and op.groups == self.input.channels == self.output.channels:
                return "depthwise"
            if op.kernel == 1 and op.groups == 1:
                return "pointwise"
            return "conv"
        if isinstance(op, Linear):
            return "fc"
        if isinstance(op, Activation):
            return op.fn
        if isinstance(op, Pool):
            return f"{op.kind}pool"
        if isinstance(op, Reshape):
            return op.kind
        return type(op).__name__.lower()

    @property
    def operator(self) -> str:
        """A short human description of the operator, e.g. 'conv 3x3/2' or 'dw 5x5'."""
        op = self.op
        if isinstance(op, Conv2d):
            kind = {"depthwise": "dw", "pointwise": "conv", "conv": "conv"}[self.type]
            text = f"{kind} {op.kernel}x{op.kernel}"
            if op.groups > 1 and kind != "dw":
                text += f" g{op.groups}"
            if op.dilation > 1:
                text += f" d{op.dilation}"
            return text + (f"/{op.stride}" if op.stride > 1 else "")
        if isinstance(op, Pool):
            if op.output is not None:
                return f"{op.kind}pool to {op.output}x{op.output}"
            size = "global" if op.kernel is None else f"{op.kernel}x{op.kernel}" + (f"/{op.stride}" if op.stride > 1 else "")
            return f"{op.kind}pool {size}"
        return self.type


@dataclass(frozen=True, slots=True)
class Config:
    """The knobs a user turns: width multiplier, input resolution, implementation profile."""

    alpha: float = 1.0
    resolution: int = 224
    profile: str = "paper"
    classes: int | None = None  # None: the profile's (1001 for TF-Slim) or the spec's


@dataclass(frozen=True, slots=True)
class Network:
    name: str
    description: str
    config: Config
    input: Shape
    layers: tuple[Layer, ...]
    classes: int
    notes: tuple[str, ...] = ()  # facts about this build the user should see (errata followed, ...)
